package dev.veil.bench.jmh;

import dev.veil.record.DeadLetterReason;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.OutputRules;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * The whole per-record path of the anonymisation job without Flink: {@link
 * LogRecordProcessor#process} = strict JSON parse, schema validation, event time, subject key
 * (normalise + HMAC), every field rule of the stream's outputs, and writing each anonymised record
 * to bytes. Shipped {@code config/rules.yaml} (or {@code -Dveil.rules}) and a fixed 32-byte key;
 * three valid records per stream, rotated; setup checks that none becomes a dead letter.
 *
 * <p>The device records' User-Agents are in the process-wide uap cache after the first calls, as
 * they would be for a stream with repeating agents; see {@link UserAgentBench} for the uncached
 * cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RuleChainBench {

    /** Passes everything the processor emits to the Blackhole. */
    static final class SinkEmitter implements LogRecordProcessor.Emitter {
        Blackhole bh;

        @Override
        public void anonymised(
                OutputRules output,
                String subjectKey,
                long eventTime,
                byte[] anonymised,
                String outputKey,
                int[] slots,
                int keySlot) {
            bh.consume(subjectKey);
            bh.consume(eventTime);
            bh.consume(anonymised);
            bh.consume(outputKey);
        }

        @Override
        public void deadLetter(DeadLetterReason reason, String detail) {
            bh.consume(reason);
            bh.consume(detail);
        }
    }

    private LogRecordProcessor processor;
    private byte[][] device;
    private byte[][] location;
    private byte[][] service;
    private final SinkEmitter emitter = new SinkEmitter();
    private int i;

    @Setup
    public void setup() {
        processor = Fixtures.processor();
        device = Fixtures.bytes(Fixtures.DEVICE);
        location = Fixtures.bytes(Fixtures.LOCATION);
        service = Fixtures.bytes(Fixtures.SERVICE);
        Fixtures.checkedOutputs(processor, "device", device);
        Fixtures.checkedOutputs(processor, "location", location);
        Fixtures.checkedOutputs(processor, "service", service);
    }

    private int next() {
        int k = i + 1;
        i = k == 3 ? 0 : k;
        return i;
    }

    @Benchmark
    public void device(Blackhole bh) {
        emitter.bh = bh;
        processor.process("device", device[next()], Long.MAX_VALUE, emitter);
    }

    @Benchmark
    public void location(Blackhole bh) {
        emitter.bh = bh;
        processor.process("location", location[next()], Long.MAX_VALUE, emitter);
    }

    @Benchmark
    public void service(Blackhole bh) {
        emitter.bh = bh;
        processor.process("service", service[next()], Long.MAX_VALUE, emitter);
    }
}
