package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.rules.RuleVersions;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rules changed in a running job through the control topic: two live jobs on one MiniCluster, at
 * parallelism 1 and 2, read the same raw, consent and control topics (a real broker) and write to
 * outputs of their own. While they run, a valid version (the service output no longer keeps {@code
 * action}) is published effective at T, and two refused ones effective before T: a rules file with
 * a YAML error and one that changes {@code subject_id}. Expected, in both jobs alike: events before
 * T as the start rules make them and stamped with their version, events from T without {@code
 * action} and stamped with the new version, and one {@code rules_version_refused} dead letter per
 * refused version, naming its problem; a second record of the valid version's name with another
 * file (effective sooner) is refused too, and the first one stays in force.
 */
// A stuck job fails the test instead of hanging the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RulesHotReloadITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .build());

    static final String PREFIX = "hot";
    static final String CONTROL = "hot.control.rules";
    static final String SERVICE = "hot.raw.service";
    static final String CONSENT = "hot.raw.consent";
    static final String ALL = ",\"purposes\":[\"analytics\",\"product_improvement\",\"location\"]";

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void startKafka() throws Exception {
        kafka = KafkaTestCluster.start();
        List<String> topics = new ArrayList<>();
        for (String s : new String[] {"device", "location", "service", "consent"}) {
            topics.add(PREFIX + ".raw." + s);
        }
        for (String job : new String[] {"p1", "p2"}) {
            for (String t :
                    new String[] {
                        "veil.anon.device",
                        "veil.anon.location",
                        "veil.anon.service",
                        "hot.dead-letter",
                        "hot.erasure"
                    }) {
                topics.add(job + "." + t);
            }
        }
        kafka.createTopics(2, topics);
        // as ./veil topics create makes it: the broker's time is the publication time
        kafka.createTopics(1, List.of(CONTROL), Map.of("message.timestamp.type", "LogAppendTime"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static JobConfig config(String name) throws Exception {
        Files.writeString(tmp.resolve("key"), TEST_KEY_BASE64);
        return JobYaml.of(
                        name,
                        kafka.bootstrapServers(),
                        PREFIX,
                        tmp.resolve("key"),
                        tmp.resolve(name).resolve("checkpoints"))
                .set("topics", "control_rules", CONTROL)
                .set("time", "max_out_of_orderness", "PT1S")
                .set("time", "source_idleness", "PT1S")
                .set("time", "rules_lead", "PT2S")
                .set("consent", "max_delivery_delay", "PT2S")
                .set("flink", "execution.checkpointing.interval", "500ms")
                .load();
    }

    /** Writes each job's records to topics of its own: {@code <job>.<topic>}. */
    static final class Rename implements MapFunction<OutRecord, OutRecord> {
        private static final long serialVersionUID = 1L;
        private final String job;

        Rename(String job) {
            this.job = job;
        }

        @Override
        public OutRecord map(OutRecord r) {
            return new OutRecord(job + "." + r.topic, r.key, r.value);
        }
    }

    static JobClient start(String job, int parallelism) throws Exception {
        JobConfig config = config("hot-" + job);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(parallelism);
        AnonymisationTopology.records(
                        env,
                        config,
                        shippedRules(),
                        AnonymisationTopology.logSource(config, shippedRules(), false),
                        AnonymisationTopology.consentSource(config, shippedRules(), false))
                .map(new Rename(job))
                .uid("rename-" + job)
                .sinkTo(AnonymisationTopology.sink(config))
                .uid(Uids.SINK);
        return env.executeAsync("hot-reload-" + job);
    }

    static String rules(String version, String from, String to) throws Exception {
        String text = Files.readString(RULES);
        String shipped = shippedRules().parse().version();
        if (!text.contains(from)) {
            throw new IllegalStateException("the shipped rules no longer contain: " + from);
        }
        return text.replace("version: \"" + shipped + "\"", "version: \"" + version + "\"")
                .replace(from, to);
    }

    static Raw control(String version, Instant effective, String yaml) {
        return new Raw(
                CONTROL,
                version,
                new String(
                        RuleVersions.toJson(
                                version,
                                effective.toEpochMilli(),
                                yaml,
                                System.currentTimeMillis()),
                        StandardCharsets.UTF_8));
    }

    @Test
    void versionPublishedToARunningJob_appliesFromItsEffectiveTime_andRefusedOnesLeaveTheOld()
            throws Exception {
        String v1 = shippedRules().parse().version();
        Instant n = Instant.now();
        kafka.produce(
                List.of(
                        new Raw(
                                CONSENT,
                                "alice",
                                AnonymisationJobITCase.consent(
                                        "alice", n.minusSeconds(30).toString(), "grant", ALL)),
                        new Raw(
                                CONSENT,
                                "bob",
                                AnonymisationJobITCase.consent(
                                        "bob", n.minusSeconds(30).toString(), "grant", ALL))));
        JobClient p1 = start("p1", 1);
        JobClient p2 = start("p2", 2);
        try {
            awaitRunning(p1);
            awaitRunning(p2);
            Thread.sleep(3_000);
            Instant published = Instant.now();
            Instant t = published.plusSeconds(8);
            kafka.produce(
                    List.of(
                            control(
                                    "hot-bad-yaml",
                                    published.plusSeconds(4),
                                    "version: hot-bad-yaml\nsubject_id: case_insensitive\n\toutputs: {}\n"),
                            control(
                                    "hot-v3",
                                    published.plusSeconds(4),
                                    rules("hot-v3", "case_insensitive", "case_sensitive")),
                            control(
                                    "hot-v2",
                                    t,
                                    rules(
                                            "hot-v2",
                                            "      action: {keep: {}, quasi_identifier: true}\n",
                                            "      action: drop\n")),
                            // the same name again with another file: refused, the first stays
                            control(
                                    "hot-v2",
                                    published.plusSeconds(5),
                                    rules(
                                            "hot-v2",
                                            "      action: {keep: {}, quasi_identifier: true}\n",
                                            "      action: {keep: {}, quasi_identifier: true}\n"
                                                    + "      # another file\n"))));
            // The sources follow the control topic every 500 ms.
            Thread.sleep(1_500);
            Map<String, Instant> events = new TreeMap<>();
            events.put("alice-before-1", t.minusSeconds(3));
            events.put("bob-before-2", t.minusMillis(1));
            events.put("alice-at-t", t);
            events.put("bob-after-1", t.plusSeconds(1));
            events.put("alice-after-2", t.plusSeconds(2));
            List<Raw> raw = new ArrayList<>();
            events.forEach(
                    (name, at) -> {
                        String user = name.substring(0, name.indexOf('-'));
                        raw.add(new Raw(SERVICE, user, LateConsentITCase.service(user, at, name)));
                    });
            kafka.produce(raw);

            Map<String, String> one = awaitPublished("p1", p1, events.keySet());
            Map<String, String> two = awaitPublished("p2", p2, events.keySet());

            String oldShape = v1 + " with action";
            String newShape = "hot-v2 without action";
            assertThat(one)
                    .containsEntry("alice-before-1", oldShape)
                    .containsEntry("bob-before-2", oldShape)
                    .containsEntry("alice-at-t", newShape)
                    .containsEntry("bob-after-1", newShape)
                    .containsEntry("alice-after-2", newShape)
                    .hasSize(5);
            assertThat(two).as("parallelism 2 as parallelism 1").isEqualTo(one);

            for (String job : new String[] {"p1", "p2"}) {
                List<String> refused = refused(job);
                assertThat(refused)
                        .as(job + " dead letters")
                        .hasSize(3)
                        .anySatisfy(
                                d ->
                                        assertThat(d)
                                                .contains("'hot-v2'")
                                                .contains(
                                                        "version name already published with other rules"))
                        .anySatisfy(
                                d ->
                                        assertThat(d)
                                                .contains("rules version hot-bad-yaml:3:")
                                                .contains("not valid YAML"))
                        .anySatisfy(
                                d ->
                                        assertThat(d)
                                                .contains("'hot-v3'")
                                                .contains("subject_id")
                                                .contains("savepoint restart"));
                assertThat(deadLetters(job))
                        .as("no event was anonymised by a version not in force")
                        .noneMatch(d -> d.contains("rules_version_changed"));
            }
        } finally {
            p1.cancel().get();
            p2.cancel().get();
        }
    }

    private static void awaitRunning(JobClient job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (job.getJobStatus().get() != JobStatus.RUNNING) {
            assertThat(System.nanoTime()).as("job running within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Event name to "version with/without action", once all of {@code expected} are out. */
    private static Map<String, String> awaitPublished(
            String job, JobClient client, Set<String> expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!published(job).keySet().containsAll(expected)) {
            assertThat(System.nanoTime())
                    .as(
                            "%s published %s of %s; job %s; dead letters %s",
                            job,
                            published(job),
                            expected,
                            client.getJobStatus().get(),
                            deadLetters(job))
                    .isLessThan(deadline);
            Thread.sleep(500);
        }
        // Two more checkpoints, so that anything wrongly published would be committed too.
        Thread.sleep(1_000);
        return published(job);
    }

    private static Map<String, String> published(String job) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(job + ".veil.anon.service")) {
            JsonNode n = Json.MAPPER.readTree(r.value());
            String name =
                    n.get("url_host").asText().replace("https://", "").replace(".example.org", "");
            out.put(
                    name,
                    n.get("rules_version").asText()
                            + (n.has("action") ? " with action" : " without action"));
        }
        return out;
    }

    private static List<String> deadLetters(String job) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(job + ".hot.dead-letter")) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<String> refused(String job) throws Exception {
        List<String> out = new ArrayList<>();
        for (String d : deadLetters(job)) {
            JsonNode n = Json.MAPPER.readTree(d);
            if (n.get("reason").asText().equals("rules_version_refused")) {
                assertThat(n.get("source_topic").asText()).isEqualTo(CONTROL);
                out.add(n.get("detail").asText());
            }
        }
        return out;
    }
}
