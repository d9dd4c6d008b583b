package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.job.RulesText;
import dev.veil.job.records.OutRecord;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.record.Json;
import dev.veil.record.RunComparison;
import dev.veil.testing.ExpectedFailureFilter;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.ListSerializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.FlinkExpectedException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole anonymisation job on a Flink MiniCluster (parallelism 2, RocksDB, checkpoints,
 * exactly-once Kafka sink) against a real in-JVM Kafka broker, shaped like the Kafka connector's
 * {@code KafkaSinkITCase}.
 *
 * <p>The bounded job runs once for the class ({@link #runTheJobOnce}): raw topics in, every output
 * topic read once (read_committed); each test then asserts one thing about that output: exact
 * anonymised records, dead letters, record keys, erasure notices, and no raw identifier anywhere.
 * Subject-scoped pseudonyms come from each subject's random secret, so the expected records carry
 * stand-ins ({@link #p}) and are compared with the output up to a consistent renaming ({@link
 * RunComparison}): the same records, and the same ones sharing a pseudonym. Two tests run a job of
 * their own on topics of their own: a recovery test (an operator fails once, after a checkpoint
 * that covered some of its output completed, so that the sink's transaction of that checkpoint is
 * committed, or committed again on recovery; the exactly-once output is still exact) and a
 * savepoint test that pins every operator uid, state name and state class a restore depends on.
 */
// A stuck job fails the test instead of hanging the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AnonymisationJobITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    static final String DEVICE = "it.raw.device";
    static final String LOCATION = "it.raw.location";
    static final String SERVICE = "it.raw.service";
    static final String CONSENT = "it.raw.consent";
    static final String DLQ = "it.dead-letter";
    static final String ERASURE = "it.erasure";
    static final List<String> ANONYMISED =
            List.of("veil.anon.device", "veil.anon.location", "veil.anon.service");
    static final List<String> OUTPUTS =
            List.of("veil.anon.device", "veil.anon.location", "veil.anon.service", DLQ, ERASURE);

    /** The key epoch of 2026-11-28 (30-day epochs from 2026-01-01, the default). */
    static final int EPOCH = 11;

    static final String URL = ",\"url\":\"https://example.org/page\"";
    static final String ALL_PURPOSES =
            ",\"purposes\":[\"analytics\",\"product_improvement\",\"location\"]";

    /** Every committed record of each output topic of the bounded run, read once. */
    static Map<String, List<ConsumerRecord<byte[], byte[]>>> committed;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void runTheJobOnce() throws Exception {
        kafka = KafkaTestCluster.start();
        Path keyFile = tmp.resolve("key");
        Files.writeString(keyFile, TEST_KEY_BASE64);
        kafka.createTopics(
                3,
                List.of(
                        DEVICE,
                        LOCATION,
                        SERVICE,
                        CONSENT,
                        DLQ,
                        ERASURE,
                        "veil.anon.device",
                        "veil.anon.location",
                        "veil.anon.service"));
        kafka.produce(input());

        JobConfig config = jobConfig(keyFile, tmp.resolve("checkpoints"));
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
        env.execute("veil-it");

        committed = new HashMap<>();
        for (String t : OUTPUTS) {
            committed.put(t, kafka.readCommitted(t));
        }
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * A stand-in for the pseudonym of {@code id} in expected records: 64 hex like a pseudonym, the
     * same for the same id, so that the comparison up to renaming checks which records share it.
     */
    static String p(String id) {
        return DigestUtils.sha256Hex("stand-in " + id);
    }

    /** A global-scope pseudonym (peer fields), deterministic: the exact value the job writes. */
    static String global(String normalisedId) {
        return new PseudonymKeys(testKey()).global(EPOCH, normalisedId);
    }

    static JobConfig jobConfig(Path keyFile, Path checkpoints) {
        return JobYaml.of("veil-it", kafka.bootstrapServers(), "it", keyFile, checkpoints)
                .set("consent", "max_pending_events_per_subject", "1000")
                .load();
    }

    static final String UA_PIXEL =
            "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/120.0.6099.144 Mobile Safari/537.36";

    static String device(String user, String time, String deviceId, String ip, int battery) {
        return "{\"event_id\":\"ev-d-"
                + user.strip()
                + "-"
                + time
                + "\",\"user_id\":\""
                + user
                + "\",\"device_id\":\""
                + deviceId
                + "\",\"event_time\":\""
                + time
                + "\",\"device_model\":\"Pixel 7\",\"os_name\":\"Android\","
                + "\"os_version\":\"14\",\"app_version\":\"5.2.0\",\"user_agent\":\""
                + UA_PIXEL
                + "\",\"ip\":\""
                + ip
                + "\",\"battery_pct\":"
                + battery
                + ",\"signal_dbm\":-87,\"network_type\":\"4g\","
                + "\"extra_field\":\"x\"}";
    }

    static String location(String user, String time, String lat, String lon) {
        return "{\"event_id\":\"ev-l-"
                + user
                + "-"
                + time
                + "\",\"user_id\":\""
                + user
                + "\","
                + "\"device_id\":\"356938035643809\","
                + "\"event_time\":\""
                + time
                + "\",\"lat\":"
                + lat
                + ",\"lon\":"
                + lon
                + ",\"accuracy_m\":12.5,"
                + "\"source\":\"wifi\",\"wifi_bssid\":\"00:1a:2b:3c:4d:5e\",\"ip\":\"198.51.100.23\"}";
    }

    static String service(String user, String time, String action, String extra) {
        return "{\"event_id\":\"ev-s-"
                + user
                + "-"
                + time
                + "\",\"user_id\":\""
                + user
                + "\",\"session_id\":\"sess-"
                + user
                + "\",\"event_time\":\""
                + time
                + "\",\"action\":\""
                + action
                + "\""
                + extra
                + "}";
    }

    static String consent(String user, String time, String action, String more) {
        return "{\"user_id\":\""
                + user
                + "\",\"effective_time\":\""
                + time
                + "\",\"action\":\""
                + action
                + "\",\"policy_version\":\"2026-09\""
                + more
                + "}";
    }

    /** The bounded run's input, in the order it is produced. */
    static List<Raw> input() {
        String all = ALL_PURPOSES;
        String t0800 = "2026-11-28T08:00:00Z";
        List<Raw> in = new ArrayList<>();
        // Consent. dave's revocation is produced after the event it governs (out-of-order arrival).
        in.add(new Raw(CONSENT, "alice-01", consent("alice-01", t0800, "grant", all)));
        in.add(new Raw(CONSENT, "carol", consent("carol", t0800, "age_status", ",\"minor\":true")));
        in.add(new Raw(CONSENT, "carol", consent("carol", t0800, "grant", all)));
        in.add(new Raw(CONSENT, "frank", consent("frank", t0800, "age_status", ",\"minor\":true")));
        in.add(
                new Raw(
                        CONSENT,
                        "frank",
                        consent("frank", t0800, "grant", all + ",\"guardian_consent\":true")));
        in.add(
                new Raw(
                        CONSENT,
                        "dave",
                        consent("dave", t0800, "grant", ",\"purposes\":[\"analytics\"]")));
        in.add(
                new Raw(
                        CONSENT,
                        "erin",
                        consent("erin", t0800, "grant", ",\"purposes\":[\"analytics\"]")));
        in.add(new Raw(CONSENT, "erin", consent("erin", "2026-11-28T09:00:00Z", "erase", "")));
        in.add(new Raw(CONSENT, "x", "{\"user_id\":\"x\",\"action\":\"grant\"}"));

        // Device: alice (note the other spelling of her id), bob without consent, carol minor
        // without guardian,
        // frank minor with guardian; malformed records.
        in.add(
                new Raw(
                        DEVICE,
                        "bob",
                        device("bob", "2026-11-28T09:10:00Z", "bob-phone-1", "192.0.2.10", 80)));
        in.add(
                new Raw(
                        DEVICE,
                        "carol",
                        device("carol", "2026-11-28T09:11:00Z", "carol-phone", "192.0.2.11", 60)));
        in.add(
                new Raw(
                        DEVICE,
                        "frank",
                        device("frank", "2026-11-28T09:12:00Z", "frank-tablet", "192.0.2.12", 55)));
        in.add(
                new Raw(
                        DEVICE,
                        "alice-01",
                        device(
                                " ALICE-01 ",
                                "2026-11-28T09:15:30.123Z",
                                "356938035643809",
                                "203.0.113.77",
                                47)));
        in.add(new Raw(DEVICE, "alice-01", "{not json"));
        in.add(
                new Raw(
                        DEVICE,
                        "alice-01",
                        device(
                                "alice-01",
                                "2026-11-28T09:16:00Z",
                                "356938035643809",
                                "203.0.113.77",
                                150)));
        in.add(
                new Raw(
                        DEVICE,
                        "alice-01",
                        device(
                                "alice-01",
                                "2026-11-28T09:40:00Z",
                                "356938035643809",
                                "999.1.2.3",
                                40)));

        // Location: alice valid, alice out of range, frank (minor: never published by config).
        in.add(
                new Raw(
                        LOCATION,
                        "alice-01",
                        location(
                                "alice-01",
                                "2026-11-28T09:20:00Z",
                                "37.7752702151959",
                                "-122.418307270836")));
        in.add(
                new Raw(
                        LOCATION,
                        "alice-01",
                        location("alice-01", "2026-11-28T09:21:00Z", "95.5", "-8.62673")));
        in.add(
                new Raw(
                        LOCATION,
                        "frank",
                        location("frank", "2026-11-28T09:22:00Z", "52.66353", "-8.62673")));

        // Service: dave before/after revocation, erin before/after erasure, alice search with phone
        // peer.
        in.add(
                new Raw(
                        SERVICE,
                        "erin",
                        service(
                                "erin",
                                "2026-11-28T08:30:00Z",
                                "view",
                                ",\"url\":\"https://news.example.org/a?id=erin\"")));
        in.add(
                new Raw(
                        SERVICE,
                        "alice-01",
                        service(
                                "alice-01",
                                "2026-11-28T09:25:00Z",
                                "call",
                                ",\"peer_phone\":\"087 123 4567\",\"duration_ms\":63500,\"ip\":\"[2001:db8:85a3::8a2e:370:7334]:443\","
                                        + "\"query\":\"alice private words\"")));
        in.add(
                new Raw(
                        SERVICE,
                        "dave",
                        service(
                                "dave",
                                "2026-11-28T09:30:00Z",
                                "search",
                                ",\"query\":\"dave secret search\"")));
        in.add(
                new Raw(
                        SERVICE,
                        "erin",
                        service(
                                "erin",
                                "2026-11-28T09:30:00Z",
                                "view",
                                ",\"url\":\"https://news.example.org/b\"")));
        in.add(
                new Raw(
                        SERVICE,
                        "dave",
                        service(
                                "dave",
                                "2026-11-28T10:30:00Z",
                                "search",
                                ",\"query\":\"after revoke\"")));
        in.add(new Raw(SERVICE, "dave", service("dave", "2026-11-28T10:31:00Z", "teleport", "")));
        in.add(
                new Raw(
                        CONSENT,
                        "dave",
                        consent(
                                "dave",
                                "2026-11-28T10:00:00Z",
                                "revoke",
                                ",\"purposes\":[\"analytics\"]")));
        return in;
    }

    /** The values of a topic's committed records, as JSON. */
    static List<JsonNode> values(String topic) throws Exception {
        List<JsonNode> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : committed.get(topic)) {
            values.add(Json.MAPPER.readTree(r.value()));
        }
        return values;
    }

    /** The committed records of {@code topics}: key and value as JSON with sorted fields. */
    static Map<String, List<String>> output(List<String> topics) throws Exception {
        Map<String, List<String>> out = new TreeMap<>();
        for (String t : topics) {
            List<String> records = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : committed.get(t)) {
                records.add(sorted(Json.MAPPER.readTree(RunComparison.keyed(r.key(), r.value()))));
            }
            out.put(t, records);
        }
        return out;
    }

    /** An expected record: its key and its value, as JSON with sorted fields. */
    static String record(String key, JsonNode value) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("key", key);
        n.set("value", value);
        return sorted(n);
    }

    /** The JSON text with every object's fields in name order: field order is not compared. */
    static String sorted(JsonNode n) {
        return sortedNode(n).toString();
    }

    private static JsonNode sortedNode(JsonNode n) {
        if (n.isObject()) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            Set<String> names = new TreeSet<>();
            n.fieldNames().forEachRemaining(names::add);
            names.forEach(f -> o.set(f, sortedNode(n.get(f))));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            n.forEach(e -> a.add(sortedNode(e)));
            return a;
        }
        return n;
    }

    /**
     * Asserts that {@code topics} of the output hold exactly the expected records up to a
     * consistent renaming of pseudonyms: the same records once pseudonyms are blanked, and the same
     * records sharing a pseudonym (stand-ins in the expected ones, the job's in the output).
     */
    static void assertOutputUpToRenaming(List<String> topics) throws Exception {
        Map<String, List<String>> expected = new TreeMap<>(expected());
        expected.keySet().retainAll(topics);
        RunComparison.Result r =
                RunComparison.compare(
                        RunComparison.multisets(expected), RunComparison.multisets(output(topics)));
        assertThat(r.identical())
                .as("expected records (a) against the output (b):%n%s", r.describe())
                .isTrue();
    }

    static ObjectNode json(String text) throws Exception {
        return (ObjectNode) Json.MAPPER.readTree(text);
    }

    /** What every anonymised record of 2026-11-28 ends with: versions and key epoch. */
    static ObjectNode stamped(ObjectNode n) {
        return n.put("rules_version", "2026-11-29.1")
                .put("key_epoch", EPOCH)
                .put("policy_version", "2026-09");
    }

    /** alice's first device record in full; the other device records are edits of it. */
    static ObjectNode aliceDevice() throws Exception {
        return stamped(
                json(
                        "{"
                                + "\"event_id\":\""
                                + p("ev-d-ALICE-01-2026-11-28T09:15:30.123Z")
                                + "\","
                                + "\"subject\":\""
                                + p("alice-01")
                                + "\","
                                + "\"device\":\""
                                + p("356938035643809")
                                + "\","
                                + "\"event_time\":\"2026-11-28T09:00:00Z\","
                                + "\"device_model\":\"Pixel 7\",\"os_name\":\"Android\",\"os_version\":\"14\","
                                + "\"app_version\":\"5.2.0\","
                                + "\"user_agent\":{\"browser_family\":\"Chrome Mobile\",\"browser_major\":\"120\","
                                + "\"os_family\":\"Android\","
                                + "\"device_family\":\"Pixel 7\"},"
                                + "\"ip_prefix\":\"203.0.113.0/24\",\"battery_pct\":40,\"signal_dbm\":-90,\"network_type\":\"4g\"}"));
    }

    /**
     * Every record the bounded run must publish to the anonymised and erasure topics, keyed,
     * pseudonyms as stand-ins.
     */
    static Map<String, List<String>> expected() throws Exception {
        Map<String, List<String>> m = new TreeMap<>();
        // device: alice (full record), alice without an invalid ip, frank as a minor (ip_prefix
        // and device removed); nothing else
        ObjectNode aliceDevice = aliceDevice();
        ObjectNode aliceDevice2 = aliceDevice.deepCopy();
        aliceDevice2.put("event_id", p("ev-d-alice-01-2026-11-28T09:40:00Z"));
        aliceDevice2.remove("ip_prefix");
        ObjectNode frankDevice = aliceDevice.deepCopy();
        frankDevice.put("event_id", p("ev-d-frank-2026-11-28T09:12:00Z"));
        frankDevice.put("subject", p("frank"));
        frankDevice.put("battery_pct", 50);
        frankDevice.remove("ip_prefix");
        frankDevice.remove("device");
        m.put(
                "veil.anon.device",
                List.of(
                        record(p("alice-01"), aliceDevice),
                        record(p("alice-01"), aliceDevice2),
                        record(p("frank"), frankDevice)));

        // location: alice's valid fix with its cell (known H3 answer), her invalid fix without;
        // frank is a minor (never published by config)
        ObjectNode aliceLocation =
                stamped(
                        json(
                                "{"
                                        + "\"event_id\":\""
                                        + p("ev-l-alice-01-2026-11-28T09:20:00Z")
                                        + "\","
                                        + "\"subject\":\""
                                        + p("alice-01")
                                        + "\",\"event_time\":\"2026-11-28T09:20:00Z\","
                                        + "\"h3_cell\":\"8928308280fffff\",\"accuracy_m\":0,\"source\":\"wifi\"}"));
        ObjectNode aliceLocation2 = aliceLocation.deepCopy();
        aliceLocation2.put("event_id", p("ev-l-alice-01-2026-11-28T09:21:00Z"));
        aliceLocation2.remove("h3_cell");
        m.put(
                "veil.anon.location",
                List.of(
                        record(p("alice-01"), aliceLocation),
                        record(p("alice-01"), aliceLocation2)));

        // service: alice's call (query dropped, the peer phone a global pseudonym), dave's search
        // before his revocation, erin's view before her erasure
        ObjectNode aliceCall =
                stamped(
                        json(
                                "{"
                                        + "\"event_id\":\""
                                        + p("ev-s-alice-01-2026-11-28T09:25:00Z")
                                        + "\","
                                        + "\"subject\":\""
                                        + p("alice-01")
                                        + "\",\"session\":\""
                                        + p("sess-alice-01")
                                        + "\","
                                        + "\"event_time\":\"2026-11-28T09:25:00Z\",\"action\":\"call\",\"duration_ms\":63000,"
                                        + "\"peer_phone\":\""
                                        + global("+353871234567")
                                        + "\",\"ip_prefix\":\"2001:db8::/32\"}"));
        ObjectNode daveSearch =
                stamped(
                        json(
                                "{\"event_id\":\""
                                        + p("ev-s-dave-2026-11-28T09:30:00Z")
                                        + "\",\"subject\":\""
                                        + p("dave")
                                        + "\",\"session\":\""
                                        + p("sess-dave")
                                        + "\",\"event_time\":\"2026-11-28T09:30:00Z\",\"action\":\"search\"}"));
        ObjectNode erinView =
                stamped(
                        json(
                                "{\"event_id\":\""
                                        + p("ev-s-erin-2026-11-28T08:30:00Z")
                                        + "\",\"subject\":\""
                                        + p("erin")
                                        + "\",\"session\":\""
                                        + p("sess-erin")
                                        + "\",\"event_time\":\"2026-11-28T08:30:00Z\",\"action\":\"view\","
                                        + "\"url_host\":\"https://news.example.org\"}"));
        m.put(
                "veil.anon.service",
                List.of(
                        record(p("alice-01"), aliceCall),
                        record(p("dave"), daveSearch),
                        record(p("erin"), erinView)));

        // erin's erasure (09:00, after her 08:30 view): one notice, no key, her subject
        // pseudonym of the one epoch she had records in
        m.put(
                ERASURE,
                List.of(
                        record(
                                null,
                                json(
                                        "{\"erasure_time\":\"2026-11-28T09:00:00Z\",\"pseudonyms\":"
                                                + "[{\"key_epoch\":11,\"subject\":\""
                                                + p("erin")
                                                + "\"}]}"))));
        return m;
    }

    @Test
    void device_aliceInFull_aliceWithoutAnInvalidIp_frankAsAMinor_nothingElse() throws Exception {
        assertOutputUpToRenaming(List.of("veil.anon.device"));
    }

    @Test
    void location_aliceValidFixWithItsCell_aliceInvalidFixWithoutACell_minorNever()
            throws Exception {
        assertOutputUpToRenaming(List.of("veil.anon.location"));
    }

    @Test
    void service_alicesCall_daveBeforeRevocation_erinBeforeErasure() throws Exception {
        assertOutputUpToRenaming(List.of("veil.anon.service"));
        // a global pseudonym is the same in every run: pinned to its value, not up to renaming
        assertThat(values("veil.anon.service"))
                .filteredOn(n -> n.has("peer_phone"))
                .extracting(n -> n.get("peer_phone").asText())
                .containsExactly(global("+353871234567"));
    }

    /**
     * erin's erasure comes after her 08:30 view was published: one notice, listing the subject
     * pseudonym of that record.
     */
    @Test
    void erasure_oneNoticeForErin_listingTheSubjectPseudonymOfHerPublishedRecord()
            throws Exception {
        assertOutputUpToRenaming(List.of(ERASURE));
        JsonNode notice = values(ERASURE).get(0);
        String erin =
                values("veil.anon.service").stream()
                        .filter(n -> n.get("event_time").asText().equals("2026-11-28T08:30:00Z"))
                        .findFirst()
                        .orElseThrow()
                        .get("subject")
                        .asText();
        assertThat(notice.at("/pseudonyms/0/subject").asText()).isEqualTo(erin);
        assertThat(committed.get(ERASURE).get(0).key()).as("a notice has no key").isNull();
    }

    /**
     * One subject's records carry one subject pseudonym across every output (one key epoch, no
     * erasure in between), each subject its own, and erin's erasure notice names hers: the whole
     * output against the expected records at once, up to renaming.
     */
    @Test
    void subjectPseudonyms_linkEachSubjectsRecordsAcrossOutputsAndNotices() throws Exception {
        List<String> all = new ArrayList<>(ANONYMISED);
        all.add(ERASURE);
        assertOutputUpToRenaming(all);
    }

    @Test
    void deadLetters_onePerBadRecord_withReasonSourcePositionAndDetail_neverAPayload()
            throws Exception {
        List<JsonNode> deadLetters = values(DLQ);
        assertThat(deadLetters)
                .extracting(n -> n.get("source_topic").asText() + " " + n.get("reason").asText())
                .containsExactlyInAnyOrder(
                        CONSENT + " schema_violation",
                        DEVICE + " malformed_json",
                        DEVICE + " schema_violation",
                        DEVICE + " invalid_value",
                        LOCATION + " invalid_value",
                        SERVICE + " schema_violation");
        for (JsonNode dl : deadLetters) {
            assertThat(dl.get("source_offset").asLong()).isNotNegative();
            assertThat(dl.get("source_partition").asInt()).isBetween(0, 2);
            assertThat(dl.get("detail").asText()).isNotBlank();
        }
        assertThat(deadLetters)
                .filteredOn(n -> n.get("reason").asText().equals("invalid_value"))
                .extracting(n -> n.get("detail").asText())
                .containsExactlyInAnyOrder(
                        "left out of output 'device': ip_prefix (generalise_ip: invalid_ip)",
                        "left out of output 'location': h3_cell (generalise_location: invalid_coordinates)");
    }

    @Test
    void recordKeys_areTheSubject() throws Exception {
        for (String t : List.of("veil.anon.device", "veil.anon.location", "veil.anon.service")) {
            assertThat(committed.get(t)).as("records of %s", t).isNotEmpty();
            for (ConsumerRecord<byte[], byte[]> r : committed.get(t)) {
                assertThat(new String(r.key(), StandardCharsets.UTF_8))
                        .as("key of a record of %s", t)
                        .isEqualTo(Json.MAPPER.readTree(r.value()).get("subject").asText());
            }
        }
    }

    @Test
    void noRawIdentifier_inAnyByteOfAnyOutputTopic() {
        Set<String> raw =
                Set.of(
                        "alice-01",
                        "ALICE-01",
                        "bob",
                        "carol",
                        "dave",
                        "erin",
                        "frank",
                        "356938035643809",
                        "bob-phone-1",
                        "carol-phone",
                        "frank-tablet",
                        "203.0.113.77",
                        "192.0.2.10",
                        "192.0.2.11",
                        "192.0.2.12",
                        "198.51.100.23",
                        "2001:db8:85a3::8a2e:370:7334",
                        "8a2e",
                        "37.7752702151959",
                        "-122.418307270836",
                        "52.66353",
                        "-8.62673",
                        "95.5",
                        "00:1a:2b:3c:4d:5e",
                        "087 123 4567",
                        "+353871234567",
                        "sess-",
                        "ev-d-",
                        "ev-l-",
                        "ev-s-",
                        "secret search",
                        "private words",
                        "after revoke",
                        "999.1.2.3",
                        "id=erin",
                        "/a?",
                        "not json");
        for (String t : OUTPUTS) {
            assertThat(committed.get(t)).as("records of %s", t).isNotEmpty();
            for (ConsumerRecord<byte[], byte[]> r : committed.get(t)) {
                String text =
                        new String(r.value(), StandardCharsets.UTF_8)
                                + (r.key() == null
                                        ? ""
                                        : new String(r.key(), StandardCharsets.UTF_8));
                for (String value : raw) {
                    assertThat(text)
                            .as("topic %s must not contain raw value %s", t, value)
                            .doesNotContain(value);
                }
            }
        }
    }

    // ---- recovery
    // ---------------------------------------------------------------------------------------------------

    /**
     * The production topology, live, with an operator in front of the sink that throws once, after
     * a checkpoint that covered some of its records has completed (so the sink had committed
     * output). Service events of 20 consenting subjects are produced in batches until it has failed
     * and then for a second more; the job restarts from the checkpoint. Every event must be
     * published exactly once: nothing lost, no duplicate, no dead letter.
     */
    @Test
    void operatorFailsOnceAfterACommittedCheckpoint_exactlyOnceOutputIsStillExact()
            throws Exception {
        // After the restart the committer commits the restored checkpoint's transactions again; one
        // that was already
        // committed answers "producer fenced", which the connector logs as an error that "most
        // likely signals data
        // loss" (FLINK-8086 explains the case). Whether anything is lost or doubled is what this
        // test checks.
        try (AutoCloseable fenced =
                ExpectedFailureFilter.hiding(
                        "org.apache.flink.connector.kafka.sink", ProducerFencedException.class)) {
            failOnceAfterACommittedCheckpoint();
        }
    }

    private void failOnceAfterACommittedCheckpoint() throws Exception {
        Topics topics = Topics.fresh("recovery");
        List<Raw> grants = new ArrayList<>();
        Instant grantTime = Instant.now().minusSeconds(60);
        for (int s = 0; s < 20; s++) {
            String user = "subject-" + s;
            grants.add(
                    new Raw(
                            topics.consent(),
                            user,
                            consent(user, grantTime.toString(), "grant", ALL_PURPOSES)));
        }
        kafka.produce(grants);

        JobConfig config =
                topics.config()
                        .set("flink", "restart-strategy.type", "fixed-delay")
                        .set("flink", "restart-strategy.fixed-delay.attempts", "3")
                        .set("flink", "restart-strategy.fixed-delay.delay", "500ms")
                        .load();
        RulesText rules = topics.rules();
        StreamExecutionEnvironment env = environment(config);
        AnonymisationTopology.records(
                        env,
                        config,
                        rules,
                        AnonymisationTopology.logSource(config, rules, false),
                        AnonymisationTopology.consentSource(config, rules, false))
                .map(new FailOnceAfterACommittedCheckpoint())
                .uid("it-fail-once")
                .name("fail once")
                .sinkTo(AnonymisationTopology.sink(config))
                .uid(Uids.SINK)
                .name("kafka sink");
        FailOnceAfterACommittedCheckpoint.reset();
        JobClient job = env.executeAsync(config.groupId);
        List<String> expected = new ArrayList<>();
        List<String> published;
        try {
            // Event times are the wall clock: each event is decided once the consent watermark (the
            // wall clock less
            // the 1 s delivery bound) passes it, so output follows input, spread over many
            // checkpoints.
            int afterFailure = 0;
            for (int batch = 0; afterFailure < 5; batch++) {
                assertThat(batch)
                        .as(
                                "the operator failed within 150 batches (30 s); job %s",
                                job.getJobStatus().get())
                        .isLessThan(150);
                List<Raw> events = new ArrayList<>();
                Instant at = Instant.now();
                for (int i = 0; i < 40; i++) {
                    String user = "subject-" + i % 20;
                    String time = at.plusMillis(i).toString();
                    events.add(
                            new Raw(
                                    topics.service(),
                                    user,
                                    service(
                                            user,
                                            time,
                                            "view",
                                            ",\"url\":\"https://example.org/b" + batch + "\"")));
                    expected.add(keyAndEventId(p(user), p("ev-s-" + user + "-" + time)));
                }
                kafka.produce(events);
                if (FailOnceAfterACommittedCheckpoint.FAILED.get()) {
                    afterFailure++;
                }
                Thread.sleep(200);
            }
            published = awaitCommitted(job, topics.output("service"), expected.size());
        } finally {
            job.cancel().get();
        }

        assertThat(FailOnceAfterACommittedCheckpoint.FAILED.get())
                .as("the operator failed")
                .isTrue();
        assertThat(FailOnceAfterACommittedCheckpoint.COVERED_WHEN_ARMED.get())
                .as(
                        "records of the failing subtask covered by a completed checkpoint before it failed")
                .isGreaterThanOrEqualTo(FailOnceAfterACommittedCheckpoint.COVERED_RECORDS);
        // Up to renaming: each event once (its event id on one record, one copy), under its
        // subject's one pseudonym (before and after the restart: the secret is restored).
        RunComparison.Result r =
                RunComparison.compare(
                        RunComparison.multisets(Map.of("service", expected)),
                        RunComparison.multisets(Map.of("service", published)));
        assertThat(r.identical())
                .as(
                        "%d events produced (a) against the %d records published (b):%n%s",
                        expected.size(), published.size(), r.describe())
                .isTrue();
        assertThat(published).hasSameSizeAs(expected);
        assertThat(kafka.readCommitted(topics.deadLetter())).as("dead letters").isEmpty();
        assertThat(kafka.readCommitted(topics.output("device"))).isEmpty();
        assertThat(kafka.readCommitted(topics.output("location"))).isEmpty();
    }

    /**
     * Passes records through; once a checkpoint that covered at least {@link #COVERED_RECORDS} of
     * its subtask's records has completed, throws on the tenth record after that, once per test
     * (the flag is static: the restarted job's instances never throw). Like the connector's {@code
     * FailingCheckpointMapper}.
     */
    static final class FailOnceAfterACommittedCheckpoint
            extends RichMapFunction<OutRecord, OutRecord>
            implements CheckpointedFunction, CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final long COVERED_RECORDS = 20;
        static final AtomicBoolean FAILED = new AtomicBoolean();

        /** How many of the failing subtask's records the completed checkpoint covered. */
        static final AtomicLong COVERED_WHEN_ARMED = new AtomicLong();

        private transient long seen;
        private transient Map<Long, Long> seenAtCheckpoint;
        private transient long armedAt;

        static void reset() {
            FAILED.set(false);
            COVERED_WHEN_ARMED.set(0);
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
            seenAtCheckpoint = new HashMap<>();
            armedAt = -1;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            seenAtCheckpoint.put(context.getCheckpointId(), seen);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            Long covered = seenAtCheckpoint.remove(checkpointId);
            if (armedAt < 0 && covered != null && covered >= COVERED_RECORDS) {
                armedAt = seen;
                COVERED_WHEN_ARMED.compareAndSet(0, covered);
            }
        }

        @Override
        public OutRecord map(OutRecord r) throws FlinkExpectedException {
            seen++;
            if (armedAt >= 0 && seen > armedAt + 10 && FAILED.compareAndSet(false, true)) {
                throw new FlinkExpectedException(
                        "planned failure after a completed checkpoint (test)");
            }
            return r;
        }
    }

    // ---- savepoint
    // --------------------------------------------------------------------------------------------------

    /**
     * Pins what a restore from a savepoint of a running job looks up by name: every operator uid (a
     * restore maps state to operators by the hash of the uid) and every state name under it, Veil's
     * own descriptors ({@code gate}, {@code waiting-events}, {@code max-watermark}, the {@code
     * consent-gate} and {@code consent-gate-log-folds} timers) and the Kafka connector's. Written
     * as literals on purpose: renaming one in production must fail this test.
     */
    @Test
    void savepointOfTheRunningJob_holdsEveryPinnedUidAndStateName() throws Exception {
        Topics topics = Topics.fresh("savepoint");
        Instant now = Instant.now();
        kafka.produce(
                List.of(
                        new Raw(
                                topics.consent(),
                                "sp-subject",
                                consent(
                                        "sp-subject",
                                        now.minusSeconds(60).toString(),
                                        "grant",
                                        ALL_PURPOSES))));
        JobConfig config = topics.config().load();
        RulesText rules = topics.rules();
        StreamExecutionEnvironment env = environment(config);
        AnonymisationTopology.build(
                env,
                config,
                rules,
                AnonymisationTopology.logSource(config, rules, false),
                AnonymisationTopology.consentSource(config, rules, false),
                AnonymisationTopology.sink(config));
        JobClient job = env.executeAsync(config.groupId);
        String savepoint;
        try {
            // Once an event is published, every operator has run and a checkpoint has completed.
            kafka.produce(
                    List.of(
                            new Raw(
                                    topics.service(),
                                    "sp-subject",
                                    service("sp-subject", now.toString(), "view", URL))));
            awaitCommitted(job, topics.output("service"), 1);
            savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    tmp.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
        } finally {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }

        // uid -> state names, and for keyed values the classes a restore looks up by name. The
        // committer's uid is the one Flink derives from the sink's.
        Map<String, Set<String>> pinned = new TreeMap<>();
        pinned.put("veil-log-source", names("operator SourceReaderState (SPLIT_DISTRIBUTE)"));
        pinned.put("veil-consent-source", names("operator SourceReaderState (SPLIT_DISTRIBUTE)"));
        pinned.put("veil-log-dead-letters", names());
        pinned.put("veil-consent-dead-letters", names());
        pinned.put(
                "veil-consent-gate",
                names(
                        "keyed gate = dev.veil.consent.ConsentHistory by"
                                + " dev.veil.job.serialisation.ConsentHistorySerializer$Snapshot",
                        "keyed waiting-events = list of dev.veil.job.records.LogEvent by"
                                + " org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot",
                        "keyed _timer_state/event_consent-gate",
                        "keyed _timer_state/processing_consent-gate",
                        // the folds that wait for the log watermark
                        "keyed _timer_state/event_consent-gate-log-folds",
                        "keyed _timer_state/processing_consent-gate-log-folds",
                        "operator max-watermark (UNION)",
                        // rules versions published to the running job (empty without hot reload)
                        "operator published-rules (BROADCAST)"));
        pinned.put("veil-kafka-sink", names("operator writer_raw_states (SPLIT_DISTRIBUTE)"));
        // the re-identification risk of the outputs with quasi-identifiers
        pinned.put("veil-risk-observations", names());
        pinned.put(
                "veil-risk-groups",
                names(
                        "keyed _timer_state/event_user-timers",
                        "keyed _timer_state/processing_user-timers",
                        "keyed count = java.lang.Long by"
                                + " org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot"));
        pinned.put(
                "veil-risk-windows",
                names(
                        "keyed _timer_state/event_user-timers",
                        "keyed _timer_state/processing_user-timers",
                        "keyed totals = dev.veil.job.risk.RiskTotals by"
                                + " org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot"));
        pinned.put(
                "Sink Committer: veil-kafka-sink",
                names("operator streaming_committer_raw_states (SPLIT_DISTRIBUTE)"));
        // A restore maps state to operators by this hash of the uid.
        Map<OperatorID, String> uidOf = new HashMap<>();
        for (String uid : pinned.keySet()) {
            uidOf.put(new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(uid)), uid);
        }

        Map<String, Set<String>> found = new TreeMap<>();
        for (OperatorState o : loadMetadata(savepoint).getOperatorStates()) {
            String uid =
                    uidOf.getOrDefault(
                            o.getOperatorID(),
                            "not a pinned uid: "
                                    + o.getOperatorUid().orElse("?")
                                    + " ("
                                    + o.getOperatorName().orElse("?")
                                    + ", operator id "
                                    + o.getOperatorID()
                                    + ")");
            Set<String> names = new TreeSet<>();
            keyedStateNames(o).forEach(n -> names.add("keyed " + n));
            operatorStateNames(o).forEach(n -> names.add("operator " + n));
            found.put(uid, names);
        }
        assertThat(found)
                .as(
                        "operator uids, their state names and the classes of keyed values in a savepoint of the"
                                + " running job. A restore finds state by uid and name and reads it with classes it"
                                + " finds by name: if a uid (Uids.java), a state descriptor, the timer service, a state"
                                + " serializer or a class held in state was renamed or moved, savepoints of running"
                                + " jobs would no longer restore, so put the old name back. If state was added, or"
                                + " Flink or the Kafka connector upgraded, check that a savepoint of the running"
                                + " version restores, then update what is pinned here.")
                .isEqualTo(pinned);
    }

    static Set<String> names(String... names) {
        return new TreeSet<>(List.of(names));
    }

    /** The savepoint's metadata file, as Flink reads it on restore. */
    static CheckpointMetadata loadMetadata(String pointer) throws Exception {
        Path dir = Path.of(URI.create(pointer));
        try (InputStream in = Files.newInputStream(dir.resolve("_metadata"))) {
            return Checkpoints.loadCheckpointMetadata(
                    new DataInputStream(in),
                    AnonymisationJobITCase.class.getClassLoader(),
                    pointer);
        }
    }

    /**
     * The names of an operator's keyed state (and timer queues) in a canonical savepoint, over all
     * subtasks.
     */
    static Set<String> keyedStateNames(OperatorState operator) throws Exception {
        Set<String> names = new TreeSet<>();
        for (OperatorSubtaskState s : operator.getStates()) {
            for (KeyedStateHandle h : s.getManagedKeyedState()) {
                // A canonical savepoint's keyed state stream starts with the state meta data, then
                // the key groups.
                KeyGroupsStateHandle groups = (KeyGroupsStateHandle) h;
                try (InputStream in = groups.getDelegateStateHandle().openInputStream()) {
                    KeyedBackendSerializationProxy<?> proxy =
                            new KeyedBackendSerializationProxy<>(
                                    AnonymisationJobITCase.class.getClassLoader());
                    proxy.read(new DataInputViewStreamWrapper(in));
                    for (StateMetaInfoSnapshot info : proxy.getStateMetaInfoSnapshots()) {
                        names.add(info.getName() + serializedAs(info));
                    }
                }
            }
        }
        return names;
    }

    /**
     * How a keyed value is serialised, for key/value state: the serializer snapshot class recorded
     * in the savepoint and the class of the values (for a list, of its elements). A restore looks
     * both up by name, so moving or renaming either class strands the state as surely as renaming
     * the state.
     */
    static String serializedAs(StateMetaInfoSnapshot info) {
        if (info.getBackendStateType() != StateMetaInfoSnapshot.BackendStateType.KEY_VALUE) {
            return "";
        }
        TypeSerializerSnapshot<?> snapshot =
                info.getTypeSerializerSnapshot(
                        StateMetaInfoSnapshot.CommonSerializerKeys.VALUE_SERIALIZER);
        TypeSerializer<?> serializer = snapshot.restoreSerializer();
        if (serializer instanceof ListSerializer<?> list) {
            TypeSerializer<?> element = list.getElementSerializer();
            return " = list of "
                    + element.createInstance().getClass().getName()
                    + " by "
                    + element.snapshotConfiguration().getClass().getName();
        }
        return " = "
                + serializer.createInstance().getClass().getName()
                + " by "
                + snapshot.getClass().getName();
    }

    /**
     * The names of an operator's operator state (with its distribution mode), over all subtasks.
     */
    static Set<String> operatorStateNames(OperatorState operator) {
        Set<String> names = new TreeSet<>();
        for (OperatorSubtaskState s : operator.getStates()) {
            for (OperatorStateHandle h : s.getManagedOperatorState()) {
                h.getStateNameToPartitionOffsets()
                        .forEach(
                                (name, info) ->
                                        names.add(name + " (" + info.getDistributionMode() + ")"));
            }
        }
        return names;
    }

    // ---- helpers of the tests that run a job of their own
    // -----------------------------------------------------------

    /**
     * Raw, dead-letter and output topics of one test, under a prefix of its own: new to the broker.
     */
    record Topics(String prefix) {
        static Topics fresh(String test) throws Exception {
            Topics t = new Topics(test + "-" + UUID.randomUUID().toString().substring(0, 8));
            kafka.createTopics(
                    3,
                    List.of(
                            t.raw("device"),
                            t.raw("location"),
                            t.service(),
                            t.consent(),
                            t.deadLetter(),
                            t.output("device"),
                            t.output("location"),
                            t.output("service")));
            return t;
        }

        String raw(String stream) {
            return prefix + ".raw." + stream;
        }

        String service() {
            return raw("service");
        }

        String consent() {
            return raw("consent");
        }

        String deadLetter() {
            return prefix + ".dead-letter";
        }

        String output(String name) {
            return prefix + ".anon." + name;
        }

        /** The shipped rules with the output topics under this prefix. */
        RulesText rules() throws Exception {
            String text =
                    Files.readString(RULES)
                            .replace("topic: veil.anon.", "topic: " + prefix + ".anon.");
            assertThat(text).contains("topic: " + output("service"));
            return new RulesText(RULES.getFileName().toString(), text);
        }

        /**
         * A live job's configuration: these topics, a group and transactional ids of their own,
         * checkpoints every 300 ms, a 1 s consent delivery bound and the smallest source idleness.
         */
        JobYaml config() {
            return JobYaml.of(
                            prefix,
                            kafka.bootstrapServers(),
                            prefix,
                            tmp.resolve("key"),
                            tmp.resolve("checkpoints-" + prefix))
                    .set("time", "max_out_of_orderness", "PT2S")
                    .set("time", "source_idleness", "PT1S")
                    .set("consent", "max_delivery_delay", "PT1S")
                    .set("flink", "execution.checkpointing.interval", "300ms");
        }
    }

    static StreamExecutionEnvironment environment(JobConfig config) {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(2);
        return env;
    }

    /**
     * Waits until at least {@code count} records of {@code topic} are committed, then for three
     * more checkpoints (nothing more may come), failing after 90 s or when the job fails.
     *
     * @return each committed record's key and event id, as JSON ({@link #keyAndEventId})
     */
    static List<String> awaitCommitted(JobClient job, String topic, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (kafka.readCommitted(topic).size() < count) {
            JobStatus status = job.getJobStatus().get();
            assertThat(status)
                    .as("job status while waiting for %d records on %s", count, topic)
                    .isNotIn(JobStatus.FAILED, JobStatus.CANCELED);
            assertThat(System.nanoTime())
                    .as("%d records on %s within 90 s; job %s", count, topic, status)
                    .isLessThan(deadline);
            Thread.sleep(300);
        }
        Thread.sleep(1_000);
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            out.add(
                    keyAndEventId(
                            new String(r.key(), StandardCharsets.UTF_8),
                            Json.MAPPER.readTree(r.value()).get("event_id").asText()));
        }
        return out;
    }

    /** {@code {"key": key, "event_id": eventId}}. */
    static String keyAndEventId(String key, String eventId) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("key", key);
        n.put("event_id", eventId);
        return n.toString();
    }
}
