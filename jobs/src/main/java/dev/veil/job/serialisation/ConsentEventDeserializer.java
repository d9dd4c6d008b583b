package dev.veil.job.serialisation;

import dev.veil.config.KeyReference;
import dev.veil.consent.ConsentChange;
import dev.veil.job.RulesText;
import dev.veil.job.VeilMetrics;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.DeadLetter;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.ConsentRecordProcessor;
import dev.veil.record.DeadLetterReason;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads consent records from Kafka into {@link ConsentEvent}s keyed by the subject's pseudonym, or
 * dead letters. Metrics: {@code veil.stream.consent.records_in}, {@code
 * veil.reason.<r>.dead_lettered}.
 */
public final class ConsentEventDeserializer
        implements KafkaRecordDeserializationSchema<ConsentEvent> {
    private static final long serialVersionUID = 1L;

    private final RulesText rules;
    private final KeyReference key;
    private final long maxFutureSkewMillis;

    private transient ConsentRecordProcessor processor;
    private transient VeilMetrics metrics;

    /**
     * @param maxFutureSkewMillis effective times later than now plus this are invalid
     */
    public ConsentEventDeserializer(RulesText rules, KeyReference key, long maxFutureSkewMillis) {
        this.rules = rules;
        this.key = key;
        this.maxFutureSkewMillis = maxFutureSkewMillis;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        processor = new ConsentRecordProcessor(rules.parse(), new Pseudonymiser(key.resolve()));
        metrics = new VeilMetrics(context.getMetricGroup());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ConsentEvent> out) {
        metrics.counter("records_in", "stream", "consent").inc();
        processor.process(
                record.value(),
                System.currentTimeMillis() + maxFutureSkewMillis,
                new ConsentRecordProcessor.Emitter() {
                    @Override
                    public void change(String subjectKey, ConsentChange change) {
                        ConsentEvent e = new ConsentEvent(subjectKey, change);
                        e.sourceOffset = record.offset();
                        out.collect(e);
                    }

                    @Override
                    public void deadLetter(DeadLetterReason reason, String detail) {
                        metrics.counter("dead_lettered", "reason", reason.label()).inc();
                        ConsentEvent e = new ConsentEvent();
                        e.deadLetter = DeadLetter.of(reason, detail, record);
                        out.collect(e);
                    }
                });
    }

    @Override
    public TypeInformation<ConsentEvent> getProducedType() {
        return TypeInformation.of(ConsentEvent.class);
    }
}
