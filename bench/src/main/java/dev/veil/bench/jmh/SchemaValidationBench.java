package dev.veil.bench.jmh;

import dev.veil.record.Json;
import dev.veil.schema.InputSchemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * JSON Schema (2020-12, networknt json-schema-validator, format assertions on) validation of
 * already parsed, valid records against {@code schemas/input/<stream>.schema.json}, as {@code
 * LogRecordProcessor} does for every record. Three records per stream, rotated. Valid records: the
 * result is an empty set.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SchemaValidationBench {

    private JsonSchema deviceSchema;
    private JsonSchema locationSchema;
    private JsonSchema serviceSchema;
    private JsonNode[] device;
    private JsonNode[] location;
    private JsonNode[] service;
    private int i;

    @Setup
    public void setup() throws IOException {
        deviceSchema = InputSchemas.get().validator("device");
        locationSchema = InputSchemas.get().validator("location");
        serviceSchema = InputSchemas.get().validator("service");
        device = parseValid(deviceSchema, Fixtures.DEVICE);
        location = parseValid(locationSchema, Fixtures.LOCATION);
        service = parseValid(serviceSchema, Fixtures.SERVICE);
    }

    private static JsonNode[] parseValid(JsonSchema schema, String[] records) throws IOException {
        JsonNode[] out = new JsonNode[records.length];
        for (int k = 0; k < records.length; k++) {
            out[k] = Json.MAPPER.readTree(records[k]);
            Set<ValidationMessage> v = schema.validate(out[k]);
            if (!v.isEmpty()) {
                throw new IllegalStateException("fixture record " + k + " is not valid: " + v);
            }
        }
        return out;
    }

    private int next() {
        int k = i + 1;
        i = k == 3 ? 0 : k;
        return i;
    }

    @Benchmark
    public Set<ValidationMessage> validateDevice() {
        return deviceSchema.validate(device[next()]);
    }

    @Benchmark
    public Set<ValidationMessage> validateLocation() {
        return locationSchema.validate(location[next()]);
    }

    @Benchmark
    public Set<ValidationMessage> validateService() {
        return serviceSchema.validate(service[next()]);
    }
}
