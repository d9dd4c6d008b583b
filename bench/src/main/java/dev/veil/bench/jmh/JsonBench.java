package dev.veil.bench.jmh;

import dev.veil.record.Json;
import dev.veil.record.LogRecordProcessor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JSON cost on the record path, with Veil's strict {@link Json#MAPPER} (duplicate-key detection,
 * trailing-token check, BigDecimal floats): parsing raw records (bytes to {@link JsonNode}, three
 * records per stream rotated) and writing an anonymised {@link ObjectNode} back to bytes (the
 * shipped rules' output for the three device records).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JsonBench {

    private byte[][] device;
    private byte[][] location;
    private byte[][] service;
    private ObjectNode[] anonymisedDevice;
    private int i;

    @Setup
    public void setup() throws IOException {
        device = Fixtures.bytes(Fixtures.DEVICE);
        location = Fixtures.bytes(Fixtures.LOCATION);
        service = Fixtures.bytes(Fixtures.SERVICE);
        LogRecordProcessor processor = Fixtures.processor();
        List<byte[]> out = Fixtures.checkedOutputs(processor, "device", device);
        anonymisedDevice = new ObjectNode[out.size()];
        for (int k = 0; k < out.size(); k++) {
            anonymisedDevice[k] = (ObjectNode) Json.MAPPER.readTree(out.get(k));
        }
    }

    private int next() {
        int k = i + 1;
        i = k == 3 ? 0 : k;
        return i;
    }

    @Benchmark
    public JsonNode parseDevice() throws IOException {
        return Json.MAPPER.readTree(device[next()]);
    }

    @Benchmark
    public JsonNode parseLocation() throws IOException {
        return Json.MAPPER.readTree(location[next()]);
    }

    @Benchmark
    public JsonNode parseService() throws IOException {
        return Json.MAPPER.readTree(service[next()]);
    }

    @Benchmark
    public byte[] writeAnonymisedDevice() throws IOException {
        return Json.MAPPER.writeValueAsBytes(anonymisedDevice[next()]);
    }
}
