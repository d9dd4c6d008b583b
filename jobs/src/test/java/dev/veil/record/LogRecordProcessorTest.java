package dev.veil.record;

import dev.veil.config.YamlDocument;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.testing.VeilTestBase;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One raw log record in, anonymised records and dead letters out, with the shipped rules and the
 * fixed test key.
 */
class LogRecordProcessorTest extends VeilTestBase {
    private static final long LATEST = T1200.toEpochMilli();
    private static final String SECRET_USER = "alice-secret";

    private static final String VALID_DEVICE =
            "{"
                    + "\"event_id\":\"evt-0001\","
                    + "\"user_id\":\"  Alice-Secret@Example.COM \","
                    + "\"device_id\":\"IMEI-356938035643809\","
                    + "\"event_time\":\"2026-11-28T10:17:42.123Z\","
                    + "\"device_model\":\"Pixel 7\","
                    + "\"os_name\":\"Android\","
                    + "\"os_version\":\"14\","
                    + "\"app_version\":\"5.2.0\","
                    + "\"user_agent\":\"Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/120.0.6099.144 Mobile Safari/537.36\","
                    + "\"ip\":\"203.0.113.77\","
                    + "\"battery_pct\":57.5,"
                    + "\"signal_dbm\":-87,"
                    + "\"network_type\":\"4g\","
                    + "\"unlisted_field\":\"tolerated and dropped\""
                    + "}";

    private static RuleSet rules;

    @BeforeAll
    static void loadRules() {
        rules = RuleSetLoader.load(RULES);
    }

    /** What one process() call emitted. */
    static final class Collected implements LogRecordProcessor.Emitter {
        final List<String> outputs = new ArrayList<>();
        final List<String> subjectKeys = new ArrayList<>();
        final List<Long> eventTimes = new ArrayList<>();
        final List<JsonNode> records = new ArrayList<>();
        final List<String> outputKeys = new ArrayList<>();
        final List<int[]> slots = new ArrayList<>();
        final List<Integer> keySlots = new ArrayList<>();
        final List<DeadLetterReason> reasons = new ArrayList<>();
        final List<String> details = new ArrayList<>();

        @Override
        public void anonymised(
                OutputRules output,
                String subjectKey,
                long eventTime,
                byte[] anonymised,
                String outputKey,
                int[] slots,
                int keySlot) {
            outputs.add(output.name());
            subjectKeys.add(subjectKey);
            eventTimes.add(eventTime);
            try {
                records.add(Json.MAPPER.readTree(anonymised));
            } catch (IOException e) {
                throw new AssertionError("anonymised record is not JSON", e);
            }
            outputKeys.add(outputKey);
            this.slots.add(slots);
            keySlots.add(keySlot);
        }

        @Override
        public void deadLetter(DeadLetterReason reason, String detail) {
            reasons.add(reason);
            details.add(detail);
        }
    }

    private static Collected process(String stream, String json, long latestEventTime) {
        Collected c = new Collected();
        processor(rules).process(stream, json.getBytes(StandardCharsets.UTF_8), latestEventTime, c);
        return c;
    }

    private static Collected process(String stream, String json) {
        return process(stream, json, LATEST);
    }

    /** HMAC-SHA256 under the test key, computed independently of Veil's Pseudonymiser. */
    private static String hmac(String s) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(testKey(), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** The subject key: the same HMAC in unpadded base64url (43 chars). */
    private static String subjectKey(String s) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(testKey(), "HmacSHA256"));
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertSingleDeadLetter(Collected c, DeadLetterReason reason) {
        assertThat(c.records).as("anonymised records").isEmpty();
        assertThat(c.reasons).containsExactly(reason);
    }

    @Test
    void process_validDeviceRecord_emitsOneRecordWithExactlyTheRuleFields() throws Exception {
        Collected c = process("device", VALID_DEVICE);

        assertThat(c.reasons).isEmpty();
        assertThat(c.outputs).containsExactly("device");
        JsonNode r = c.records.get(0);
        assertThat(fieldNames(r))
                .containsExactly(
                        "event_id",
                        "subject",
                        "device",
                        "event_time",
                        "device_model",
                        "os_name",
                        "os_version",
                        "app_version",
                        "user_agent",
                        "ip_prefix",
                        "battery_pct",
                        "signal_dbm",
                        "network_type",
                        "rules_version",
                        "key_epoch");
        // subject-scoped: the internal HMAC under the master key, a placeholder the gate overwrites
        String subject = hmac("alice-secret@example.com");
        assertThat(c.slots.get(0)).as("event_id, subject and device are slots").hasSize(3);
        assertThat(c.keySlots.get(0)).as("the output key (subject) is a slot").isEqualTo(1);
        assertThat(r.get("key_epoch").asLong()).as("2026-11-28 is in epoch 11").isEqualTo(11);
        assertThat(r.get("event_id").asText()).isEqualTo(hmac("evt-0001"));
        assertThat(r.get("subject").asText()).isEqualTo(subject);
        assertThat(r.get("device").asText()).isEqualTo(hmac("imei-356938035643809"));
        assertThat(r.get("event_time").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(r.get("device_model").asText()).isEqualTo("Pixel 7");
        assertThat(r.get("os_name").asText()).isEqualTo("Android");
        assertThat(r.get("os_version").asText()).isEqualTo("14");
        assertThat(r.get("app_version").asText()).isEqualTo("5.2.0");
        assertThat(r.get("user_agent").toString())
                .isEqualTo(
                        "{\"browser_family\":\"Chrome Mobile\","
                                + "\"browser_major\":\"120\",\"os_family\":\"Android\",\"device_family\":\"Pixel 7\"}");
        assertThat(r.get("ip_prefix").asText()).isEqualTo("203.0.113.0/24");
        assertThat(r.get("battery_pct").isIntegralNumber()).isTrue();
        assertThat(r.get("battery_pct").asLong()).isEqualTo(50);
        assertThat(r.get("signal_dbm").asLong()).isEqualTo(-90);
        assertThat(r.get("network_type").asText()).isEqualTo("4g");
        assertThat(r.get("rules_version").asText()).isEqualTo("2026-11-29.1");

        assertThat(c.subjectKeys).containsExactly(subjectKey("alice-secret@example.com"));
        assertThat(c.outputKeys).containsExactly(subject);
        assertThat(c.eventTimes)
                .containsExactly(Instant.parse("2026-11-28T10:17:42.123Z").toEpochMilli());
        assertThat(r.toString())
                .doesNotContainIgnoringCase("alice")
                .doesNotContain("203.0.113.77", "IMEI", "evt-0001");
    }

    @Test
    void process_subjectKey_isHmacOfTheTrimmedLowerCasedUserId() throws Exception {
        String template =
                "{\"event_id\":\"e1\",\"user_id\":\"%s\",\"event_time\":\"2026-11-28T10:17:42.123Z\"}";

        Collected spaced = process("device", String.format(template, "  ALICE.Smith "));
        Collected plain = process("device", String.format(template, "alice.smith"));

        assertThat(spaced.subjectKeys).containsExactly(subjectKey("alice.smith"));
        assertThat(plain.subjectKeys).containsExactly(subjectKey("alice.smith"));
        assertThat(spaced.records.get(0).get("subject").asText()).isEqualTo(hmac("alice.smith"));
    }

    @Test
    void process_eventTimeWithOffset_isTruncatedInUtc() {
        Collected c =
                process(
                        "device",
                        "{\"event_id\":\"e1\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:17:42.123+02:00\"}");

        assertThat(c.records.get(0).get("event_time").asText()).isEqualTo("2026-11-28T08:00:00Z");
        assertThat(c.eventTimes)
                .containsExactly(Instant.parse("2026-11-28T08:17:42.123Z").toEpochMilli());
    }

    @Test
    void process_truncatedJson_malformedJsonWithoutPayloadValues() {
        Collected c = process("device", "{\"user_id\": \"alice-secret\", ");

        assertSingleDeadLetter(c, DeadLetterReason.MALFORMED_JSON);
        assertThat(c.details.get(0))
                .startsWith("malformed JSON at line 1")
                .doesNotContain(SECRET_USER, "user_id");
    }

    @Test
    void process_jsonArray_schemaViolationOnTheRoot() {
        Collected c = process("device", "[1,2]");

        assertSingleDeadLetter(c, DeadLetterReason.SCHEMA_VIOLATION);
        assertThat(c.details.get(0)).isEqualTo("$: type");
    }

    @Test
    void process_emptyOrBlankOrNullValue_malformedJson() {
        for (String blank : new String[] {"", "   \n"}) {
            Collected c = process("device", blank);
            assertSingleDeadLetter(c, DeadLetterReason.MALFORMED_JSON);
            assertThat(c.details.get(0)).isEqualTo("empty record");
        }
        Collected tombstone = new Collected();
        processor(rules).process("device", null, LATEST, tombstone);
        assertSingleDeadLetter(tombstone, DeadLetterReason.MALFORMED_JSON);
    }

    @Test
    void process_duplicateUserIdKey_malformedJsonWithoutEitherValue() {
        Collected c =
                process(
                        "device",
                        "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\",\"user_id\":\"bob-secret\","
                                + "\"event_time\":\"2026-11-28T10:17:42.123Z\"}");

        assertSingleDeadLetter(c, DeadLetterReason.MALFORMED_JSON);
        assertThat(c.details.get(0))
                .startsWith("malformed JSON at line 1")
                .doesNotContain(SECRET_USER, "bob-secret");
    }

    @Test
    void process_trailingGarbageAfterTheObject_malformedJson() {
        for (String tail : new String[] {" alice-secret", "{}", " [\"alice-secret\"]"}) {
            Collected c =
                    process(
                            "device",
                            "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\",\"event_time\":\"2026-11-28T10:17:42.123Z\"}"
                                    + tail);

            assertSingleDeadLetter(c, DeadLetterReason.MALFORMED_JSON);
            assertThat(c.details.get(0))
                    .as(tail)
                    .startsWith("malformed JSON at line 1")
                    .doesNotContain(SECRET_USER);
        }
    }

    @Test
    void process_missingEventTime_schemaViolationNamingTheField() {
        Collected c = process("device", "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\"}");

        assertSingleDeadLetter(c, DeadLetterReason.SCHEMA_VIOLATION);
        assertThat(c.details.get(0)).isEqualTo("$: required 'event_time'");
    }

    @Test
    void process_schemaViolations_detailNamesTheKeywordAndNoValue() {
        String base =
                "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\",\"event_time\":\"2026-11-28T10:17:42.123Z\",";
        String[][] cases = {
            {"device", base + "\"battery_pct\":\"full\"}", "type"},
            {"device", base + "\"battery_pct\":150}", "maximum"},
            {"service", base + "\"action\":\"teleport\"}", "enum"},
            {"device", base + "\"network_type\":\"alice-secret-net\"}", "enum"},
        };
        for (String[] k : cases) {
            Collected c = process(k[0], k[1]);

            assertSingleDeadLetter(c, DeadLetterReason.SCHEMA_VIOLATION);
            assertThat(c.details.get(0))
                    .as(k[1])
                    .endsWith(": " + k[2])
                    .doesNotContain(SECRET_USER, "full", "teleport", "150");
        }
    }

    @Test
    void process_schemaViolations_detailNamesTheJsonPath() {
        String base =
                "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\",\"event_time\":\"2026-11-28T10:17:42.123Z\",";

        assertThat(process("device", base + "\"battery_pct\":\"full\"}").details)
                .containsExactly("$.battery_pct: type");
        assertThat(process("device", base + "\"battery_pct\":150}").details)
                .containsExactly("$.battery_pct: maximum");
        assertThat(process("service", base + "\"action\":\"teleport\"}").details)
                .containsExactly("$.action: enum");
    }

    @Test
    void process_invalidIp_recordEmittedWithoutIpPrefixAndInvalidValueDeadLetter() {
        Collected c =
                process(
                        "device",
                        "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\","
                                + "\"event_time\":\"2026-11-28T10:17:42.123Z\",\"ip\":\"999.1.1.1\",\"os_name\":\"Android\"}");

        assertThat(c.outputs).containsExactly("device");
        assertThat(fieldNames(c.records.get(0)))
                .containsExactly(
                        "event_id",
                        "subject",
                        "event_time",
                        "os_name",
                        "rules_version",
                        "key_epoch");
        assertThat(c.reasons).containsExactly(DeadLetterReason.INVALID_VALUE);
        assertThat(c.details.get(0))
                .isEqualTo("left out of output 'device': ip_prefix (generalise_ip: invalid_ip)")
                .doesNotContain("999.1.1.1");
    }

    /** Device rules whose one generalised field reads X-Forwarded-For behind 198.51.100.0/24. */
    private static final RuleSet FORWARDED_FOR_RULES =
            RuleSetLoader.load(
                    YamlDocument.parse(
                            "xff-rules.yaml",
                            String.join(
                                    "\n",
                                    "version: \"xff-1\"",
                                    "subject_id: case_insensitive",
                                    "outputs:",
                                    "  device:",
                                    "    stream: device",
                                    "    topic: veil.anon.device",
                                    "    purposes: [analytics]",
                                    "    fields:",
                                    "      subject: {from: user_id, pseudonymise: {id: case_insensitive}}",
                                    "      client_net:",
                                    "        from: x_forwarded_for",
                                    "        generalise_ip: {ipv4_prefix: 24, ipv6_prefix: 48,"
                                            + " x_forwarded_for: true,",
                                    "                        trusted_proxies: [198.51.100.0/24]}",
                                    "")));

    private static Collected processForwardedFor(String header) {
        Collected c = new Collected();
        String json =
                "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\","
                        + "\"event_time\":\"2026-11-28T10:17:42.123Z\",\"x_forwarded_for\":\""
                        + header
                        + "\"}";
        processor(FORWARDED_FOR_RULES)
                .process("device", json.getBytes(StandardCharsets.UTF_8), LATEST, c);
        return c;
    }

    @Test
    void process_xForwardedFor_publishesOnlyTheClientsNetwork() {
        String header =
                "192.0.2.66, [2001:db8:1::7]:443, 203.0.113.77:51234, unknown, 198.51.100.2";

        Collected c = processForwardedFor(header);

        assertThat(c.reasons).isEmpty();
        assertThat(c.records).hasSize(1);
        assertThat(c.records.get(0).get("client_net").asText()).isEqualTo("203.0.113.0/24");
        for (String hop : header.split(",")) {
            assertThat(c.records.get(0).toString()).doesNotContain(hop.strip());
        }
    }

    @Test
    void process_xForwardedForWithoutAnAddress_recordPublishedWithoutTheFieldAndOneDeadLetter() {
        Collected c = processForwardedFor("unknown, _hidden, proxy.example.com");

        assertThat(c.outputs).containsExactly("device");
        assertThat(fieldNames(c.records.get(0)))
                .containsExactly("subject", "rules_version", "key_epoch");
        assertThat(c.reasons).containsExactly(DeadLetterReason.INVALID_VALUE);
        assertThat(c.details.get(0))
                .isEqualTo("left out of output 'device': client_net (generalise_ip: no_client_ip)");
    }

    @Test
    void process_eventTimeTwoHoursAfterLatest_invalidValueAndNothingPublished() {
        long latest = T1000.toEpochMilli();
        Collected c =
                process(
                        "device",
                        "{\"event_id\":\"e1\",\"user_id\":\"alice-secret\","
                                + "\"event_time\":\"2026-11-28T12:00:00Z\"}",
                        latest);

        assertSingleDeadLetter(c, DeadLetterReason.INVALID_VALUE);
        assertThat(c.details.get(0)).isEqualTo("$.event_time: too far in the future");
    }

    @Test
    void process_eventTimeEqualToLatest_isPublished() {
        Collected c =
                process(
                        "device",
                        "{\"event_id\":\"e1\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:00:00Z\"}",
                        T1000.toEpochMilli());

        assertThat(c.reasons).isEmpty();
        assertThat(c.outputs).containsExactly("device");
    }

    @Test
    void process_blankUserId_invalidValueNamingTheField() {
        Collected c =
                process(
                        "device",
                        "{\"event_id\":\"e1\",\"user_id\":\"   \",\"event_time\":\"2026-11-28T10:17:42.123Z\"}");

        assertSingleDeadLetter(c, DeadLetterReason.INVALID_VALUE);
        assertThat(c.details.get(0)).isEqualTo("$.user_id: empty_id");
    }
}
