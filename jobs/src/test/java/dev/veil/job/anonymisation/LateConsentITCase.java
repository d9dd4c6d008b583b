package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Consent that arrives late on a quiet topic, live: an unbounded job on a MiniCluster against a
 * real broker, events stamped with the wall clock, and the grant, revocation and re-grant that
 * govern them produced 3 s after the events, well after the source idleness (1 s) and well inside
 * {@code consent.max_delivery_delay} (20 s, so that a slow machine stays inside it). Log records
 * keep flowing meanwhile, so a log watermark alone would have passed the events. Each must be
 * decided by the consent in force at its own time.
 */
// A stuck job fails the test instead of hanging the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LateConsentITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final String DEVICE = "late.raw.device";
    static final String LOCATION = "late.raw.location";
    static final String SERVICE = "late.raw.service";
    static final String CONSENT = "late.raw.consent";
    static final String DLQ = "late.dead-letter";
    static final String ALL = ",\"purposes\":[\"analytics\",\"product_improvement\",\"location\"]";

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void startKafka() throws Exception {
        kafka = KafkaTestCluster.start();
        kafka.createTopics(
                2,
                List.of(
                        DEVICE,
                        LOCATION,
                        SERVICE,
                        CONSENT,
                        DLQ,
                        "veil.anon.device",
                        "veil.anon.location",
                        "veil.anon.service"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static JobConfig config() throws Exception {
        Files.writeString(tmp.resolve("key"), TEST_KEY_BASE64);
        return JobYaml.of(
                        "late-consent",
                        kafka.bootstrapServers(),
                        "late",
                        tmp.resolve("key"),
                        tmp.resolve("checkpoints"))
                .set("time", "max_out_of_orderness", "PT1S")
                .set("time", "source_idleness", "PT1S")
                .set("consent", "max_delivery_delay", "PT20S")
                .set("flink", "execution.checkpointing.interval", "500ms")
                .load();
    }

    /**
     * A service record whose url host names the event: the host is what the rules keep of a url.
     */
    static String service(String user, Instant at, String name) {
        return AnonymisationJobITCase.service(
                user,
                at.toString(),
                "view",
                ",\"url\":\"https://" + name + ".example.org/page?id=" + user + "\"");
    }

    @Test
    void grantRevocationAndRegrantLaterThanIdlenessButWithinTheBound_governTheirEvents()
            throws Exception {
        JobConfig config = config();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(2);
        AnonymisationTopology.build(
                env,
                config,
                shippedRules(),
                AnonymisationTopology.logSource(config, shippedRules(), false),
                AnonymisationTopology.consentSource(config, shippedRules(), false),
                AnonymisationTopology.sink(config));
        JobClient job = env.executeAsync("late-consent");
        try {
            awaitRunning(job);
            Instant t = Instant.now();
            // On time (within the 20 s bound): bob and carol granted 10 s ago, carol revoked 5 s
            // ago; a filler
            // subject whose events keep the log watermark moving.
            kafka.produce(
                    List.of(
                            new Raw(
                                    CONSENT,
                                    "bob",
                                    AnonymisationJobITCase.consent(
                                            "bob", t.minusSeconds(10).toString(), "grant", ALL)),
                            new Raw(
                                    CONSENT,
                                    "carol",
                                    AnonymisationJobITCase.consent(
                                            "carol", t.minusSeconds(10).toString(), "grant", ALL)),
                            new Raw(
                                    CONSENT,
                                    "carol",
                                    AnonymisationJobITCase.consent(
                                            "carol", t.minusSeconds(5).toString(), "revoke", ALL)),
                            new Raw(
                                    CONSENT,
                                    "filler",
                                    AnonymisationJobITCase.consent(
                                            "filler",
                                            t.minusSeconds(10).toString(),
                                            "grant",
                                            ALL))));
            kafka.produce(
                    List.of(
                            new Raw(
                                    SERVICE,
                                    "alice",
                                    service("alice", t.plusMillis(100), "alice-after-late-grant")),
                            new Raw(
                                    SERVICE,
                                    "bob",
                                    service(
                                            "bob",
                                            t.minusMillis(500),
                                            "bob-before-late-revocation")),
                            new Raw(
                                    SERVICE,
                                    "bob",
                                    service("bob", t.plusMillis(600), "bob-after-late-revocation")),
                            new Raw(
                                    SERVICE,
                                    "carol",
                                    service("carol", t.plusMillis(100), "carol-while-revoked")),
                            new Raw(
                                    SERVICE,
                                    "carol",
                                    service(
                                            "carol",
                                            t.plusMillis(600),
                                            "carol-after-late-regrant"))));
            // Three seconds of log traffic with no consent at all: the consent topic is quiet for
            // three times the
            // idleness, and the logs' own watermark passes every event above.
            for (int i = 0; i < 15; i++) {
                Thread.sleep(200);
                Instant now = Instant.now();
                kafka.produce(
                        List.of(new Raw(SERVICE, "filler", service("filler", now, "filler-" + i))));
            }
            // The late consent: each effective before the events it governs, produced 3 s after
            // them.
            kafka.produce(
                    List.of(
                            new Raw(
                                    CONSENT,
                                    "alice",
                                    AnonymisationJobITCase.consent(
                                            "alice", t.toString(), "grant", ALL)),
                            new Raw(
                                    CONSENT,
                                    "bob",
                                    AnonymisationJobITCase.consent(
                                            "bob", t.plusMillis(500).toString(), "revoke", ALL)),
                            new Raw(
                                    CONSENT,
                                    "carol",
                                    AnonymisationJobITCase.consent(
                                            "carol", t.plusMillis(500).toString(), "grant", ALL))));

            Set<String> expected =
                    new TreeSet<>(
                            Set.of(
                                    "alice-after-late-grant",
                                    "bob-before-late-revocation",
                                    "carol-after-late-regrant"));
            for (int i = 0; i < 15; i++) {
                expected.add("filler-" + i);
            }
            // The last filler is the newest event: once it is out, every event above has been
            // decided.
            Set<String> published = awaitPublished(job, expected, Duration.ofSeconds(90));

            assertThat(published)
                    .contains(
                            "alice-after-late-grant",
                            "bob-before-late-revocation",
                            "carol-after-late-regrant")
                    .doesNotContain("bob-after-late-revocation", "carol-while-revoked");
            for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(DLQ)) {
                assertThat(Json.MAPPER.readTree(r.value()).get("reason").asText())
                        .isNotEqualTo(DeadLetterReason.LATE_EVENT.label());
            }
        } finally {
            job.cancel().get();
        }
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            assertThat(System.nanoTime()).as("job running within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        // The sources have been assigned their partitions and started reading.
        Thread.sleep(3_000);
    }

    /** The event names published on the service output, once all of {@code expected} are there. */
    private static Set<String> awaitPublished(JobClient job, Set<String> expected, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!published().containsAll(expected)) {
            assertThat(System.nanoTime())
                    .as(
                            "published within %s: %s of %s; job %s",
                            timeout, published(), expected, job.getJobStatus().get())
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
        // Two more checkpoints, so that anything wrongly published would be committed too.
        Thread.sleep(1_500);
        return published();
    }

    private static Set<String> published() throws Exception {
        Set<String> names = new TreeSet<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted("veil.anon.service")) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            names.add(
                    n.get("url_host").asText().replace("https://", "").replace(".example.org", ""));
        }
        return names;
    }
}
