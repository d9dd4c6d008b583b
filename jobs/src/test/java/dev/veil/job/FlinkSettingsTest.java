package dev.veil.job;

import dev.veil.config.ConfigException;
import dev.veil.testing.LogCapture;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Veil's Flink defaults yield to the cluster's config.yaml, which yields to the job's own flink:
 * section.
 */
class FlinkSettingsTest {
    private static final Map<String, String> JOB =
            Map.of("execution.checkpointing.dir", "s3://bucket/cp");

    @Test
    void emptyCluster_getsVeilsDefaultsAndTheJobsSettings() {
        Configuration c = FlinkSettings.forJob(JOB, new Configuration(), "veil.yaml", 40);

        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
        assertThat(c.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://bucket/cp");
    }

    @Test
    void clusterSetting_isNotOverriddenByAVeilDefault() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));
        cluster.set(StateBackendOptions.STATE_BACKEND, "hashmap");

        Configuration c = FlinkSettings.forJob(JOB, cluster, "veil.yaml", 40);

        assertThat(c.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .as("left to the cluster's value")
                .isFalse();
        assertThat(c.contains(StateBackendOptions.STATE_BACKEND)).isFalse();
        assertThat(c.get(PipelineOptions.GENERIC_TYPES))
                .as("a default the cluster does not set")
                .isFalse();
    }

    @Test
    void keyNamedByTheJob_overridesTheCluster() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMinutes(1));

        Configuration c =
                FlinkSettings.forJob(
                        Map.of(
                                "execution.checkpointing.interval",
                                "5s",
                                "execution.checkpointing.dir",
                                "s3://b/cp"),
                        cluster,
                        "veil.yaml",
                        40);

        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
                .isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void checkpointDirectory_onTheClusterOnly_isEnough() {
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "hdfs:///flink/cp");

        Configuration c = FlinkSettings.forJob(Map.of(), cluster, "veil.yaml", 40);

        assertThat(c.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isFalse();
    }

    @Test
    void noCheckpointDirectoryAnywhere_isAStartupErrorAtTheFlinkSection() {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                FlinkSettings.forJob(
                                        Map.of(), new Configuration(), "config/veil.yaml", 38));

        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .startsWith(
                        "config/veil.yaml:38 (flink): execution.checkpointing.dir is set neither"
                                + " here nor on the cluster (config.yaml or -D)");
    }

    @Test
    void logEffective_hidesSecretLookingFlinkValues() {
        Configuration flink =
                Configuration.fromMap(
                        Map.of(
                                "execution.checkpointing.dir",
                                "s3://b/cp",
                                "s3.secret-key",
                                "very-secret"));

        String logged =
                FlinkSettings.effective("veil-anonymisation", List.of("kafka.group_id: g"), flink);

        assertThat(logged)
                .contains(
                        "kafka.group_id: g",
                        "flink.execution.checkpointing.dir: s3://b/cp",
                        "flink.s3.secret-key: ******")
                .doesNotContain("very-secret");
    }

    @Test
    void deprecatedKeyInTheJobsSection_isNotOverriddenByAVeilDefault() {
        try (LogCapture flinkLog = LogCapture.of(Configuration.class)) {
            Configuration c =
                    FlinkSettings.forJob(
                            Map.of(
                                    "state.backend", "hashmap",
                                    "restart-strategy", "fixed-delay",
                                    "execution.checkpointing.dir", "s3://b/cp"),
                            new Configuration(),
                            "veil.yaml",
                            40);

            assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
            assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
            assertThat(flinkLog.messages())
                    .as("Flink itself tells the user the key's new name")
                    .contains(
                            "WARN Config uses deprecated configuration key 'state.backend' instead"
                                    + " of proper key 'state.backend.type'");
        }
    }

    @Test
    void logEffective_hidesKafkaPasswordTypedAndSecretNamedValues() {
        Configuration flink =
                Configuration.fromMap(
                        Map.of(
                                "execution.checkpointing.dir", "s3://b/cp",
                                "fs.s3a.access.key", "AKIA-very-secret"));

        String logged = FlinkSettings.effective("veil-usage", List.of(), flink);

        assertThat(logged)
                .contains("flink.fs.s3a.access.key: ******")
                .doesNotContain("very-secret");
    }
}
