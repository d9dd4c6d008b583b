package dev.veil.config;

import org.apache.flink.configuration.GlobalConfiguration;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which configuration values must never be logged or quoted in an error: Kafka client properties
 * that Kafka itself types as passwords ({@code ssl.keystore.key}, {@code sasl.jaas.config}, ...),
 * keys Flink hides ({@link GlobalConfiguration#isSensitive}), and any key whose name says it holds
 * a secret. Errs on the side of hiding.
 */
public final class SensitiveKeys {
    private SensitiveKeys() {}

    /** What is shown instead of a hidden value. */
    public static final String HIDDEN = GlobalConfiguration.HIDDEN_CONTENT;

    private static final Pattern SECRET_NAME =
            Pattern.compile(
                    "password|passwd|secret|token|credential|jaas|private|(^|[._-])key($|[._-])");

    /** True if the value of {@code key} may hold a secret. */
    public static boolean isSensitive(String key) {
        return GlobalConfiguration.isSensitive(key)
                || kafkaPassword(ProducerConfig.configDef(), key)
                || kafkaPassword(ConsumerConfig.configDef(), key)
                || SECRET_NAME.matcher(key.toLowerCase(Locale.ROOT)).find();
    }

    /**
     * True if Kafka types {@code key} as a password (sasl.jaas.config, ssl.key.password,
     * ssl.keystore.key, ...): its value must come from a config provider, never the file itself.
     */
    public static boolean isKafkaPassword(String key) {
        return kafkaPassword(ProducerConfig.configDef(), key)
                || kafkaPassword(ConsumerConfig.configDef(), key);
    }

    /** {@code value}, or {@link #HIDDEN} if {@code key} is sensitive. */
    public static String display(String key, String value) {
        return isSensitive(key) ? HIDDEN : value;
    }

    private static boolean kafkaPassword(ConfigDef def, String key) {
        ConfigDef.ConfigKey k = def.configKeys().get(key);
        return k != null && k.type == ConfigDef.Type.PASSWORD;
    }
}
