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
                    secretsByReference(kafka));
        }
    }

    /**
     * The {@code kafka.properties}, refusing a password-typed property written inline: a secret
     * never lives in a config file. Kafka's config providers resolve a reference in each client, on
     * the machine that runs it, so the secret enters neither the file, the job graph nor a log.
     */
    private static Map<String, String> secretsByReference(ConfigNode kafka) {
        Map<String, String> properties = kafka.stringMap(VeilOptions.KAFKA_PROPERTIES);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (SensitiveKeys.isKafkaPassword(e.getKey()) && !e.getValue().contains("${")) {
                // The value is not quoted: it is the secret.
                throw kafka.node(VeilOptions.KAFKA_PROPERTIES)
                        .child(e.getKey())
                        .error(
                                e.getKey()
                                        + " holds a secret written into the file; reference it"
                                        + " through a Kafka config provider instead, e.g."
                                        + " ${file:/run/secrets/kafka.properties:"
                                        + e.getKey()
                                        + "} with config.providers: file and"
                                        + " config.providers.file.class:"
                                        + " org.apache.kafka.common.config.provider.FileConfigProvider"
                                        + " (docs/operations.md, 'Kafka security')");
            }
        }
        return Map.copyOf(properties);
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
