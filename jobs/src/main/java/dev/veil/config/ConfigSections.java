package dev.veil.config;

import java.time.Duration;
import java.util.Map;

/**
 * The config sections every Veil job has in the same shape ({@code kafka:} and {@code delivery:}),
 * read and validated in one place. Errors are {@link ConfigException}s naming file, line, key and
 * problem.
 */
public final class ConfigSections {
    private ConfigSections() {}

    /**
     * The {@code kafka:} section: brokers, consumer group, where to start, extra client properties.
     */
    public record Kafka(
            String bootstrapServers,
            String groupId,
            VeilOptions.StartingOffsets startingOffsets,
            Map<String, String> properties) {
        /** Reads {@link VeilOptions#BOOTSTRAP_SERVERS} and the other {@code kafka.*} options. */
        public static Kafka read(ConfigNode kafka) {
            kafka.allowOnly(VeilOptions.all());
            return new Kafka(
                    kafka.text(VeilOptions.BOOTSTRAP_SERVERS),
                    kafka.text(VeilOptions.GROUP_ID),
                    kafka.enumValue(
                            VeilOptions.STARTING_OFFSETS, VeilOptions.StartingOffsets.class),
                    Map.copyOf(kafka.stringMap(VeilOptions.KAFKA_PROPERTIES)));
        }
    }

    /**
     * The {@code delivery:} section: guarantee, transactional id prefix, transaction timeout (10
     * min by default).
     */
    public record Delivery(
            JobConfig.Guarantee guarantee,
            String transactionalIdPrefix,
            Duration transactionTimeout) {
        /**
         * Reads it; the timeout must stay within the broker's default transaction.max.timeout.ms
         * (15 min).
         */
        public static Delivery read(ConfigNode delivery) {
            delivery.allowOnly(VeilOptions.all());
            return new Delivery(
                    delivery.enumValue(VeilOptions.GUARANTEE, JobConfig.Guarantee.class),
                    delivery.text(VeilOptions.TRANSACTIONAL_ID_PREFIX),
                    delivery.duration(
                            VeilOptions.TRANSACTION_TIMEOUT,
                            Duration.ofSeconds(10),
                            Duration.ofMinutes(15)));
        }
    }
}
