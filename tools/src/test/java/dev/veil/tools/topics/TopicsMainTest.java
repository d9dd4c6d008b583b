package dev.veil.tools.topics;

import dev.veil.testing.KafkaTestCluster;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./veil topics create} makes every topic of the shipped configs, with its policy. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TopicsMainTest {
    static KafkaTestCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private final StringWriter printed = new StringWriter();

    private int run(String... args) {
        return new CommandLine(new TopicsMain())
                .setOut(new PrintWriter(printed))
                .setErr(new PrintWriter(printed))
                .execute(args);
    }

    @Test
    void create_makesEveryTopicOfTheShippedConfigsWithItsPolicy_andIsRepeatable() throws Exception {
        String[] args = {
            "create",
            "--config",
            "../config/veil.yaml",
            "--rules",
            "../config/rules.yaml",
            "--aggregates",
            "../config/aggregates.yaml",
            "--bootstrap-servers",
            kafka.bootstrapServers(),
            "--partitions",
            "3",
            "--replication-factor",
            "1"
        };
        assertThat(run(args)).isZero();
        assertThat(printed.toString()).contains("create:  veil.raw.consent (consent changes)");
        printed.getBuffer().setLength(0);
        assertThat(run(args)).as("a second run leaves existing topics alone").isZero();
        assertThat(printed.toString())
                .contains("exists:  veil.raw.consent")
                .doesNotContain("create:");

        try (Admin admin = Admin.create(kafka.clientProperties())) {
            Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertThat(names)
                    .contains(
                            "veil.raw.device",
                            "veil.raw.location",
                            "veil.raw.service",
                            "veil.raw.consent",
                            "veil.dead-letter",
                            "veil.erasure",
                            "veil.anon.device",
                            "veil.anon.location",
                            "veil.anon.service",
                            "veil.agg.heatmap",
                            "veil.agg.usage",
                            "veil.agg.budget");
            assertThat(
                            admin.describeTopics(List.of("veil.raw.device"))
                                    .allTopicNames()
                                    .get(30, TimeUnit.SECONDS)
                                    .get("veil.raw.device")
                                    .partitions())
                    .hasSize(3);
            ConfigResource raw = new ConfigResource(ConfigResource.Type.TOPIC, "veil.raw.device");
            ConfigResource consent =
                    new ConfigResource(ConfigResource.Type.TOPIC, "veil.raw.consent");
            ConfigResource erasure = new ConfigResource(ConfigResource.Type.TOPIC, "veil.erasure");
            var configs =
                    admin.describeConfigs(List.of(raw, consent, erasure))
                            .all()
                            .get(30, TimeUnit.SECONDS);
            assertThat(configs.get(raw).get("retention.ms").value())
                    .as("raw personal data: 7 days")
                    .isEqualTo("604800000");
            assertThat(configs.get(consent).get("retention.ms").value())
                    .as("consent changes are deltas: every one is kept")
                    .isEqualTo("-1");
            assertThat(configs.get(erasure).get("retention.ms").value())
                    .as("erasure notices: 365 days")
                    .isEqualTo("31536000000");
            assertThat(configs.get(erasure).get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(
                            admin.describeTopics(List.of("veil.erasure"))
                                    .allTopicNames()
                                    .get(30, TimeUnit.SECONDS)
                                    .get("veil.erasure")
                                    .partitions())
                    .as("like the dead-letter topic")
                    .hasSize(1);
        }
    }

    @Test
    void anUnknownAction_isAnErrorNotAStackTrace() {
        assertThat(
                        run(
                                "delete",
                                "--config",
                                "../config/veil.yaml",
                                "--rules",
                                "../config/rules.yaml",
                                "--aggregates",
                                "../config/aggregates.yaml"))
                .isEqualTo(2);
        assertThat(printed.toString()).contains("the action is list or create, not 'delete'");
    }
}
