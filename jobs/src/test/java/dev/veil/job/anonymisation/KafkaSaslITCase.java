package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.job.RulesText;
import dev.veil.record.Json;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The anonymisation job against a broker that requires SASL (PLAIN over SASL_PLAINTEXT): the job's
 * sources, its end-offset watchers and its exactly-once sink all log in with a password that the
 * job config only references, through Kafka's FileConfigProvider, as docs/operations.md shows.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaSaslITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.startWithSasl();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void passwordByReference_jobReadsAndWritesThroughSasl() throws Exception {
        Path secrets = tmp.resolve("kafka.properties");
        Files.writeString(
                secrets,
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"plain-user1\" password=\"plain-user1-secret\";\n",
                StandardCharsets.UTF_8);
        Path keyFile = tmp.resolve("key");
        Files.writeString(keyFile, TEST_KEY_BASE64);
        JobConfig config =
                JobYaml.of("sasl", kafka.bootstrapServers(), "sasl", keyFile, tmp.resolve("cp"))
                        .set(
                                "kafka",
                                "properties",
                                "{security.protocol: SASL_PLAINTEXT, sasl.mechanism: PLAIN,"
                                        + " config.providers: file, config.providers.file.class:"
                                        + " org.apache.kafka.common.config.provider.FileConfigProvider,"
                                        + " sasl.jaas.config: \"${file:"
                                        + secrets
                                        + ":sasl.jaas.config}\"}")
                        .load();
        assertThat(config.describe()).noneMatch(line -> line.contains("plain-user1-secret"));

        String output = "veil.anon.service";
        kafka.createTopics(
                2,
                List.of(
                        "sasl.raw.device",
                        "sasl.raw.location",
                        "sasl.raw.service",
                        "sasl.raw.consent",
                        "sasl.dead-letter",
                        output));
        List<Raw> in = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            String user = "sasl-subject-" + s;
            in.add(
                    new Raw(
                            "sasl.raw.consent",
                            user,
                            AnonymisationJobITCase.consent(
                                    user,
                                    "2026-11-28T08:00:00Z",
                                    "grant",
                                    AnonymisationJobITCase.ALL_PURPOSES)));
            in.add(
                    new Raw(
                            "sasl.raw.service",
                            user,
                            AnonymisationJobITCase.service(
                                    user, "2026-11-28T09:00:00Z", "view", "")));
        }
        kafka.produce(in);

        RulesText rules = shippedRules();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(2);
        AnonymisationTopology.build(
                env,
                config,
                rules,
                AnonymisationTopology.logSource(config, rules, true),
                AnonymisationTopology.consentSource(config, rules, true),
                AnonymisationTopology.sink(config));
        env.execute("sasl");

        List<String> actions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(output)) {
            actions.add(Json.MAPPER.readTree(r.value()).get("action").asText());
        }
        assertThat(actions).hasSize(5).containsOnly("view");
        assertThat(kafka.readCommitted("sasl.dead-letter")).isEmpty();
    }
}
