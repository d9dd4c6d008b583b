package dev.veil.job.kafka;

import dev.veil.config.JobConfig;
import dev.veil.config.VeilOptions;
import dev.veil.job.records.OutRecord;
import dev.veil.job.serialisation.OutRecordSerializer;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

/** Kafka source and sink settings shared by every Veil job. */
public final class KafkaConnections {
    private KafkaConnections() {}

    /**
     * Where a source starts without a checkpoint: committed offsets (earliest when the group has
     * none), or not.
     */
    public static OffsetsInitializer startingOffsets(VeilOptions.StartingOffsets setting) {
        return switch (setting) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }

    /**
     * The Kafka sink of {@link OutRecord}s, each to its own topic. Exactly-once: Kafka transactions
     * committed on checkpoints; {@code transactionTimeout} must stay below the broker's
     * transaction.max.timeout.ms (15 minutes by default) and above the checkpoint interval plus
     * restart time.
     */
    public static KafkaSink<OutRecord> sink(
            String bootstrapServers,
            Map<String, String> kafkaProperties,
            JobConfig.Guarantee guarantee,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        Properties producer = new Properties();
        kafkaProperties.forEach(producer::setProperty);
        producer.setProperty(
                "transaction.timeout.ms", Long.toString(transactionTimeout.toMillis()));
        producer.putIfAbsent("compression.type", "lz4");
        producer.putIfAbsent("linger.ms", "20");
        return KafkaSink.<OutRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new OutRecordSerializer())
                .setDeliveryGuarantee(
                        guarantee == JobConfig.Guarantee.EXACTLY_ONCE
                                ? DeliveryGuarantee.EXACTLY_ONCE
                                : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }
}
