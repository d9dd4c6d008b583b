package dev.veil.job;

import dev.veil.config.ConfigException;
import dev.veil.config.SensitiveKeys;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend.PriorityQueueStateType;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Flink configuration of a Veil job, in three layers: Veil's defaults, then the cluster's
 * {@code config.yaml}, then the job config's {@code flink:} section. A default applies only where
 * the cluster does not set the option, so a platform team's cluster settings hold unless the job's
 * own file names the key.
 */
public final class FlinkSettings {
    private FlinkSettings() {}

    private record Default<T>(ConfigOption<T> option, T value) {
        /** Sets the default unless the cluster or the job sets the option, by any of its keys. */
        void applyUnlessSet(Configuration cluster, Configuration job, Configuration target) {
            if (!cluster.contains(option) && !job.contains(option)) {
                target.set(option, value);
            }
        }
    }

    /**
     * Veil's defaults: RocksDB with heap timers and bloom filters, incremental exactly-once
     * checkpoints every 10 s at least 2 s apart, exponential-delay restarts, no auto-generated uids
     * (a missing uid fails the submission), no Kryo fallback, object reuse. There is deliberately
     * no default checkpoint directory: see {@link #forJob}.
     */
    static final List<Default<?>> DEFAULTS =
            List.of(
                    new Default<>(StateBackendOptions.STATE_BACKEND, "rocksdb"),
                    new Default<>(
                            CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10)),
                    new Default<>(
                            CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                            CheckpointingMode.EXACTLY_ONCE),
                    // Consent state grows with the subjects; a checkpoint uploads only what
                    // changed.
                    new Default<>(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true),
                    new Default<>(
                            CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS,
                            Duration.ofSeconds(2)),
                    new Default<>(PipelineOptions.AUTO_GENERATE_UIDS, false),
                    new Default<>(PipelineOptions.GENERIC_TYPES, false),
                    new Default<>(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay"),
                    // Timers on the heap (checkpointed with the keyed state): RocksDB timers cost
                    // several JNI calls per event.
                    new Default<>(
                            RocksDBOptions.TIMER_SERVICE_FACTORY, PriorityQueueStateType.HEAP),
                    // Most state reads of the consent gate miss (no other event at the same
                    // millisecond): bloom filters answer those without reading SST files.
                    new Default<>(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true),
                    // Records are never mutated after they are emitted, so chained operators may
                    // pass them without a copy.
                    new Default<>(PipelineOptions.OBJECT_REUSE, true));

    /**
     * The cluster's configuration as the client sees it: under {@code flink run}, the cluster's
     * {@code config.yaml} with the command line's {@code -D} options; empty when the job runs
     * embedded (tests, the demo). Read from the execution environment Flink provides to the
     * program, which is not otherwise used.
     */
    public static Configuration cluster() {
        return Configuration.fromMap(
                StreamExecutionEnvironment.getExecutionEnvironment().getConfiguration().toMap());
    }

    /**
     * The options a job sets: each of Veil's defaults the cluster does not set, then the job's
     * {@code flink:} section.
     *
     * @param jobFlink the job config's {@code flink:} section, already checked against Flink's
     *     option classes
     * @param cluster the cluster's configuration ({@link #cluster()})
     * @param file the job config file, for the error
     * @param flinkLine the line of its {@code flink:} section, 0 if it has none
     * @throws ConfigException when neither the job config nor the cluster names a checkpoint
     *     directory: exactly-once output and restarts need durable checkpoints, and a default such
     *     as /tmp would lose them with the machine
     */
    public static Configuration forJob(
            Map<String, String> jobFlink, Configuration cluster, String file, int flinkLine) {
        Configuration job = Configuration.fromMap(jobFlink);
        if (!job.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                && !cluster.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            throw new ConfigException(
                    file,
                    "flink",
                    flinkLine,
                    0,
                    CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                            + " is set neither here nor on the cluster (config.yaml or -D): name a durable"
                            + " directory that the JobManager and every TaskManager can reach (s3://...,"
                            + " hdfs://..., or a shared file:// path)");
        }
        Configuration out = new Configuration();
        for (Default<?> d : DEFAULTS) {
            d.applyUnlessSet(cluster, job, out);
        }
        out.addAll(job);
        return out;
    }

    /**
     * Logs, once at startup, the Veil options ({@code veil}, already free of secrets) and every
     * Flink option the job sets, values of secret-looking keys hidden.
     */
    public static void logEffective(
            Logger log, String jobName, List<String> veil, Configuration flink) {
        log.info(effective(jobName, veil, flink));
    }

    static String effective(String jobName, List<String> veil, Configuration flink) {
        StringBuilder sb =
                new StringBuilder("Effective configuration of ").append(jobName).append(':');
        veil.forEach(line -> sb.append("\n  ").append(line));
        Map<String, String> set = new TreeMap<>(flink.toMap());
        set.forEach(
                (k, v) ->
                        sb.append("\n  flink.")
                                .append(k)
                                .append(": ")
                                .append(SensitiveKeys.display(k, v)));
        sb.append("\n  (other Flink options: the cluster's config.yaml, else Flink's defaults)");
        return sb.toString();
    }
}
