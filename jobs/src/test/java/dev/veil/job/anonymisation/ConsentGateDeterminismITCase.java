package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.record.Json;
import dev.veil.record.RunComparison;
import dev.veil.testing.ExpectedFailureFilter;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same input gives the same output whether the job replays it bounded, starts on it as a
 * backlog, or loses its TaskManager halfway through the backlog: a live (unbounded) job on a Flink
 * MiniCluster (parallelism 2, RocksDB, checkpoints, exactly-once) against a real broker. The
 * backlog is spread unevenly over the partitions (one partition of a topic holds most of its
 * records, event times interleave across partitions) and the source idleness is the smallest
 * allowed, so a partition left unread for a moment would, with wall-clock idleness, fall behind the
 * watermark. Expected: not one {@code late_event} dead letter and exactly the bounded replay's
 * records, erasure notices included, up to the renaming of subject-scoped pseudonyms: each run
 * draws its own subject secrets, so its pseudonyms are its own, and which records share one must be
 * the same ({@link RunComparison}).
 */
// A stuck job fails the test instead of hanging the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsentGateDeterminismITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final String DEVICE = "det.raw.device";
    static final String LOCATION = "det.raw.location";
    static final String SERVICE = "det.raw.service";
    static final String CONSENT = "det.raw.consent";
    static final String DLQ = "det.dead-letter";
    static final String ERASURE = "det.erasure";
    static final List<String> OUTPUTS =
            List.of("veil.anon.device", "veil.anon.location", "veil.anon.service", DLQ, ERASURE);
    static final Instant BASE = Instant.parse("2026-11-27T10:00:00Z");

    static KafkaTestCluster kafka;

    /** The bounded replay's output: each output topic's records, keyed JSON, sorted. */
    static Map<String, List<String>> replay;

    static int inputRecords;

    @TempDir static Path tmp;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void backlogAndReplay() throws Exception {
        kafka = KafkaTestCluster.start();
        List<String> topics = new ArrayList<>(List.of(DEVICE, LOCATION, SERVICE, CONSENT));
        topics.addAll(OUTPUTS);
        kafka.createTopics(3, topics);
        List<Raw> input = backlog(new Random(11));
        inputRecords = input.size();
        kafka.produce(input);
        Files.writeString(tmp.resolve("key"), TEST_KEY_BASE64);

        Map<String, Map<Integer, Long>> before = endOffsets();
        JobConfig config = config("det-replay");
        StreamExecutionEnvironment env = env(config);
        AnonymisationTopology.build(
                env,
                config,
                shippedRules(),
                AnonymisationTopology.logSource(config, shippedRules(), true),
                AnonymisationTopology.consentSource(config, shippedRules(), true),
                AnonymisationTopology.sink(config));
        env.execute("det-replay");
        replay = outputSince(before);
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * About 4,000 log records of 120 subjects over two hours, with grants, revocations, re-grants
     * and erasures; each partition in event-time order with up to 20 s of jitter (the bound is 30
     * s). Partitions get very different shares: device 85/10/5 %, service 10/20/70 %, location
     * 5/90/5 %.
     */
    static List<Raw> backlog(Random r) {
        List<Raw> consent = new ArrayList<>();
        String all = ",\"purposes\":[\"analytics\",\"product_improvement\",\"location\"]";
        String some = ",\"purposes\":[\"analytics\"]";
        for (int s = 0; s < 120; s++) {
            String user = "user-" + s;
            int p = s % 7 == 0 ? 0 : s % 3;
            if (s % 10 != 9) {
                consent.add(
                        new Raw(
                                CONSENT,
                                user,
                                AnonymisationJobITCase.consent(
                                        user, at(-60), "grant", s % 4 == 0 ? some : all),
                                p));
            }
            if (s % 5 == 1) {
                consent.add(
                        new Raw(
                                CONSENT,
                                user,
                                AnonymisationJobITCase.consent(
                                        user, at(30 + s % 40), "revoke", some),
                                p));
            }
            if (s % 10 == 3) {
                consent.add(
                        new Raw(
                                CONSENT,
                                user,
                                AnonymisationJobITCase.consent(user, at(80), "grant", all),
                                p));
            }
            if (s % 17 == 5) {
                consent.add(
                        new Raw(
                                CONSENT,
                                user,
                                AnonymisationJobITCase.consent(user, at(60), "erase", ""),
                                p));
            }
        }
        double[][] shares = {{0.85, 0.10, 0.05}, {0.10, 0.20, 0.70}, {0.05, 0.90, 0.05}};
        String[] streams = {DEVICE, SERVICE, LOCATION};
        List<List<Raw>> perPartition = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            perPartition.add(new ArrayList<>());
        }
        for (int k = 0; k < 4_000; k++) {
            int stream = r.nextInt(3);
            double x = r.nextDouble();
            int partition =
                    x < shares[stream][0] ? 0 : x < shares[stream][0] + shares[stream][1] ? 1 : 2;
            // Time moves forward in every partition, with jitter inside the out-of-orderness bound.
            double minute = 120.0 * k / 4_000 - r.nextInt(20) / 60.0;
            String user = "user-" + r.nextInt(120);
            String time = BASE.plusMillis((long) (minute * 60_000)).toString();
            String value =
                    switch (stream) {
                        case 0 ->
                                AnonymisationJobITCase.device(
                                        user, time, "dev-" + user, "192.0.2." + (k % 250), 50);
                        case 1 ->
                                AnonymisationJobITCase.service(
                                        user,
                                        time,
                                        "view",
                                        ",\"url\":\"https://example.org/p" + k + "\"");
                        default ->
                                AnonymisationJobITCase.location(
                                        user, time, "53.34" + (k % 10), "-6.26" + (k % 10));
                    };
            perPartition
                    .get(stream * 3 + partition)
                    .add(new Raw(streams[stream], user, value, partition));
        }
        // A consent log is appended as changes happen: in effective-time order.
        consent.sort(
                Comparator.comparing(
                        c -> c.value().substring(c.value().indexOf("effective_time"))));
        List<Raw> out = new ArrayList<>(consent);
        perPartition.forEach(out::addAll);
        return out;
    }

    private static String at(int minutes) {
        return BASE.plus(Duration.ofMinutes(minutes)).toString();
    }

    static JobConfig config(String name) {
        return JobYaml.of(
                        name,
                        kafka.bootstrapServers(),
                        "det",
                        tmp.resolve("key"),
                        tmp.resolve("checkpoints-" + name))
                // Small fetches: the backlog is read over many polls, partition by partition.
                .set(
                        "kafka",
                        "properties",
                        "{max.poll.records: \"25\", max.partition.fetch.bytes: \"4096\"}")
                .set("time", "source_idleness", "PT1S")
                .set("consent", "max_delivery_delay", "PT5S")
                .set("flink", "execution.checkpointing.interval", "500ms")
                .set("flink", "restart-strategy.type", "fixed-delay")
                .set("flink", "restart-strategy.fixed-delay.attempts", "5")
                .set("flink", "restart-strategy.fixed-delay.delay", "1s")
                .load();
    }

    static StreamExecutionEnvironment env(JobConfig config) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(2);
        return env;
    }

    static Map<String, Map<Integer, Long>> endOffsets() {
        Map<String, Map<Integer, Long>> m = new HashMap<>();
        for (String t : OUTPUTS) {
            m.put(t, kafka.endOffsets(t));
        }
        return m;
    }

    /**
     * Each output topic's records written after {@code from}, key and value as one JSON text
     * ({@link RunComparison#keyed}), sorted.
     */
    static Map<String, List<String>> outputSince(Map<String, Map<Integer, Long>> from)
            throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        for (String t : OUTPUTS) {
            List<String> values = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(t, from.get(t))) {
                values.add(RunComparison.keyed(r.key(), r.value()));
            }
            values.sort(null);
            out.put(t, values);
        }
        return out;
    }

    static long count(Map<String, List<String>> m) {
        return m.values().stream().mapToLong(List::size).sum();
    }

    @Test
    @Order(1)
    void boundedReplay_publishesAndDropsSomething_withoutALateEvent() {
        assertThat(replay.get("veil.anon.device")).hasSizeGreaterThan(500);
        assertThat(replay.get("veil.anon.service")).hasSizeGreaterThan(500);
        assertThat(count(replay))
                .as("revoked, erased and never-granted subjects are dropped")
                .isLessThan(inputRecords);
        assertThat(replay.get(DLQ)).noneMatch(dl -> dl.contains("late_event"));
    }

    /**
     * Six erasure notices are due (one per erased subject with records published before the
     * erasure), also at the end of a bounded input.
     */
    @Test
    @Order(1)
    void boundedReplay_publishesAnErasureNoticePerErasedSubjectWithRecords() throws Exception {
        assertNoticesNameTheirSubjectsRecords(replay);
    }

    /**
     * Each erased subject who had records published gets one notice at the erasure's time, and each
     * pseudonym it lists is the subject (and key) of records of that run published under that key
     * epoch, and of no other subject's.
     */
    static void assertNoticesNameTheirSubjectsRecords(Map<String, List<String>> run)
            throws Exception {
        Map<String, Set<Integer>> epochsOfSubject = new HashMap<>();
        for (String t : List.of("veil.anon.device", "veil.anon.location", "veil.anon.service")) {
            for (String r : run.get(t)) {
                JsonNode n = Json.MAPPER.readTree(r);
                assertThat(n.get("key").asText()).isEqualTo(n.at("/value/subject").asText());
                epochsOfSubject
                        .computeIfAbsent(n.at("/value/subject").asText(), k -> new TreeSet<>())
                        .add(n.at("/value/key_epoch").asInt());
            }
        }
        // subjects 5, 22, 39, 56, 73, 90 and 107 are erased at minute 60; 39 never granted
        assertThat(run.get(ERASURE)).as("erasure notices").hasSize(6);
        Set<String> listed = new HashSet<>();
        for (String r : run.get(ERASURE)) {
            JsonNode notice = Json.MAPPER.readTree(r);
            assertThat(notice.get("key").isNull()).as("a notice has no key").isTrue();
            assertThat(notice.at("/value/erasure_time").asText()).isEqualTo(at(60));
            assertThat(notice.at("/value/pseudonyms")).isNotEmpty();
            for (JsonNode p : notice.at("/value/pseudonyms")) {
                String subject = p.get("subject").asText();
                assertThat(epochsOfSubject.get(subject))
                        .as("the key epochs of the records of notice pseudonym %s", subject)
                        .containsExactly(p.get("key_epoch").asInt());
                listed.add(subject);
            }
        }
        assertThat(listed).as("one subject per notice").hasSize(6);
    }

    @Test
    @Order(2)
    void liveJobStartedOnTheBacklog_publishesExactlyTheBoundedReplay() throws Exception {
        Map<String, List<String>> live = runLive("det-backlog", null);
        assertSameAsReplay(live);
        assertNoticesNameTheirSubjectsRecords(live);
    }

    @Test
    @Order(3)
    void liveJobLosingItsTaskManagerMidBacklog_publishesExactlyTheBoundedReplay(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        // Restored, the committer commits the transactions of the checkpoint it restores once more;
        // one committed
        // before the TaskManager went down answers "producer fenced", which the connector logs as
        // an error that "most
        // likely signals data loss". Whether anything is lost or doubled is what this test checks.
        try (AutoCloseable fenced =
                ExpectedFailureFilter.hiding(
                        "org.apache.flink.connector.kafka.sink", ProducerFencedException.class)) {
            Map<String, List<String>> live = runLive("det-failover", cluster);
            assertSameAsReplay(live);
            assertNoticesNameTheirSubjectsRecords(live);
        }
    }

    /**
     * Runs the live job on the backlog until it has published the replay's count (see awaitOutput),
     * then cancels.
     */
    private static Map<String, List<String>> runLive(String name, MiniCluster cluster)
            throws Exception {
        Map<String, Map<Integer, Long>> before = endOffsets();
        JobClient job = start(config(name));
        try {
            return awaitOutput(before, job, cluster);
        } finally {
            job.cancel().get();
        }
    }

    /**
     * No late dead letter; per topic nothing missing, extra or different once pseudonyms are
     * blanked; and the same records share a pseudonym (key, subject, device, session, event id, the
     * subjects of erasure notices) as in the replay. The first differences are shown.
     */
    private static void assertSameAsReplay(Map<String, List<String>> live) {
        assertThat(live.get(DLQ))
                .as("late dead letters")
                .noneMatch(dl -> dl.contains("late_event"));
        RunComparison.Result r =
                RunComparison.compare(
                        RunComparison.multisets(replay), RunComparison.multisets(live));
        String why = "replay (a) against the live run (b):\n" + r.describe();
        for (String t : OUTPUTS) {
            RunComparison.TopicDiff d = r.topic(t);
            assertThat(List.of(d.inB(), d.lost(), d.duplicated(), d.differing()))
                    .as("%s: records, lost, duplicated, differing; %s", t, why)
                    .containsExactly((long) replay.get(t).size(), 0L, 0L, 0L);
        }
        assertThat(r.linkage()).as(why).isEqualTo(RunComparison.Linkage.IDENTICAL);
        assertThat(r.identical()).isTrue();
    }

    private static JobClient start(JobConfig config) throws Exception {
        StreamExecutionEnvironment env = env(config);
        AnonymisationTopology.build(
                env,
                config,
                shippedRules(),
                AnonymisationTopology.logSource(config, shippedRules(), false),
                AnonymisationTopology.consentSource(config, shippedRules(), false),
                AnonymisationTopology.sink(config));
        JobClient job = env.executeAsync(config.groupId);
        return job;
    }

    /**
     * Waits until the live job has published as many records as the replay and then for two more
     * checkpoints (nothing more may come), failing after two minutes. With a cluster given, its
     * TaskManager is killed and a new one started once a third of the records are out.
     */
    private static Map<String, List<String>> awaitOutput(
            Map<String, Map<Integer, Long>> before, JobClient job, MiniCluster cluster)
            throws Exception {
        long expected = count(replay);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        boolean killed = cluster == null;
        while (true) {
            long published = 0;
            for (String t : OUTPUTS) {
                Map<Integer, Long> end = kafka.endOffsets(t);
                for (Map.Entry<Integer, Long> e : end.entrySet()) {
                    published += e.getValue() - before.get(t).get(e.getKey());
                }
            }
            if (!killed && published > expected / 3) {
                cluster.terminateTaskManager(0).get();
                cluster.startTaskManager();
                killed = true;
            }
            // End offsets count transaction markers too, so they only say when to look; the records
            // decide.
            if (published >= expected && count(outputSince(before)) >= expected) {
                break;
            }
            assertThat(System.nanoTime())
                    .as("live output within two minutes; job %s", job.getJobStatus().get())
                    .isLessThan(deadline);
            assertThat(job.getJobStatus().get()).isNotIn(JobStatus.FAILED, JobStatus.CANCELED);
            Thread.sleep(500);
        }
        Thread.sleep(1_500);
        return outputSince(before);
    }
}
