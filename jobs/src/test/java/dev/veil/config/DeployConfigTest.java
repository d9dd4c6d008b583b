package dev.veil.config;

import dev.veil.aggregate.AggregatesConfig;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes copies of the job configs (deploy/config/) load, keep Kafka secrets by reference
 * only, and differ from config/ in their kafka: section alone.
 */
class DeployConfigTest {

    private static List<String> withoutKafka(List<String> described) {
        return described.stream().filter(line -> !line.startsWith("kafka.")).toList();
    }

    @Test
    void anonymisationConfig_inStepWithConfigVeilYaml() {
        JobConfig shipped = JobConfig.load(Path.of("../config/veil.yaml"));
        JobConfig deployed = JobConfig.load(Path.of("../deploy/config/veil.yaml"));

        assertThat(withoutKafka(deployed.describe())).isEqualTo(withoutKafka(shipped.describe()));
        assertThat(deployed.flink).isEqualTo(shipped.flink);
        assertThat(deployed.kafkaProperties.get("sasl.jaas.config")).startsWith("${file:");
    }

    @Test
    void aggregatesConfig_inStepWithConfigAggregatesYaml() {
        AggregatesConfig shipped = AggregatesConfig.load(Path.of("../config/aggregates.yaml"));
        AggregatesConfig deployed =
                AggregatesConfig.load(Path.of("../deploy/config/aggregates.yaml"));

        assertThat(withoutKafka(deployed.describe())).isEqualTo(withoutKafka(shipped.describe()));
        assertThat(deployed.flink).isEqualTo(shipped.flink);
        assertThat(deployed.kafkaProperties.get("sasl.jaas.config")).startsWith("${file:");
    }
}
