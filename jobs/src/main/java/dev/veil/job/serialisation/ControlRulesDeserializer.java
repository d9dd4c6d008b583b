package dev.veil.job.serialisation;

import dev.veil.job.RulesText;
import dev.veil.job.VeilMetrics;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.DeadLetter;
import dev.veil.job.records.PublishedRules;
import dev.veil.record.DeadLetterReason;
import dev.veil.rules.RuleVersions;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads the rules control topic ({@code topics.control_rules}): each record is validated against
 * the job's start rules ({@link RuleVersions#validate}) and becomes a {@link ConsentEvent} that
 * carries the version, or a {@code rules_version_refused} dead letter that names the problem (a
 * rules file error with its line and key, an effective time too soon, or a change that needs a
 * savepoint restart, or a version name already published with another rules file: the topic has one
 * partition, so the first record of a name is the one every reader keeps). Apart from the names
 * seen since the task started, stateless: the same record gets the same answer on every replay.
 * Metrics: {@code veil.stream.control_rules.records_in}, {@code veil.reason.<r>.dead_lettered}.
 */
public final class ControlRulesDeserializer
        implements KafkaRecordDeserializationSchema<ConsentEvent> {
    private static final long serialVersionUID = 1L;

    private final RulesText rules;
    private final long leadMillis;

    private transient RuleVersions versions;
    private transient VeilMetrics metrics;

    /**
     * @param rules the rules the job was started with
     * @param leadMillis least time between a version's publication and its effective time, ms
     */
    public ControlRulesDeserializer(RulesText rules, long leadMillis) {
        this.rules = rules;
        this.leadMillis = leadMillis;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        versions = new RuleVersions(rules.parse());
        metrics = new VeilMetrics(context.getMetricGroup());
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ConsentEvent> out) {
        metrics.counter("records_in", "stream", "control_rules").inc();
        ConsentEvent e = new ConsentEvent();
        e.sourceOffset = record.offset();
        try {
            RuleVersions.Version v =
                    versions.validate(record.value(), record.timestamp(), leadMillis);
            String conflict = versions.conflict(v);
            if (conflict != null) {
                throw new IllegalArgumentException(conflict);
            }
            versions.add(v);
            e.rules = PublishedRules.of(v);
        } catch (IllegalArgumentException problem) {
            DeadLetterReason reason = DeadLetterReason.RULES_VERSION_REFUSED;
            metrics.counter("dead_lettered", "reason", reason.label()).inc();
            e.deadLetter = DeadLetter.of(reason, problem.getMessage(), record);
        }
        out.collect(e);
    }

    @Override
    public TypeInformation<ConsentEvent> getProducedType() {
        return TypeInformation.of(ConsentEvent.class);
    }
}
