package dev.veil.schema;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentDecision;
import dev.veil.job.records.DeadLetter;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.ConsentRecordProcessor;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.FieldRule;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.testing.Publish;
import dev.veil.testing.VeilTestBase;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The output schemas (schemas/output/) describe exactly what the shipped rules produce: every
 * anonymised record of realistic raw records validates, every field the rules produce is declared
 * and nothing else, and dead letters validate against the dead-letter schema.
 */
class OutputSchemasTest extends VeilTestBase {
    /** Surefire runs in the jobs module directory. */
    private static final Path OUTPUT_SCHEMAS = Path.of("../schemas/output");

    private static final long LATEST = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();

    private static final String DEVICE_UA_PIXEL =
            "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 "
                    + "(KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36";
    private static final String DEVICE_UA_IPHONE =
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
                    + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";

    /** Raw records with every field of their input schema present. */
    private static final Map<String, List<String>> RAW =
            Map.of(
                    "device",
                            List.of(
                                    device(
                                            "evt-d1",
                                            "Alice@Example.com",
                                            "2026-11-28T10:17:42.123Z",
                                            DEVICE_UA_PIXEL,
                                            "203.0.113.77",
                                            "57.5",
                                            "-87",
                                            "4g"),
                                    device(
                                            "evt-d2",
                                            "bob",
                                            "2026-11-28T23:59:59.999+01:00",
                                            DEVICE_UA_IPHONE,
                                            "[2001:db8:85a3::8a2e:370:7334]:443",
                                            "100",
                                            "-200",
                                            "wifi"),
                                    device(
                                            "evt-d3",
                                            "carol",
                                            "2026-11-28T00:00:00Z",
                                            "curl/8.4.0",
                                            "::ffff:198.51.100.9",
                                            "0",
                                            "0",
                                            "unknown"),
                                    device(
                                            "evt-d4",
                                            "dave",
                                            "2026-11-28T05:30:00-05:00",
                                            "",
                                            "198.51.100.200:8080",
                                            "9.99",
                                            "-0.5",
                                            "5g")),
                    "location",
                            List.of(
                                    location(
                                            "evt-l1",
                                            "alice@example.com",
                                            "2026-11-28T10:17:42.123Z",
                                            "53.3498",
                                            "-6.2603",
                                            "12.5",
                                            "gps"),
                                    location(
                                            "evt-l2",
                                            "bob",
                                            "2026-11-28T10:04:59.999Z",
                                            "90",
                                            "180",
                                            "0",
                                            "wifi"),
                                    location(
                                            "evt-l3",
                                            "carol",
                                            "2026-11-28T10:59:00+02:00",
                                            "-90",
                                            "-180",
                                            "1049.9",
                                            "cell"),
                                    location(
                                            "evt-l4",
                                            "dave",
                                            "2026-11-28T00:00:00Z",
                                            "-33.8688",
                                            "151.2093",
                                            "5000",
                                            "ip")),
                    "service",
                            List.of(
                                    service(
                                            "evt-s1",
                                            "alice@example.com",
                                            "2026-11-28T10:17:42.123Z",
                                            "call",
                                            "https://Shop.Example.com:8443/basket?item=1#top",
                                            "http://[2001:db8::1]/landing",
                                            "12345",
                                            "+353 87 123 4567",
                                            "198.51.100.7"),
                                    service(
                                            "evt-s2",
                                            "bob",
                                            "2026-11-28T10:17:00Z",
                                            "search",
                                            "http://user:pw@203.0.113.9/search?q=secret",
                                            "https://www.example.org/",
                                            "0",
                                            "087 123 4567",
                                            "2001:db8:85a3::8a2e:370:7334"),
                                    service(
                                            "evt-s3",
                                            "carol",
                                            "2026-11-28T23:59:59.999+14:00",
                                            "fault",
                                            "https://api.example.com/v1/orders",
                                            "https://example.com.",
                                            "999",
                                            "+1 650 253 0000",
                                            "::ffff:203.0.113.200"),
                                    service(
                                            "evt-s4",
                                            "dave",
                                            "2026-11-28T10:17:42Z",
                                            "view",
                                            "https://xn--bcher-kva.example/",
                                            "https://EXAMPLE.com/a",
                                            "86400000",
                                            "00353871234567",
                                            "[::1]:80")));

    private static RuleSet rules;
    private static Map<String, JsonSchema> schemas;
    private static Map<String, JsonNode> schemaNodes;

    @BeforeAll
    static void load() throws IOException {
        rules = RuleSetLoader.load(RULES);
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        schemas = new LinkedHashMap<>();
        schemaNodes = new LinkedHashMap<>();
        for (String name : List.of("device", "location", "service", "dead-letter")) {
            JsonNode node =
                    Json.MAPPER.readTree(
                            Files.readString(OUTPUT_SCHEMAS.resolve(name + ".schema.json")));
            schemaNodes.put(name, node);
            schemas.put(name, factory.getSchema(node, config));
        }
    }

    private static String device(
            String id,
            String user,
            String time,
            String ua,
            String ip,
            String battery,
            String signal,
            String network) {
        return "{\"event_id\":\""
                + id
                + "\",\"user_id\":\""
                + user
                + "\",\"device_id\":\"IMEI-"
                + id
                + "\","
                + "\"event_time\":\""
                + time
                + "\",\"device_model\":\"Pixel 7\",\"os_name\":\"Android\","
                + "\"os_version\":\"14.1\",\"app_version\":\"5.2.0\",\"user_agent\":\""
                + ua
                + "\","
                + "\"ip\":\""
                + ip
                + "\",\"battery_pct\":"
                + battery
                + ",\"signal_dbm\":"
                + signal
                + ","
                + "\"network_type\":\""
                + network
                + "\"}";
    }

    private static String location(
            String id,
            String user,
            String time,
            String lat,
            String lon,
            String accuracy,
            String source) {
        return "{\"event_id\":\""
                + id
                + "\",\"user_id\":\""
                + user
                + "\",\"device_id\":\"IMEI-"
                + id
                + "\","
                + "\"event_time\":\""
                + time
                + "\",\"lat\":"
                + lat
                + ",\"lon\":"
                + lon
                + ","
                + "\"accuracy_m\":"
                + accuracy
                + ",\"source\":\""
                + source
                + "\",\"wifi_bssid\":\"00:11:22:33:44:55\","
                + "\"cell_mcc\":272,\"cell_mnc\":1,\"cell_lac\":4711,\"cell_cid\":123456,\"ip\":\"203.0.113.5\"}";
    }

    private static String service(
            String id,
            String user,
            String time,
            String action,
            String url,
            String referrer,
            String duration,
            String phone,
            String ip) {
        return "{\"event_id\":\""
                + id
                + "\",\"user_id\":\""
                + user
                + "\",\"device_id\":\"IMEI-"
                + id
                + "\","
                + "\"session_id\":\"sess-"
                + id
                + "\",\"event_time\":\""
                + time
                + "\",\"action\":\""
                + action
                + "\","
                + "\"query\":\"where does alice live\",\"url\":\""
                + url
                + "\",\"referrer_url\":\""
                + referrer
                + "\","
                + "\"error_code\":\"E503\",\"duration_ms\":"
                + duration
                + ",\"peer_account_id\":\"Peer-"
                + id
                + "\","
                + "\"peer_phone\":\""
                + phone
                + "\",\"ip\":\""
                + ip
                + "\"}";
    }

    /** Anonymised records and dead letters of one raw record. */
    private record Result(List<JsonNode> records, List<String> deadLetters) {}

    private static Result process(String stream, String raw) {
        List<JsonNode> records = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        processor(rules)
                .process(
                        stream,
                        raw.getBytes(StandardCharsets.UTF_8),
                        LATEST,
                        new LogRecordProcessor.Emitter() {
                            @Override
                            public void anonymised(
                                    OutputRules output,
                                    String subjectKey,
                                    long eventTime,
                                    byte[] value,
                                    String outputKey,
                                    int[] slots,
                                    int keySlot) {
                                assertThat(output.name()).isEqualTo(stream);
                                try {
                                    // as published: pseudonyms in place, the policy version added
                                    records.add(
                                            Json.MAPPER.readTree(
                                                    Publish.allowed(
                                                                    output,
                                                                    eventTime,
                                                                    value,
                                                                    outputKey,
                                                                    slots,
                                                                    keySlot,
                                                                    ConsentDecision.ALLOW)
                                                            .value));
                                } catch (IOException e) {
                                    throw new AssertionError(e);
                                }
                            }

                            @Override
                            public void deadLetter(DeadLetterReason reason, String detail) {
                                deadLetters.add(reason.label() + ": " + detail);
                            }
                        });
        return new Result(records, deadLetters);
    }

    private static Set<String> messages(String schema, JsonNode instance) {
        Set<String> out = new TreeSet<>();
        for (ValidationMessage m : schemas.get(schema).validate(instance)) {
            out.add(m.getMessage());
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void validate_anonymisedRecordsOfCompleteRawRecords_conformToTheOutputSchema() {
        for (String stream : List.of("device", "location", "service")) {
            Set<String> seen = new LinkedHashSet<>();
            for (String raw : RAW.get(stream)) {
                Result r = process(stream, raw);

                assertThat(r.deadLetters()).as("dead letters of %s", raw).isEmpty();
                assertThat(r.records()).as("records of %s", raw).hasSize(1);
                JsonNode record = r.records().get(0);
                assertThat(messages(stream, record)).as("%s record %s", stream, record).isEmpty();
                seen.addAll(fieldNames(record));
            }
            assertThat(seen)
                    .as("every declared field of %s is exercised", stream)
                    .containsExactlyInAnyOrderElementsOf(declared(stream));
        }
    }

    @Test
    void validate_minorRecordsWithDropFieldsRemoved_conformToTheOutputSchema() {
        for (String stream : List.of("device", "service")) {
            OutputRules output = rules.output(stream);
            ObjectNode record =
                    (ObjectNode) process(stream, RAW.get(stream).get(0)).records().get(0);

            output.applyMinorPolicy(record);

            assertThat(fieldNames(record)).doesNotContainAnyElementsOf(output.minorDropFields());
            assertThat(messages(stream, record)).isEmpty();
        }
    }

    @Test
    void validate_onlyRequiredInputFields_conformsAndCarriesTheRequiredOutputFields() {
        Map<String, String> minimal =
                Map.of(
                        "device",
                                "{\"event_id\":\"e\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:17:42Z\"}",
                        "location",
                                "{\"event_id\":\"e\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:17:42Z\"}",
                        "service",
                                "{\"event_id\":\"e\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:17:42Z\","
                                        + "\"action\":\"view\"}");
        for (Map.Entry<String, String> e : minimal.entrySet()) {
            JsonNode record = process(e.getKey(), e.getValue()).records().get(0);

            assertThat(messages(e.getKey(), record)).as(e.getKey()).isEmpty();
            List<String> required = new ArrayList<>();
            schemaNodes.get(e.getKey()).get("required").forEach(n -> required.add(n.asText()));
            assertThat(required)
                    .containsExactlyInAnyOrder(
                            "rules_version",
                            "key_epoch",
                            "policy_version",
                            "event_id",
                            "subject",
                            "event_time");
            assertThat(fieldNames(record)).containsAll(required);
        }
    }

    @Test
    void declaredProperties_areExactlyTheRuleTargetsPlusTheStamps() {
        for (String stream : List.of("device", "location", "service")) {
            List<String> produced = new ArrayList<>();
            for (FieldRule rule : rules.output(stream).fields()) {
                produced.add(rule.target());
            }
            produced.add(OutputRules.RULES_VERSION_FIELD);
            produced.add(OutputRules.KEY_EPOCH_FIELD);
            produced.add(OutputRules.POLICY_VERSION_FIELD);

            assertThat(declared(stream)).as(stream).containsExactlyElementsOf(produced);
        }
    }

    @Test
    void schemaHeaders_nameTheTopicAndForbidUndeclaredFields() {
        for (String stream : List.of("device", "location", "service")) {
            JsonNode s = schemaNodes.get(stream);

            assertThat(s.get("$schema").asText())
                    .isEqualTo("https://json-schema.org/draft/2020-12/schema");
            assertThat(s.get("$id").asText())
                    .isEqualTo("https://veil.dev/schemas/output/" + stream + ".schema.json");
            assertThat(s.get("title").asText()).contains(rules.output(stream).topic());
            assertThat(s.get("additionalProperties").asBoolean(true)).isFalse();
            s.get("properties")
                    .fields()
                    .forEachRemaining(
                            p ->
                                    assertThat(p.getValue().path("description").asText())
                                            .as("description of %s.%s", stream, p.getKey())
                                            .isNotBlank());
        }
    }

    private static List<String> declared(String schema) {
        List<String> names = new ArrayList<>();
        schemaNodes.get(schema).get("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void validate_recordWithRawIdentifierOrUngeneralisedValues_isRejected() {
        ObjectNode good = (ObjectNode) process("device", RAW.get("device").get(0)).records().get(0);
        assertThat(messages("device", good)).isEmpty();

        assertThat(messages("device", good.deepCopy().put("user_id", "alice@example.com")))
                .isNotEmpty();
        assertThat(messages("device", good.deepCopy().put("subject", "alice@example.com")))
                .isNotEmpty();
        assertThat(
                        messages(
                                "device",
                                good.deepCopy().put("event_time", "2026-11-28T10:17:42.123Z")))
                .isNotEmpty();
        assertThat(messages("device", good.deepCopy().put("ip_prefix", "203.0.113.77/32")))
                .isNotEmpty();
        assertThat(messages("device", good.deepCopy().put("battery_pct", 57))).isNotEmpty();
        assertThat(messages("device", good.deepCopy().without("rules_version"))).isNotEmpty();

        ObjectNode location =
                (ObjectNode) process("location", RAW.get("location").get(0)).records().get(0);
        assertThat(messages("location", location.deepCopy().put("lat", 53.3498))).isNotEmpty();
        assertThat(
                        messages(
                                "location",
                                location.deepCopy().put("event_time", "2026-11-28T10:17:00Z")))
                .isNotEmpty();

        ObjectNode service =
                (ObjectNode) process("service", RAW.get("service").get(0)).records().get(0);
        assertThat(
                        messages(
                                "service",
                                service.deepCopy()
                                        .put("url_host", "https://shop.example.com/basket")))
                .isNotEmpty();
        assertThat(messages("service", service.deepCopy().put("query", "where does alice live")))
                .isNotEmpty();
    }

    @Test
    void validate_deadLettersOfEveryReason_conformToTheDeadLetterSchema() throws IOException {
        List<String[]> reasons = new ArrayList<>();
        LogRecordProcessor.Emitter collect =
                new LogRecordProcessor.Emitter() {
                    @Override
                    public void anonymised(
                            OutputRules output,
                            String subjectKey,
                            long eventTime,
                            byte[] value,
                            String key,
                            int[] slots,
                            int keySlot) {}

                    @Override
                    public void deadLetter(DeadLetterReason reason, String detail) {
                        reasons.add(new String[] {reason.name(), detail});
                    }
                };
        LogRecordProcessor p = processor(rules);
        p.process(
                "device",
                "{\"user_id\": \"alice-secret\", ".getBytes(StandardCharsets.UTF_8),
                LATEST,
                collect);
        p.process(
                "device",
                "{\"event_id\":\"e\",\"user_id\":\"u\"}".getBytes(StandardCharsets.UTF_8),
                LATEST,
                collect);
        p.process(
                "device",
                ("{\"event_id\":\"e\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:17:42Z\","
                                + "\"ip\":\"999.1.1.1\"}")
                        .getBytes(StandardCharsets.UTF_8),
                LATEST,
                collect);
        new ConsentRecordProcessor(rules, new Pseudonymiser(testKey()))
                .process(
                        "{\"action\":\"grant\"}".getBytes(StandardCharsets.UTF_8),
                        Long.MAX_VALUE,
                        new ConsentRecordProcessor.Emitter() {
                            @Override
                            public void change(String subjectKey, ConsentChange change) {}

                            @Override
                            public void deadLetter(DeadLetterReason reason, String detail) {
                                reasons.add(new String[] {reason.name(), detail});
                            }
                        });
        reasons.add(
                new String[] {
                    DeadLetterReason.CONSENT_BUFFER_FULL.name(), "subject has 10000 pending events"
                });
        reasons.add(
                new String[] {
                    DeadLetterReason.LATE_EVENT.name(), "event time behind the log watermark"
                });
        reasons.add(
                new String[] {
                    DeadLetterReason.RULES_VERSION_REFUSED.name(),
                    "version 'v3' changes subject_id normalisation: needs a savepoint restart"
                });
        reasons.add(
                new String[] {
                    DeadLetterReason.RULES_VERSION_CHANGED.name(),
                    "anonymised at the source by rules version 'v1', but 'v2' is in force"
                });
        assertThat(reasons)
                .extracting(r -> DeadLetterReason.valueOf(r[0]))
                .containsExactly(
                        DeadLetterReason.MALFORMED_JSON,
                        DeadLetterReason.SCHEMA_VIOLATION,
                        DeadLetterReason.INVALID_VALUE,
                        DeadLetterReason.SCHEMA_VIOLATION,
                        DeadLetterReason.CONSENT_BUFFER_FULL,
                        DeadLetterReason.LATE_EVENT,
                        DeadLetterReason.RULES_VERSION_REFUSED,
                        DeadLetterReason.RULES_VERSION_CHANGED);
        assertThat(reasons)
                .as("every reason")
                .extracting(r -> DeadLetterReason.valueOf(r[0]))
                .containsAll(List.of(DeadLetterReason.values()));

        long offset = 0;
        for (String[] r : reasons) {
            DeadLetter dl =
                    new DeadLetter(
                            DeadLetterReason.valueOf(r[0]),
                            r[1],
                            "veil.raw.device",
                            3,
                            offset++,
                            T1000.toEpochMilli() + 123);
            JsonNode json = Json.MAPPER.readTree(dl.toJson(rules.version()));

            assertThat(messages("dead-letter", json)).as("%s", json).isEmpty();
            assertThat(json.get("source_timestamp").asText()).isEqualTo("2026-11-28T10:00:00.123Z");
            assertThat(json.toString()).doesNotContain("alice-secret", "999.1.1.1");
        }
    }

    @Test
    void validate_deadLetterWithUnknownReason_isRejected() throws IOException {
        ObjectNode json =
                (ObjectNode)
                        Json.MAPPER.readTree(
                                new DeadLetter(
                                                DeadLetterReason.INVALID_VALUE,
                                                "d",
                                                "veil.raw.device",
                                                0,
                                                0,
                                                0)
                                        .toJson(rules.version()));
        json.put("reason", "oops");

        assertThat(messages("dead-letter", json)).isNotEmpty();
    }

    @Test
    void process_hugeDuration_publishesTheExactBucketBoundOrReportsAnInvalidValue() {
        Result r =
                process(
                        "service",
                        "{\"event_id\":\"e\",\"user_id\":\"u\",\"event_time\":\"2026-11-28T10:17:42Z\","
                                + "\"action\":\"call\",\"duration_ms\":100000000000000000000}");

        JsonNode duration = r.records().get(0).get("duration_ms");
        if (duration == null) {
            assertThat(r.deadLetters())
                    .singleElement()
                    .asString()
                    .startsWith(DeadLetterReason.INVALID_VALUE.label());
        } else {
            assertThat(duration.bigIntegerValue()).isEqualTo(java.math.BigInteger.TEN.pow(20));
        }
    }
}
