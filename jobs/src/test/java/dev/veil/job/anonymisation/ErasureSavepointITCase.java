package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.consent.ConsentHistory;
import dev.veil.job.RulesText;
import dev.veil.job.operators.ConsentGate;
import dev.veil.job.records.LogEvent;
import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.Json;
import dev.veil.record.Slots;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.contrib.streaming.state.EmbeddedRocksDBStateBackend;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crypto-shredding end to end: the anonymisation job on a MiniCluster against a real Kafka broker
 * publishes a subject's records, the subject is erased, the job publishes the erasure notice, and a
 * savepoint taken afterwards, read through the State Processor API and byte by byte, holds nothing
 * of the subject: no state entry under its key, and neither its secret nor its key anywhere in the
 * savepoint's files.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ErasureSavepointITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    private static final String P = "erasure-it";
    private static final String ERASED = "erased-subject@example.com";
    private static final String KEPT = "kept-subject@example.com";

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaTestCluster.start();
        Files.writeString(tmp.resolve("key"), TEST_KEY_BASE64);
        kafka.createTopics(
                2,
                List.of(
                        P + ".raw.device",
                        P + ".raw.location",
                        P + ".raw.service",
                        P + ".raw.consent",
                        P + ".dead-letter",
                        P + ".erasure",
                        P + ".anon.device",
                        P + ".anon.location",
                        P + ".anon.service"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static String subjectKey(String userId) throws Exception {
        return new Pseudonymiser(testKey())
                .pseudonymiseCompact(IdNormaliser.normalise(userId, IdKind.CASE_INSENSITIVE, null));
    }

    private static String consent(String user, Instant at, String action) {
        return "{\"user_id\":\""
                + user
                + "\",\"effective_time\":\""
                + at
                + "\",\"action\":\""
                + action
                + "\",\"policy_version\":\"2026-11\""
                + (action.equals("grant") ? ",\"purposes\":[\"analytics\"]" : "")
                + "}";
    }

    private static String service(String user, Instant at) {
        return "{\"event_id\":\"ev-"
                + user
                + "-"
                + at
                + "\",\"user_id\":\""
                + user
                + "\",\"session_id\":\"s-"
                + user
                + "\",\"event_time\":\""
                + at
                + "\",\"action\":\"view\"}";
    }

    @Test
    void aSavepointAfterTheErasure_holdsNothingOfTheSubject() throws Exception {
        Instant now = Instant.now();
        Instant granted = now.minusSeconds(120);
        Instant event = now.minusSeconds(90);
        kafka.produce(
                List.of(
                        new Raw(P + ".raw.consent", ERASED, consent(ERASED, granted, "grant")),
                        new Raw(P + ".raw.consent", KEPT, consent(KEPT, granted, "grant")),
                        new Raw(P + ".raw.service", ERASED, service(ERASED, event)),
                        new Raw(P + ".raw.service", KEPT, service(KEPT, event))));
        JobConfig config =
                JobYaml.of(
                                P,
                                kafka.bootstrapServers(),
                                P,
                                tmp.resolve("key"),
                                tmp.resolve("checkpoints"))
                        .set("topics", "erasure", P + ".erasure")
                        .set("time", "max_out_of_orderness", "PT2S")
                        .set("time", "source_idleness", "PT1S")
                        .set("consent", "max_delivery_delay", "PT1S")
                        .set("flink", "execution.checkpointing.interval", "300ms")
                        .load();
        RulesText rules =
                new RulesText(
                        "rules.yaml",
                        Files.readString(RULES)
                                .replace("topic: veil.anon.", "topic: " + P + ".anon."));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(2);
        AnonymisationTopology.build(
                env,
                config,
                rules,
                AnonymisationTopology.logSource(config, rules, false),
                AnonymisationTopology.consentSource(config, rules, false),
                AnonymisationTopology.sink(config));
        JobClient job = env.executeAsync(P);
        String before;
        String after;
        List<ConsumerRecord<byte[], byte[]>> notices;
        List<ConsumerRecord<byte[], byte[]>> published;
        try {
            published = await(job, P + ".anon.service", 2);
            before = savepoint(job, false);
            // erased after its record, effective now: the notice comes once both watermarks
            // have passed it
            kafka.produce(
                    List.of(
                            new Raw(
                                    P + ".raw.consent",
                                    ERASED,
                                    consent(ERASED, Instant.now(), "erase"))));
            notices = await(job, P + ".erasure", 1);
            after = savepoint(job, true);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }

        String erasedKey = subjectKey(ERASED);
        Map<String, Entry> stateBefore = read(before);
        Map<String, Entry> stateAfter = read(after);
        assertThat(stateBefore).containsKeys(erasedKey, subjectKey(KEPT));
        byte[] secret = stateBefore.get(erasedKey).secret;
        assertThat(secret).as("a secret made for the published record").isNotNull();

        // the notice names the pseudonym of one of the two published records: the erased one's
        JsonNode notice = Json.MAPPER.readTree(notices.get(0).value());
        List<String> listed = new ArrayList<>();
        notice.get("pseudonyms").forEach(p -> listed.add(p.get("subject").asText()));
        List<String> subjects = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : published) {
            subjects.add(Json.MAPPER.readTree(r.value()).get("subject").asText());
        }
        List<String> named = new ArrayList<>(subjects);
        named.retainAll(listed);
        assertThat(named).as("published %s, listed %s", subjects, listed).hasSize(1);
        String erasedPseudonym = named.get(0);

        assertThat(stateAfter)
                .as("the erased subject has no state entry; the other subject still has")
                .doesNotContainKey(erasedKey)
                .containsKey(subjectKey(KEPT));
        byte[] keyBytes = erasedKey.getBytes(StandardCharsets.UTF_8);
        byte[] hexOfSecret = Slots.hex(secret).getBytes(StandardCharsets.US_ASCII);
        byte[] pseudonym = erasedPseudonym.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(Path.of(URI.create(after)))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                assertThat(indexOf(bytes, secret)).as("the secret in %s", f).isNegative();
                assertThat(indexOf(bytes, hexOfSecret))
                        .as("the secret in hex in %s", f)
                        .isNegative();
                assertThat(indexOf(bytes, keyBytes)).as("the subject key in %s", f).isNegative();
                assertThat(indexOf(bytes, pseudonym)).as("the pseudonym in %s", f).isNegative();
            }
        }
        assertThat(indexOf(Files.readAllBytes(firstFileWith(before, keyBytes)), keyBytes))
                .as("the byte search finds the key in the savepoint before the erasure")
                .isNotNegative();
    }

    /** One subject's gate state: its key and the secret of its base generation. */
    static final class Entry {
        String key;
        byte[] secret;
        int waiting;
    }

    /** Reads the gate's keyed state of a savepoint with the State Processor API. */
    static Map<String, Entry> read(String savepoint) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        SavepointReader reader =
                SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
        Map<String, Entry> out = new HashMap<>();
        try (CloseableIterator<String> it =
                reader.readKeyedState(
                                OperatorIdentifier.forUid(Uids.CONSENT_GATE), new GateReader())
                        .executeAndCollect()) {
            while (it.hasNext()) {
                String[] line = it.next().split(" ", -1);
                Entry e = new Entry();
                e.key = line[0];
                e.secret = line[1].isEmpty() ? null : HexFormat.of().parseHex(line[1]);
                e.waiting = Integer.parseInt(line[2]);
                out.put(e.key, e);
            }
        }
        return out;
    }

    /** "key secret-hex waiting-count" per subject with a consent state entry. */
    static final class GateReader extends KeyedStateReaderFunction<String, String> {
        private transient ValueState<ConsentHistory> gate;
        private transient ListState<LogEvent> waiting;

        @Override
        public void open(OpenContext context) {
            gate = getRuntimeContext().getState(ConsentGate.gateDescriptor());
            waiting = getRuntimeContext().getListState(ConsentGate.waitingDescriptor());
        }

        @Override
        public void readKey(String key, Context ctx, Collector<String> out) throws Exception {
            ConsentHistory h = gate.value();
            int n = 0;
            for (LogEvent ignored : waiting.get()) {
                n++;
            }
            byte[] s = h == null ? null : h.generations()[0].secret;
            out.collect(key + " " + (s == null ? "" : Slots.hex(s)) + " " + n);
        }
    }

    private static String savepoint(JobClient job, boolean stop) throws Exception {
        String dir = tmp.resolve("savepoints").toUri().toString();
        return (stop
                        ? job.stopWithSavepoint(false, dir, SavepointFormatType.CANONICAL)
                        : job.triggerSavepoint(dir, SavepointFormatType.CANONICAL))
                .get(60, TimeUnit.SECONDS);
    }

    private static List<ConsumerRecord<byte[], byte[]>> await(JobClient job, String topic, int n)
            throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        List<ConsumerRecord<byte[], byte[]>> got;
        while ((got = kafka.readCommitted(topic)).size() < n) {
            JobStatus status = job.getJobStatus().get();
            assertThat(status).isNotIn(JobStatus.FAILED, JobStatus.CANCELED);
            assertThat(System.nanoTime())
                    .as("%d records on %s within 150 s", n, topic)
                    .isLessThan(deadline);
            Thread.sleep(300);
        }
        return got;
    }

    private static Path firstFileWith(String savepoint, byte[] needle) throws Exception {
        try (Stream<Path> files = Files.walk(Path.of(URI.create(savepoint)))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (indexOf(Files.readAllBytes(f), needle) >= 0) {
                    return f;
                }
            }
        }
        throw new AssertionError("no file of " + savepoint + " holds the subject key");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
