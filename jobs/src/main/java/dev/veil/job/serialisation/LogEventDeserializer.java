package dev.veil.job.serialisation;

import dev.veil.config.KeyReference;
import dev.veil.job.RulesText;
import dev.veil.job.VeilMetrics;
import dev.veil.job.records.DeadLetter;
import dev.veil.job.records.LogEvent;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleVersions;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads raw log records from Kafka and anonymises them at the source, so that event time is known
 * per partition (per-split watermarks) and nothing downstream, state included, holds a raw
 * identifier. One raw record gives one {@link LogEvent} per output of its stream, or a dead letter.
 * Metrics: {@code veil.stream.<s>.records_in}, {@code veil.reason.<r>.dead_lettered}.
 */
public final class LogEventDeserializer implements KafkaRecordDeserializationSchema<LogEvent> {
    private static final long serialVersionUID = 1L;

    private final RulesText rules;
    private final KeyReference key;
    private final Map<String, String> streamByTopic;
    private final long maxFutureSkewMillis;
    private final KeyEpochs epochs;
    private final RulesFollower.ControlTopic control;

    private transient RulesFollower follower;
    private transient LogRecordProcessor processor;
    private transient VeilMetrics metrics;
    private transient Emitter emitter;
    private transient Map<String, Counter> recordsIn;

    /**
     * @param rules the validated rules
     * @param key where the pseudonymisation key is; resolved in {@link #open}
     * @param streamByTopic raw topic name to stream name ("device", "location", "service")
     * @param maxFutureSkewMillis event times later than now plus this are invalid
     * @param epochs the key epochs of the pseudonyms
     */
    public LogEventDeserializer(
            RulesText rules,
            KeyReference key,
            Map<String, String> streamByTopic,
            long maxFutureSkewMillis,
            KeyEpochs epochs) {
        this(rules, key, streamByTopic, maxFutureSkewMillis, epochs, null);
    }

    /**
     * @param rules the validated rules the job was started with
     * @param key where the pseudonymisation key is; resolved in {@link #open}
     * @param streamByTopic raw topic name to stream name ("device", "location", "service")
     * @param maxFutureSkewMillis event times later than now plus this are invalid
     * @param epochs the key epochs of the pseudonyms
     * @param control the rules control topic, or null: each record is then anonymised by the
     *     version in force at its event time among those published so far ({@link RulesFollower})
     */
    public LogEventDeserializer(
            RulesText rules,
            KeyReference key,
            Map<String, String> streamByTopic,
            long maxFutureSkewMillis,
            KeyEpochs epochs,
            RulesFollower.ControlTopic control) {
        this.control = control;
        this.epochs = epochs;
        this.rules = rules;
        this.key = key;
        this.streamByTopic = new HashMap<>(streamByTopic);
        this.maxFutureSkewMillis = maxFutureSkewMillis;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        follower =
                control == null
                        ? null
                        : RulesFollower.follow(
                                rules.parse(),
                                control.consumerProperties(),
                                control.topic(),
                                control.leadMillis(),
                                context.getUserCodeClassLoader()::registerReleaseHookIfAbsent);
        RuleVersions versions =
                follower == null ? new RuleVersions(rules.parse()) : follower.versions();
        byte[] master = key.resolve();
        processor =
                new LogRecordProcessor(
                        versions, new Pseudonymiser(master), new PseudonymKeys(master), epochs);
        Arrays.fill(master, (byte) 0);
        metrics = new VeilMetrics(context.getMetricGroup());
        emitter = new Emitter();
        recordsIn = new HashMap<>();
        for (String stream : streamByTopic.values()) {
            recordsIn.put(stream, metrics.counter("records_in", "stream", stream));
        }
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<LogEvent> out) {
        String stream = streamByTopic.get(record.topic());
        if (stream == null) {
            throw new IllegalStateException("no stream is configured for topic " + record.topic());
        }
        recordsIn.get(stream).inc();
        if (follower != null) {
            // a follower that stopped would leave these records to rules no longer in force
            follower.check();
        }
        emitter.record = record;
        emitter.out = out;
        processor.process(
                stream, record.value(), System.currentTimeMillis() + maxFutureSkewMillis, emitter);
        emitter.record = null;
        emitter.out = null;
    }

    @Override
    public TypeInformation<LogEvent> getProducedType() {
        return TypeInformation.of(LogEvent.class);
    }

    private final class Emitter implements LogRecordProcessor.Emitter {
        ConsumerRecord<byte[], byte[]> record;
        Collector<LogEvent> out;

        @Override
        public void anonymised(
                OutputRules output,
                String subjectKey,
                long eventTime,
                byte[] anonymised,
                String outputKey,
                int[] slots,
                int keySlot) {
            out.collect(
                    LogEvent.anonymised(
                            output,
                            subjectKey,
                            eventTime,
                            anonymised,
                            outputKey,
                            slots,
                            keySlot,
                            record.topic(),
                            record.partition(),
                            record.offset(),
                            record.timestamp()));
        }

        @Override
        public void deadLetter(DeadLetterReason reason, String detail) {
            metrics.counter("dead_lettered", "reason", reason.label()).inc();
            LogEvent e = new LogEvent();
            e.deadLetter = DeadLetter.of(reason, detail, record);
            out.collect(e);
        }
    }
}
