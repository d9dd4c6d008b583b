package dev.veil.tools.cluster;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/** The files `./veil cluster` writes, without starting any process. */
class ClusterMainTest {
    @TempDir Path dir;

    private ClusterMain cluster() {
        ClusterMain c = new ClusterMain();
        c.dirOption = dir;
        return c;
    }

    private ClusterState state() throws Exception {
        ClusterState s = ClusterState.load(dir);
        s.set("kafka.port", 19092);
        s.set("rest.port", 18081);
        s.set("jobmanager.rpc.port", 16123);
        return s;
    }

    @Test
    void stateSurvivesAReload() throws Exception {
        ClusterState s = state();
        s.set("job.anonymisation.savepoint", "file:/x/savepoints/savepoint-1");
        s.remove("rest.port");
        ClusterState again = ClusterState.load(dir);
        assertThat(again.get("job.anonymisation.savepoint"))
                .contains("file:/x/savepoints/savepoint-1");
        assertThat(again.get("rest.port")).isEmpty();
        assertThat(again.port("kafka.port")).isEqualTo(19092);
    }

    @Test
    void jobConfigCopiesPointAtTheBrokerAndTheKeyFiles() throws Exception {
        ClusterMain c = cluster();
        ClusterState s = state();
        Path copy =
                c.jobConfigCopy(
                        s, Path.of("../config/veil.yaml"), "VEIL_PSEUDONYM_KEY", "pseudonym.key");
        JobConfig job = JobConfig.load(copy);
        Path key = dir.toAbsolutePath().normalize().resolve("keys/pseudonym.key");
        assertThat(job.bootstrapServers).isEqualTo("127.0.0.1:19092");
        assertThat(job.pseudonymisationKey.toString()).isEqualTo("file:" + key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
                .isEqualTo("rw-------");
        String first = Files.readString(key);

        Path agg =
                c.jobConfigCopy(
                        s, Path.of("../config/aggregates.yaml"), "VEIL_NOISE_KEY", "noise.key");
        AggregatesConfig aggregates = AggregatesConfig.load(agg);
        assertThat(aggregates.bootstrapServers).isEqualTo("127.0.0.1:19092");
        assertThat(aggregates.noiseKey.toString()).endsWith("keys/noise.key");

        // keys are made once
        c.jobConfigCopy(s, Path.of("../config/veil.yaml"), "VEIL_PSEUDONYM_KEY", "pseudonym.key");
        assertThat(Files.readString(key)).isEqualTo(first);
    }

    @Test
    void flinkConfigGivesProcessMemorySpecs() throws Exception {
        ClusterMain c = cluster();
        c.writeFlinkConf(state());
        Configuration conf = c.flinkConfig();
        assertThat(conf.toMap())
                .containsEntry("rest.port", "18081")
                .containsEntry("state.backend.type", "rocksdb")
                .containsEntry(
                        "execution.checkpointing.savepoint-dir",
                        dir.toAbsolutePath().normalize().toUri() + "savepoints");
        assertThat(TaskExecutorProcessUtils.processSpecFromConfig(conf).getManagedMemorySize())
                .isNotNull();
        assertThat(JobManagerProcessUtils.processSpecFromConfig(conf).getJvmHeapMemorySize())
                .isNotNull();
    }
}
