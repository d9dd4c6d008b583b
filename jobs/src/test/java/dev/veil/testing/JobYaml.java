package dev.veil.testing;

import dev.veil.config.JobConfig;
import dev.veil.config.YamlDocument;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A job configuration for an ITCase: the shipped defaults with the test's broker, topics named
 * after a prefix, a key file and a checkpoint folder, and whatever the test sets. Rendered as YAML
 * and loaded through {@link JobConfig}, so the test runs the same validation as a real start.
 */
public final class JobYaml {
    private final String name;
    private final Map<String, Map<String, String>> sections = new LinkedHashMap<>();

    private JobYaml(String name) {
        this.name = name;
    }

    /**
     * @param name group id, transactional id prefix and file name of the configuration
     * @param topicPrefix raw topics are {@code <prefix>.raw.device} and so on, dead letters {@code
     *     <prefix>.dead-letter}, erasure notices {@code <prefix>.erasure}
     */
    public static JobYaml of(
            String name,
            String bootstrapServers,
            String topicPrefix,
            Path keyFile,
            Path checkpoints) {
        JobYaml y = new JobYaml(name);
        y.set("kafka", "bootstrap_servers", bootstrapServers)
                .set("kafka", "group_id", name)
                .set("kafka", "starting_offsets", "earliest");
        for (String t : new String[] {"device", "location", "service", "consent"}) {
            y.set("topics", t, topicPrefix + ".raw." + t);
        }
        y.set("topics", "dead_letter", topicPrefix + ".dead-letter");
        y.set("topics", "erasure", topicPrefix + ".erasure");
        y.set("time", "max_out_of_orderness", "PT30S")
                .set("time", "source_idleness", "PT5S")
                .set("time", "max_future_skew", "PT1H");
        y.set("consent", "max_delivery_delay", "PT30S")
                .set("consent", "max_pending_events_per_subject", "10000");
        y.set("pseudonymisation_key", "file", keyFile.toString());
        y.set("delivery", "guarantee", "exactly_once")
                .set("delivery", "transactional_id_prefix", name)
                .set("delivery", "transaction_timeout", "PT5M");
        y.set("flink", "execution.checkpointing.interval", "1s")
                .set("flink", "execution.checkpointing.dir", checkpoints.toUri().toString())
                // RocksDB's files in a short folder next to the checkpoints: under the
                // MiniCluster's own temp folder
                // an instance path is too long to name RocksDB's log file after, and Flink warns
                // for each instance.
                .set(
                        "flink",
                        "state.backend.rocksdb.localdir",
                        checkpoints.resolveSibling("rocksdb").toString())
                .set("flink", "parallelism.default", "2");
        return y;
    }

    /**
     * Sets (or replaces) {@code section.key}; the value is written as a quoted YAML string where it
     * needs quotes.
     */
    public JobYaml set(String section, String key, String value) {
        sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key, value);
        return this;
    }

    /** The YAML text. */
    public String text() {
        StringBuilder sb = new StringBuilder();
        sections.forEach(
                (section, values) -> {
                    sb.append(section).append(":\n");
                    values.forEach(
                            (k, v) ->
                                    sb.append("  ")
                                            .append(k)
                                            .append(": ")
                                            .append(
                                                    v.startsWith("{") || v.matches("[\\w.:/+-]*")
                                                            ? v
                                                            : "\"" + v + "\"")
                                            .append('\n'));
                });
        return sb.toString();
    }

    /** Validates and loads it, as a job start does. */
    public JobConfig load() {
        return JobConfig.load(YamlDocument.parse(name + ".yaml", text()));
    }
}
