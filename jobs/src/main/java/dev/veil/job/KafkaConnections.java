package dev.veil.job;

import dev.veil.config.JobConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Kafka source and sink settings, and Flink defaults, shared by every Veil job. */
public final class KafkaConnections {
    private KafkaConnections() {}

    /** "earliest", "latest" or "committed" (committed offsets, earliest when the group has none). */
    public static OffsetsInitializer startingOffsets(String setting) {
        switch (setting) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            default:
                return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        }
    }

    /**
     * The Kafka sink of {@link OutRecord}s, each to its own topic. Exactly-once: Kafka transactions committed on
     * checkpoints; {@code transactionTimeout} must stay below the broker's transaction.max.timeout.ms (15 minutes by
     * default) and above the checkpoint interval plus restart time.
     */
    public static KafkaSink<OutRecord> sink(String bootstrapServers, Map<String, String> kafkaProperties,
            JobConfig.Guarantee guarantee, String transactionalIdPrefix, Duration transactionTimeout) {
        Properties producer = new Properties();
        kafkaProperties.forEach(producer::setProperty);
        producer.setProperty("transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        producer.putIfAbsent("compression.type", "lz4");
        producer.putIfAbsent("linger.ms", "20");
        return KafkaSink.<OutRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new OutRecordSerializer())
                .setDeliveryGuarantee(guarantee == JobConfig.Guarantee.EXACTLY_ONCE
                        ? DeliveryGuarantee.EXACTLY_ONCE
                        : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    /**
     * Veil's Flink defaults, then {@code overrides} (the flink: section of a job's config): RocksDB state backend with
     * heap timers and bloom filters, checkpoints every 10 s in exactly-once mode, exponential-delay restarts, no
     * auto-generated uids (a missing uid fails the submission), no Kryo fallback, object reuse.
     */
    public static org.apache.flink.configuration.Configuration flinkDefaults(Map<String, String> overrides) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put("state.backend.type", "rocksdb");
        m.put("execution.checkpointing.interval", "10s");
        m.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        m.put("pipeline.auto-generate-uids", "false");
        m.put("pipeline.generic-types", "false");
        m.put("restart-strategy.type", "exponential-delay");
        // Timers on the heap (checkpointed with the keyed state): RocksDB timers cost several JNI calls per event.
        m.put("state.backend.rocksdb.timer-service.factory", "HEAP");
        // Most state reads of the consent gate miss (no other event at the same millisecond): bloom filters answer
        // those without reading SST files.
        m.put("state.backend.rocksdb.use-bloom-filter", "true");
        // Records are never mutated after they are emitted, so chained operators may pass them without a copy.
        m.put("pipeline.object-reuse", "true");
        m.putAll(overrides);
        return org.apache.flink.configuration.Configuration.fromMap(m);
    }
}
