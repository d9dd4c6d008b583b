package dev.veil.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.FallbackKey;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Flink options a job's {@code flink:} section may set: every {@link ConfigOption} declared by
 * Flink's option classes that concern a job (core, pipeline, execution, checkpointing, state
 * backends and RocksDB, recovery, restarts, metrics, memory), by key, fallback key and deprecated
 * key, plus the per-reporter families ({@code metrics.reporter.<name>.*}). Validating against
 * Flink's own declarations catches a typo such as {@code execution.checkpointing.intervall} (which
 * Flink itself would silently ignore) and a value Flink cannot parse, at startup and with the file
 * and line.
 */
public final class FlinkOptionCatalog {
    private FlinkOptionCatalog() {}

    // Loaded by name: the RocksDB classes sit in another Flink jar, and a missing jar only narrows
    // the catalog.
    private static final List<String> HOLDERS =
            List.of(
                    "org.apache.flink.configuration.CoreOptions",
                    "org.apache.flink.configuration.PipelineOptions",
                    "org.apache.flink.configuration.ExecutionOptions",
                    "org.apache.flink.configuration.BatchExecutionOptions",
                    "org.apache.flink.configuration.CheckpointingOptions",
                    "org.apache.flink.configuration.StateBackendOptions",
                    "org.apache.flink.configuration.StateRecoveryOptions",
                    "org.apache.flink.configuration.StateChangelogOptions",
                    "org.apache.flink.configuration.StateLatencyTrackOptions",
                    "org.apache.flink.configuration.StateSizeTrackOptions",
                    "org.apache.flink.configuration.RestartStrategyOptions",
                    "org.apache.flink.configuration.CleanupOptions",
                    "org.apache.flink.configuration.MetricOptions",
                    "org.apache.flink.configuration.TraceOptions",
                    "org.apache.flink.configuration.EventOptions",
                    "org.apache.flink.configuration.TaskManagerOptions",
                    "org.apache.flink.configuration.JobManagerOptions",
                    "org.apache.flink.configuration.DeploymentOptions",
                    "org.apache.flink.configuration.ClusterOptions",
                    "org.apache.flink.configuration.RestOptions",
                    "org.apache.flink.configuration.WebOptions",
                    "org.apache.flink.configuration.NettyShuffleEnvironmentOptions",
                    "org.apache.flink.configuration.SlowTaskDetectorOptions",
                    "org.apache.flink.state.rocksdb.RocksDBOptions",
                    "org.apache.flink.state.rocksdb.RocksDBConfigurableOptions");

    // Families whose keys embed a name of the user's choosing.
    private static final List<String> FAMILIES =
            List.of("metrics.reporter.", "traces.reporter.", "events.reporter.");

    private static final Map<String, ConfigOption<?>> BY_KEY = load();

    private static Map<String, ConfigOption<?>> load() {
        Map<String, ConfigOption<?>> byKey = new TreeMap<>();
        for (String holder : HOLDERS) {
            Class<?> c;
            try {
                c = Class.forName(holder, false, FlinkOptionCatalog.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                continue;
            }
            for (ConfigOption<?> o : VeilOptions.optionsOf(c)) {
                byKey.putIfAbsent(o.key(), o);
                for (FallbackKey k : o.fallbackKeys()) {
                    byKey.putIfAbsent(k.getKey(), o);
                }
            }
        }
        return byKey;
    }

    /** The option of {@code key}; empty for a reporter family key and for an unknown key. */
    static Optional<ConfigOption<?>> option(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** Whether Flink knows {@code key}. */
    static boolean known(String key) {
        return BY_KEY.containsKey(key)
                || FAMILIES.stream().anyMatch(f -> key.startsWith(f) && key.length() > f.length());
    }

    /** The known key closest to {@code key} (at most 3 edits away), for a "did you mean" hint. */
    static Optional<String> closest(String key) {
        LevenshteinDistance distance = new LevenshteinDistance(3);
        return BY_KEY.keySet().stream()
                .map(k -> Map.entry(k, distance.apply(key, k)))
                .filter(e -> e.getValue() >= 0)
                .min(
                        Comparator.comparing(Map.Entry<String, Integer>::getValue)
                                .thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey);
    }

    /**
     * Reads a {@code flink:} section: every key must be a Flink option and every value must parse
     * as that option's type.
     *
     * @return the settings as written (text values), in file order
     * @throws ConfigException naming the file, the line and the key, with the closest known key for
     *     a typo
     */
    public static Map<String, String> read(ConfigNode section) {
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, ConfigNode> nodes = section.entries();
        Map<String, String> values = section.asStringMap();
        nodes.keySet().forEach(k -> settings.put(k, values.get(k)));
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            ConfigNode node = nodes.get(e.getKey());
            String key = e.getKey();
            if (!known(key)) {
                throw node.error(
                        "unknown Flink option '"
                                + key
                                + "'"
                                + closest(key).map(k -> "; did you mean '" + k + "'?").orElse("")
                                + " (Flink ignores keys it does not know; Veil refuses them)");
            }
            Optional<ConfigOption<?>> option = option(key);
            if (option.isPresent()) {
                try {
                    Configuration.fromMap(Map.of(key, e.getValue())).get(option.get());
                } catch (RuntimeException bad) {
                    // The value is quoted only if it cannot hold a secret.
                    throw node.error(
                            (SensitiveKeys.isSensitive(key)
                                            ? "the value"
                                            : "'" + e.getValue() + "'")
                                    + " is not a valid value for Flink option '"
                                    + key
                                    + "'"
                                    + typeHint(option.get()));
                }
            }
            out.put(key, e.getValue());
        }
        return out;
    }

    private static String typeHint(ConfigOption<?> option) {
        Object d = option.hasDefaultValue() ? option.defaultValue() : null;
        if (d instanceof Duration) {
            return " (a duration such as 10s, 2 min or 500 ms)";
        }
        if (d instanceof Boolean) {
            return " (true or false)";
        }
        if (d instanceof Enum<?> en) {
            return " (one of " + List.of(en.getDeclaringClass().getEnumConstants()) + ")";
        }
        return d == null ? "" : " (default " + d + ")";
    }
}
