package dev.veil.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The config sections every Veil job has in the same shape ({@code kafka:} and {@code delivery:}), read and validated
 * in one place. Errors are {@link ConfigException}s naming file, line, key and problem.
 */
public final class ConfigSections {
    private ConfigSections() {}

    /** The {@code kafka:} section: brokers, consumer group, where to start, extra client properties. */
    public record Kafka(String bootstrapServers, String groupId, String startingOffsets, Map<String, String> properties) {
        /** Reads {@code bootstrap_servers}, {@code group_id}, {@code starting_offsets} (committed by default), {@code properties}. */
        public static Kafka read(ConfigNode kafka) {
            kafka.allowOnly("bootstrap_servers", "group_id", "starting_offsets", "properties");
            return new Kafka(
                    kafka.child("bootstrap_servers").asText(),
                    kafka.child("group_id").asText(),
                    kafka.has("starting_offsets")
                            ? kafka.child("starting_offsets").asEnum(Set.of("earliest", "latest", "committed"))
                            : "committed",
                    kafka.has("properties") ? kafka.child("properties").asStringMap() : Map.of());
        }
    }

    /** The {@code delivery:} section: guarantee, transactional id prefix, transaction timeout (10 min by default). */
    public record Delivery(JobConfig.Guarantee guarantee, String transactionalIdPrefix, Duration transactionTimeout) {
        /** Reads it; the timeout must stay within the broker's default transaction.max.timeout.ms (15 min). */
        public static Delivery read(ConfigNode delivery) {
            delivery.allowOnly("guarantee", "transactional_id_prefix", "transaction_timeout");
            return new Delivery(
                    JobConfig.Guarantee.valueOf(delivery.child("guarantee")
                            .asEnum(Set.of("exactly_once", "at_least_once"))
                            .toUpperCase(Locale.ROOT)),
                    delivery.child("transactional_id_prefix").asText(),
                    delivery.has("transaction_timeout")
                            ? delivery.child("transaction_timeout").asDuration(Duration.ofSeconds(10), Duration.ofMinutes(15))
                            : Duration.ofMinutes(10));
        }
    }
}
