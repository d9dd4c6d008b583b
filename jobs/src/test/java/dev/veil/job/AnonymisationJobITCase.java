package dev.veil.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.config.JobConfig;
import dev.veil.record.Json;
import dev.veil.testing.JobYaml;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.digest.HmacAlgorithms;
import org.apache.commons.codec.digest.HmacUtils;
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

/**
 * The whole anonymisation job on a Flink MiniCluster (parallelism 2, RocksDB, checkpoints, exactly-once Kafka sink)
 * against a real in-JVM Kafka broker, shaped like the Kafka connector's {@code KafkaSinkITCase}.
 *
 * <p>The bounded job runs once for the class ({@link #runTheJobOnce}): raw topics in, every output topic read once
 * (read_committed); each test then asserts one thing about that output: exact anonymised records, dead letters, record
 * keys, and no raw identifier anywhere.
 */
// A stuck job fails the test instead of hanging the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AnonymisationJobITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    static KafkaTestCluster kafka;

    @TempDir
    static Path tmp;

    static final String DEVICE = "it.raw.device";
    static final String LOCATION = "it.raw.location";
    static final String SERVICE = "it.raw.service";
    static final String CONSENT = "it.raw.consent";
    static final String DLQ = "it.dead-letter";
    static final List<String> OUTPUTS = List.of("veil.anon.device", "veil.anon.location", "veil.anon.service", DLQ);
    static final String ALL_PURPOSES = ",\"purposes\":[\"analytics\",\"product_improvement\",\"location\"]";

    /** Every committed record of each output topic of the bounded run, read once. */
    static Map<String, List<ConsumerRecord<byte[], byte[]>>> committed;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void runTheJobOnce() throws Exception {
        kafka = KafkaTestCluster.start();
        Path keyFile = tmp.resolve("key");
        Files.writeString(keyFile, TEST_KEY_BASE64);
        kafka.createTopics(3, List.of(DEVICE, LOCATION, SERVICE, CONSENT, DLQ, "veil.anon.device", "veil.anon.location",
                "veil.anon.service"));
        kafka.produce(input());

        JobConfig config = jobConfig(keyFile, tmp.resolve("checkpoints"));
        RulesText rules = shippedRules();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                AnonymisationTopology.flinkConfiguration(config));
        env.setParallelism(2);
        AnonymisationTopology.build(env, config, rules,
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

    static String pseudonym(String normalisedId) {
        return new HmacUtils(HmacAlgorithms.HMAC_SHA_256, testKey()).hmacHex(normalisedId);
    }

    static JobConfig jobConfig(Path keyFile, Path checkpoints) {
        return JobYaml.of("veil-it", kafka.bootstrapServers(), "it", keyFile, checkpoints)
                .set("consent", "max_pending_events_per_subject", "1000")
                .load();
    }

    static final String UA_PIXEL = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.6099.144 Mobile Safari/537.36";

    static String device(String user, String time, String deviceId, String ip, int battery) {
        return "{\"event_id\":\"ev-d-" + user.strip() + "-" + time + "\",\"user_id\":\"" + user + "\",\"device_id\":\""
                + deviceId + "\",\"event_time\":\"" + time + "\",\"device_model\":\"Pixel 7\",\"os_name\":\"Android\","
                + "\"os_version\":\"14\",\"app_version\":\"5.2.0\",\"user_agent\":\"" + UA_PIXEL + "\",\"ip\":\"" + ip
                + "\",\"battery_pct\":" + battery + ",\"signal_dbm\":-87,\"network_type\":\"4g\","
                + "\"extra_field\":\"x\"}";
    }

    static String location(String user, String time, String lat, String lon) {
        return "{\"event_id\":\"ev-l-" + user + "-" + time + "\",\"user_id\":\"" + user + "\","
                + "\"device_id\":\"356938035643809\","
                + "\"event_time\":\"" + time + "\",\"lat\":" + lat + ",\"lon\":" + lon + ",\"accuracy_m\":12.5,"
                + "\"source\":\"wifi\",\"wifi_bssid\":\"00:1a:2b:3c:4d:5e\",\"ip\":\"198.51.100.23\"}";
    }

    static String service(String user, String time, String action, String extra) {
        return "{\"event_id\":\"ev-s-" + user + "-" + time + "\",\"user_id\":\"" + user + "\",\"session_id\":\"sess-"
                + user + "\",\"event_time\":\"" + time + "\",\"action\":\"" + action + "\"" + extra + "}";
    }

    static String consent(String user, String time, String action, String more) {
        return "{\"user_id\":\"" + user + "\",\"effective_time\":\"" + time + "\",\"action\":\"" + action
                + "\",\"policy_version\":\"2026-09\"" + more + "}";
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
        in.add(new Raw(CONSENT, "frank", consent("frank", t0800, "grant", all + ",\"guardian_consent\":true")));
        in.add(new Raw(CONSENT, "dave", consent("dave", t0800, "grant", ",\"purposes\":[\"analytics\"]")));
        in.add(new Raw(CONSENT, "erin", consent("erin", t0800, "grant", ",\"purposes\":[\"analytics\"]")));
        in.add(new Raw(CONSENT, "erin", consent("erin", "2026-11-28T09:00:00Z", "erase", "")));
        in.add(new Raw(CONSENT, "x", "{\"user_id\":\"x\",\"action\":\"grant\"}"));

        // Device: alice (note the other spelling of her id), bob without consent, carol minor without guardian,
        // frank minor with guardian; malformed records.
        in.add(new Raw(DEVICE, "bob", device("bob", "2026-11-28T09:10:00Z", "bob-phone-1", "192.0.2.10", 80)));
        in.add(new Raw(DEVICE, "carol", device("carol", "2026-11-28T09:11:00Z", "carol-phone", "192.0.2.11", 60)));
        in.add(new Raw(DEVICE, "frank", device("frank", "2026-11-28T09:12:00Z", "frank-tablet", "192.0.2.12", 55)));
        in.add(new Raw(DEVICE, "alice-01",
                device(" ALICE-01 ", "2026-11-28T09:15:30.123Z", "356938035643809", "203.0.113.77", 47)));
        in.add(new Raw(DEVICE, "alice-01", "{not json"));
        in.add(new Raw(DEVICE, "alice-01",
                device("alice-01", "2026-11-28T09:16:00Z", "356938035643809", "203.0.113.77", 150)));
        in.add(new Raw(DEVICE, "alice-01",
                device("alice-01", "2026-11-28T09:40:00Z", "356938035643809", "999.1.2.3", 40)));

        // Location: alice valid, alice out of range, frank (minor: never published by config).
        in.add(new Raw(LOCATION, "alice-01",
                location("alice-01", "2026-11-28T09:20:00Z", "37.7752702151959", "-122.418307270836")));
        in.add(new Raw(LOCATION, "alice-01", location("alice-01", "2026-11-28T09:21:00Z", "95.5", "-8.62673")));
        in.add(new Raw(LOCATION, "frank", location("frank", "2026-11-28T09:22:00Z", "52.66353", "-8.62673")));

        // Service: dave before/after revocation, erin before/after erasure, alice search with phone peer.
        in.add(new Raw(SERVICE, "erin",
                service("erin", "2026-11-28T08:30:00Z", "view", ",\"url\":\"https://news.example.org/a?id=erin\"")));
        in.add(new Raw(SERVICE, "alice-01", service("alice-01", "2026-11-28T09:25:00Z", "call",
                ",\"peer_phone\":\"087 123 4567\",\"duration_ms\":63500,\"ip\":\"[2001:db8:85a3::8a2e:370:7334]:443\","
                        + "\"query\":\"alice private words\"")));
        in.add(new Raw(SERVICE, "dave",
                service("dave", "2026-11-28T09:30:00Z", "search", ",\"query\":\"dave secret search\"")));
        in.add(new Raw(SERVICE, "erin",
                service("erin", "2026-11-28T09:30:00Z", "view", ",\"url\":\"https://news.example.org/b\"")));
        in.add(new Raw(SERVICE, "dave",
                service("dave", "2026-11-28T10:30:00Z", "search", ",\"query\":\"after revoke\"")));
        in.add(new Raw(SERVICE, "dave", service("dave", "2026-11-28T10:31:00Z", "teleport", "")));
        in.add(new Raw(CONSENT, "dave",
                consent("dave", "2026-11-28T10:00:00Z", "revoke", ",\"purposes\":[\"analytics\"]")));
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

    /** alice's first device record in full; the other device records are edits of it. */
    static ObjectNode aliceDevice() throws Exception {
        return (ObjectNode) Json.MAPPER.readTree("{"
                + "\"event_id\":\"" + pseudonym("ev-d-ALICE-01-2026-11-28T09:15:30.123Z") + "\","
                + "\"subject\":\"" + pseudonym("alice-01") + "\","
                + "\"device\":\"" + pseudonym("356938035643809") + "\","
                + "\"event_time\":\"2026-11-28T09:00:00Z\","
                + "\"device_model\":\"Pixel 7\",\"os_name\":\"Android\",\"os_version\":\"14\","
                + "\"app_version\":\"5.2.0\","
                + "\"user_agent\":{\"browser_family\":\"Chrome Mobile\",\"browser_major\":\"120\","
                + "\"os_family\":\"Android\","
                + "\"device_family\":\"Pixel 7\"},"
                + "\"ip_prefix\":\"203.0.113.0/24\",\"battery_pct\":40,\"signal_dbm\":-90,\"network_type\":\"4g\","
                + "\"rules_version\":\"2026-11-29.1\"}");
    }

    @Test
    void device_aliceInFull_aliceWithoutAnInvalidIp_frankAsAMinor_nothingElse() throws Exception {
        // alice (full record) and frank (minor: ip_prefix and device removed)
        ObjectNode aliceDevice = aliceDevice();
        ObjectNode aliceDevice2 = aliceDevice.deepCopy();
        aliceDevice2.put("event_id", pseudonym("ev-d-alice-01-2026-11-28T09:40:00Z"));
        aliceDevice2.remove("ip_prefix");
        ObjectNode frankDevice = aliceDevice.deepCopy();
        frankDevice.put("event_id", pseudonym("ev-d-frank-2026-11-28T09:12:00Z"));
        frankDevice.put("subject", pseudonym("frank"));
        frankDevice.put("battery_pct", 50);
        frankDevice.remove("ip_prefix");
        frankDevice.remove("device");
        assertThat(values("veil.anon.device")).containsExactlyInAnyOrder(aliceDevice, aliceDevice2, frankDevice);
    }

    @Test
    void location_aliceValidFixWithItsCell_aliceInvalidFixWithoutACell_minorNever() throws Exception {
        // Only alice's valid fix (known H3 answer); her invalid fix keeps no cell; frank is a minor.
        ObjectNode aliceLocation = (ObjectNode) Json.MAPPER.readTree("{"
                + "\"event_id\":\"" + pseudonym("ev-l-alice-01-2026-11-28T09:20:00Z") + "\","
                + "\"subject\":\"" + pseudonym("alice-01") + "\",\"event_time\":\"2026-11-28T09:20:00Z\","
                + "\"h3_cell\":\"8928308280fffff\",\"accuracy_m\":0,\"source\":\"wifi\","
                + "\"rules_version\":\"2026-11-29.1\"}");
        ObjectNode aliceLocation2 = aliceLocation.deepCopy();
        aliceLocation2.put("event_id", pseudonym("ev-l-alice-01-2026-11-28T09:21:00Z"));
        aliceLocation2.put("event_time", "2026-11-28T09:20:00Z");
        aliceLocation2.remove("h3_cell");
        assertThat(values("veil.anon.location")).containsExactlyInAnyOrder(aliceLocation, aliceLocation2);
    }

    @Test
    void service_alicesCall_daveBeforeRevocation_erinBeforeErasure() throws Exception {
        String alice = pseudonym("alice-01");
        ObjectNode aliceCall = (ObjectNode) Json.MAPPER.readTree("{"
                + "\"event_id\":\"" + pseudonym("ev-s-alice-01-2026-11-28T09:25:00Z") + "\","
                + "\"subject\":\"" + alice + "\",\"session\":\"" + pseudonym("sess-alice-01") + "\","
                + "\"event_time\":\"2026-11-28T09:25:00Z\",\"action\":\"call\",\"duration_ms\":63000,"
                + "\"peer_phone\":\"" + pseudonym("+353871234567") + "\",\"ip_prefix\":\"2001:db8::/32\","
                + "\"rules_version\":\"2026-11-29.1\"}");
        List<JsonNode> service = values("veil.anon.service");
        assertThat(service).contains(aliceCall);
        assertThat(service)
                .extracting(n -> n.get("subject").asText() + " " + n.get("event_time").asText())
                .containsExactlyInAnyOrder(
                        alice + " 2026-11-28T09:25:00Z",
                        pseudonym("dave") + " 2026-11-28T09:30:00Z",
                        pseudonym("erin") + " 2026-11-28T08:30:00Z");
        assertThat(service)
                .filteredOn(n -> n.get("subject").asText().equals(pseudonym("erin")))
                .extracting(n -> n.get("url_host").asText())
                .containsExactly("https://news.example.org");
    }

    @Test
    void deadLetters_onePerBadRecord_withReasonSourcePositionAndDetail_neverAPayload() throws Exception {
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
        assertThat(deadLetters).filteredOn(n -> n.get("reason").asText().equals("invalid_value"))
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
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).as("key of a record of %s", t)
                        .isEqualTo(Json.MAPPER.readTree(r.value()).get("subject").asText());
            }
        }
    }

    @Test
    void noRawIdentifier_inAnyByteOfAnyOutputTopic() {
        Set<String> raw = Set.of("alice-01", "ALICE-01", "bob", "carol", "dave", "erin", "frank", "356938035643809",
                "bob-phone-1", "carol-phone", "frank-tablet", "203.0.113.77", "192.0.2.10", "192.0.2.11", "192.0.2.12",
                "198.51.100.23", "2001:db8:85a3::8a2e:370:7334", "8a2e", "37.7752702151959", "-122.418307270836",
                "52.66353", "-8.62673", "95.5", "00:1a:2b:3c:4d:5e", "087 123 4567", "+353871234567", "sess-",
                "ev-d-", "ev-l-", "ev-s-", "secret search", "private words", "after revoke", "999.1.2.3",
                "id=erin", "/a?", "not json");
        for (String t : OUTPUTS) {
            assertThat(committed.get(t)).as("records of %s", t).isNotEmpty();
            for (ConsumerRecord<byte[], byte[]> r : committed.get(t)) {
                String text = new String(r.value(), StandardCharsets.UTF_8)
                        + (r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8));
                for (String value : raw) {
                    assertThat(text).as("topic %s must not contain raw value %s", t, value).doesNotContain(value);
                }
            }
        }
    }
}
