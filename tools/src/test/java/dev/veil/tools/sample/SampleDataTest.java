package dev.veil.tools.sample;

import dev.veil.schema.InputSchemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleDataTest {

    private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
    private static final long DAY_START =
            DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    private static final long DAY_END = DAY_START + 86_400_000L;
    private static final Topics TOPICS =
            new Topics(
                    "veil.raw.device", "veil.raw.location", "veil.raw.service", "veil.raw.consent");
    private static final int SUBJECTS = 300;
    private static final Pattern RFC3339_MILLIS_Z =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    private static final Pattern UUID_V4 =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    private static final Pattern COORDINATE = Pattern.compile("\"(lat|lon)\":(-?[0-9]+\\.[0-9]+)");
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What a record turned out to be when checked against the schemas and value rules. */
    private enum Verdict {
        VALID,
        MALFORMED_JSON,
        SCHEMA_VIOLATION,
        INVALID_VALUE
    }

    private static SampleData data;
    private static Map<String, JsonSchema> schemaByTopic;
    private static List<Verdict> verdicts;

    @BeforeAll
    static void generate() throws IOException {
        data = SampleData.generate(42, SUBJECTS, DAY, TOPICS);
        Path dir = Path.of("..", "schemas", "input");
        // The 2020-12 meta-schema with Veil's annotation, as InputSchemas has it, so the validator
        // knows the keyword
        // instead of warning about it; it validates nothing.
        JsonMetaSchema meta =
                JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                        .keyword(new NonValidationKeyword(InputSchemas.IDENTIFIER_KEYWORD))
                        .keyword(new NonValidationKeyword(InputSchemas.PEER_KEYWORD))
                        .build();
        JsonSchemaFactory factory =
                JsonSchemaFactory.getInstance(
                        SpecVersion.VersionFlag.V202012, b -> b.metaSchema(meta));
        schemaByTopic = new HashMap<>();
        schemaByTopic.put(
                TOPICS.device(),
                factory.getSchema(Files.readString(dir.resolve("device.schema.json"))));
        schemaByTopic.put(
                TOPICS.location(),
                factory.getSchema(Files.readString(dir.resolve("location.schema.json"))));
        schemaByTopic.put(
                TOPICS.service(),
                factory.getSchema(Files.readString(dir.resolve("service.schema.json"))));
        schemaByTopic.put(
                TOPICS.consent(),
                factory.getSchema(Files.readString(dir.resolve("consent.schema.json"))));
        verdicts = new ArrayList<>();
        for (SampleRecord r : data.records()) {
            verdicts.add(verdict(r));
        }
    }

    @Test
    void sameSeedGivesIdenticalRecordsAndDifferentSeedDiffers() {
        SampleData again = SampleData.generate(42, SUBJECTS, DAY, TOPICS);
        assertThat(again.records()).isEqualTo(data.records());
        assertThat(again.countsByKind()).isEqualTo(data.countsByKind());
        assertThat(again.rawIdentifiers()).isEqualTo(data.rawIdentifiers());

        SampleData other = SampleData.generate(43, SUBJECTS, DAY, TOPICS);
        assertThat(other.records()).isNotEqualTo(data.records());
        assertThat(other.records().get(other.records().size() / 2).value())
                .isNotEqualTo(data.records().get(data.records().size() / 2).value());
    }

    @Test
    void recordsAreSortedByTimestampThenTopicThenKey() {
        assertThat(data.records())
                .isSortedAccordingTo(
                        Comparator.comparingLong(SampleRecord::timestampMillis)
                                .thenComparing(SampleRecord::topic)
                                .thenComparing(SampleRecord::key));
        assertThat(data.records())
                .extracting(SampleRecord::topic)
                .containsOnly(
                        TOPICS.device(), TOPICS.location(), TOPICS.service(), TOPICS.consent());
    }

    @Test
    void everyRecordIsValidOrCountedAsMalformedOfItsCategory() {
        Map<Verdict, Integer> byVerdict = new EnumMap<>(Verdict.class);
        Map<String, Integer> validByTopic = new HashMap<>();
        for (int i = 0; i < verdicts.size(); i++) {
            byVerdict.merge(verdicts.get(i), 1, Integer::sum);
            if (verdicts.get(i) == Verdict.VALID) {
                validByTopic.merge(data.records().get(i).topic(), 1, Integer::sum);
            }
        }
        Map<String, Integer> counts = data.countsByKind();
        assertThat(byVerdict.get(Verdict.MALFORMED_JSON)).isEqualTo(counts.get("malformed_json"));
        assertThat(byVerdict.get(Verdict.SCHEMA_VIOLATION))
                .isEqualTo(counts.get("schema_violation"));
        assertThat(byVerdict.get(Verdict.INVALID_VALUE)).isEqualTo(counts.get("invalid_value"));
        assertThat(validByTopic.get(TOPICS.device())).isEqualTo(counts.get("device"));
        assertThat(validByTopic.get(TOPICS.location())).isEqualTo(counts.get("location"));
        assertThat(validByTopic.get(TOPICS.service())).isEqualTo(counts.get("service"));
        assertThat(validByTopic.get(TOPICS.consent())).isEqualTo(counts.get("consent"));
        int total =
                counts.get("device")
                        + counts.get("location")
                        + counts.get("service")
                        + counts.get("consent")
                        + counts.get("malformed_json")
                        + counts.get("schema_violation")
                        + counts.get("invalid_value");
        assertThat(total).isEqualTo(data.records().size());
    }

    @Test
    void validRecordsHaveTheirKeyAsUserIdAndTimesOnTheDay() throws IOException {
        int late = 0;
        int logs = 0;
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i) != Verdict.VALID) {
                continue;
            }
            SampleRecord r = data.records().get(i);
            JsonNode node = MAPPER.readTree(r.value());
            assertThat(node.get("user_id").asText())
                    .isEqualTo(r.key())
                    .matches("u-[a-z0-9]{10}|u-bus304rider");
            boolean consent = r.topic().equals(TOPICS.consent());
            String time = node.get(consent ? "effective_time" : "event_time").asText();
            assertThat(time).matches(RFC3339_MILLIS_Z);
            long eventMillis = Instant.parse(time).toEpochMilli();
            long lateness = r.timestampMillis() - eventMillis;
            assertThat(lateness).isBetween(0L, 20_000L);
            if (!consent) {
                logs++;
                assertThat(eventMillis).isBetween(DAY_START, DAY_END - 1);
                assertThat(node.get("event_id").asText()).matches(UUID_V4);
                if (lateness > 0) {
                    late++;
                }
            }
        }
        assertThat((double) late / logs).isBetween(0.01, 0.04);
        assertThat(data.countsByKind().get("late_arrivals")).isGreaterThan(late);
    }

    @Test
    void gpsSubjectReplaysTheWholeTraceOnTheDay() throws IOException {
        List<JsonNode> fixes = new ArrayList<>();
        for (int i = 0; i < verdicts.size(); i++) {
            SampleRecord r = data.records().get(i);
            if (r.topic().equals(TOPICS.location())
                    && r.key().equals(SampleData.GPS_TRACE_USER_ID)) {
                assertThat(verdicts.get(i)).isEqualTo(Verdict.VALID);
                fixes.add(MAPPER.readTree(r.value()));
            }
        }
        assertThat(fixes).hasSize(2144);
        assertThat(data.countsByKind().get("gps_trace")).isEqualTo(2144);
        SampleRecord first =
                data.records().stream()
                        .filter(
                                r ->
                                        r.topic().equals(TOPICS.location())
                                                && r.key().equals(SampleData.GPS_TRACE_USER_ID))
                        .findFirst()
                        .orElseThrow();
        assertThat(first.value())
                .contains(
                        "\"lat\":52.6291510",
                        "\"lon\":-8.6617460",
                        "\"event_time\":\"2026-11-28T07:45:50.000Z\"",
                        "\"source\":\"gps\"");
        assertThat(fixes)
                .allSatisfy(
                        f -> assertThat(f.get("event_time").asText()).startsWith("2026-11-28T0"));
        assertThat(
                        data.rawIdentifiers()
                                .containsAll(
                                        List.of(
                                                "52.6291510",
                                                "52.629151",
                                                "-8.6617460",
                                                "-8.661746")))
                .isTrue();

        List<JsonNode> consent = consentOf(SampleData.GPS_TRACE_USER_ID);
        assertThat(consent).hasSize(1);
        assertThat(consent.get(0).get("action").asText()).isEqualTo("grant");
        assertThat(consent.get(0).get("purposes"))
                .extracting(JsonNode::asText)
                .containsExactly("analytics", "location");
    }

    @Test
    void consentMixContainsEveryScenario() throws IOException {
        for (String scenario :
                List.of(
                        "full_grant",
                        "partial_grant",
                        "grant_then_revoke",
                        "revoke_then_regrant",
                        "erasure",
                        "minor_with_guardian",
                        "minor_without_guardian",
                        "no_consent")) {
            assertThat(data.countsByKind().get("consent_mix." + scenario))
                    .as(scenario)
                    .isPositive();
        }
        int revokesInDay = 0;
        int erasesInDay = 0;
        int grantsInDay = 0;
        int minors = 0;
        int guardianGrants = 0;
        int nonGuardianGrants = 0;
        int lateChanges = 0;
        Set<String> withConsent = new HashSet<>();
        for (int i = 0; i < verdicts.size(); i++) {
            SampleRecord r = data.records().get(i);
            if (!r.topic().equals(TOPICS.consent()) || verdicts.get(i) != Verdict.VALID) {
                continue;
            }
            JsonNode c = MAPPER.readTree(r.value());
            withConsent.add(r.key());
            long effective = Instant.parse(c.get("effective_time").asText()).toEpochMilli();
            boolean inDay = effective >= DAY_START;
            switch (c.get("action").asText()) {
                case "revoke" -> revokesInDay += inDay ? 1 : 0;
                case "erase" -> erasesInDay += inDay ? 1 : 0;
                case "age_status" -> minors += c.get("minor").asBoolean() ? 1 : 0;
                case "grant" -> {
                    grantsInDay += inDay ? 1 : 0;
                    if (c.has("guardian_consent")) {
                        if (c.get("guardian_consent").asBoolean()) {
                            guardianGrants++;
                        } else {
                            nonGuardianGrants++;
                        }
                    }
                }
                default -> throw new AssertionError("unexpected action in " + r.value());
            }
            if (r.timestampMillis() > effective) {
                lateChanges++;
            }
            assertThat(c.get("policy_version").asText()).matches("\\d{4}-\\d\\d");
        }
        assertThat(revokesInDay).isPositive();
        assertThat(erasesInDay).isPositive();
        assertThat(grantsInDay).isPositive();
        assertThat(minors).isEqualTo(guardianGrants + nonGuardianGrants);
        assertThat(guardianGrants).isPositive();
        assertThat(nonGuardianGrants).isPositive();
        assertThat(lateChanges).isPositive();
        assertThat(serviceEventsAtInDayChanges()).isPositive();
        int noConsent = data.countsByKind().get("consent_mix.no_consent");
        assertThat(withConsent).hasSize(SUBJECTS + 1 - noConsent);
    }

    @Test
    void erasedSubjectsHaveAnEventBeforeTheErasure_andSomeGrantAgainWithAnEventAfterTheNewGrant()
            throws IOException {
        Map<String, List<JsonNode>> consent = new HashMap<>();
        Map<String, List<Long>> serviceTimes = new HashMap<>();
        for (int i = 0; i < verdicts.size(); i++) {
            SampleRecord r = data.records().get(i);
            if (verdicts.get(i) != Verdict.VALID) {
                continue;
            }
            JsonNode node = MAPPER.readTree(r.value());
            if (r.topic().equals(TOPICS.consent())) {
                consent.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(node);
            } else if (r.topic().equals(TOPICS.service())) {
                serviceTimes
                        .computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(Instant.parse(node.get("event_time").asText()).toEpochMilli());
            }
        }
        int erased = 0;
        int grantedAgain = 0;
        for (Map.Entry<String, List<JsonNode>> e : consent.entrySet()) {
            Long erasedAt = null;
            Long grantedAgainAt = null;
            for (JsonNode c : e.getValue()) {
                long at = Instant.parse(c.get("effective_time").asText()).toEpochMilli();
                String action = c.get("action").asText();
                if (action.equals("erase")) {
                    erasedAt = at;
                } else if (action.equals("grant") && erasedAt != null && at > erasedAt) {
                    grantedAgainAt = at;
                }
            }
            if (erasedAt == null) {
                continue;
            }
            erased++;
            List<Long> times = serviceTimes.getOrDefault(e.getKey(), List.of());
            long erasure = erasedAt;
            assertThat(times)
                    .as("a service event of %s in the half hour before the erasure", e.getKey())
                    .anyMatch(t -> t < erasure && t >= erasure - 31 * 60_000L);
            if (grantedAgainAt != null) {
                grantedAgain++;
                long grant = grantedAgainAt;
                assertThat(times)
                        .as("a service event of %s after the new grant", e.getKey())
                        .anyMatch(t -> t > grant && t < DAY_END);
            }
        }
        assertThat(erased).isEqualTo(data.countsByKind().get("consent_mix.erasure"));
        assertThat(grantedAgain).isPositive().isLessThan(erased);
    }

    @Test
    void peerAccountsAreDataSubjects_someOfThemPublishedUnderTheirOwnGrant() throws IOException {
        Set<String> subjects = new HashSet<>();
        Set<String> granted = new HashSet<>();
        Set<String> peers = new HashSet<>();
        int peerPhones = 0;
        for (int i = 0; i < verdicts.size(); i++) {
            SampleRecord r = data.records().get(i);
            if (verdicts.get(i) != Verdict.VALID) {
                continue;
            }
            JsonNode node = MAPPER.readTree(r.value());
            subjects.add(r.key());
            if (r.topic().equals(TOPICS.consent()) && node.get("action").asText().equals("grant")) {
                granted.add(r.key());
            }
            if (node.has("peer_account_id")) {
                peers.add(node.get("peer_account_id").asText());
            }
            peerPhones += node.has("peer_phone") ? 1 : 0;
        }
        assertThat(peers).hasSizeGreaterThan(SUBJECTS / 2);
        assertThat(subjects).containsAll(peers);
        assertThat(peers.stream().filter(granted::contains).count())
                .as("peers whose own records are published too")
                .isGreaterThan(SUBJECTS / 4);
        assertThat(peerPhones).isPositive();
    }

    @Test
    void consentRecordsCarrySeveralPolicyVersions_inDayGrantsTheNewestOne() throws IOException {
        Map<String, Integer> byVersion = new HashMap<>();
        for (int i = 0; i < verdicts.size(); i++) {
            SampleRecord r = data.records().get(i);
            if (verdicts.get(i) != Verdict.VALID || !r.topic().equals(TOPICS.consent())) {
                continue;
            }
            JsonNode c = MAPPER.readTree(r.value());
            String version = c.get("policy_version").asText();
            byVersion.merge(version, 1, Integer::sum);
            boolean inDayGrant =
                    c.get("action").asText().equals("grant")
                            && Instant.parse(c.get("effective_time").asText()).toEpochMilli()
                                    >= DAY_START;
            assertThat(version.equals(SampleGenerator.IN_DAY_POLICY_VERSION))
                    .as("in-day grants, and only they, carry 2026-11: %s", r.value())
                    .isEqualTo(inDayGrant);
        }
        assertThat(byVersion.keySet()).containsExactlyInAnyOrder("2026-03", "2026-09", "2026-11");
        assertThat(byVersion.get("2026-09")).isGreaterThan(byVersion.get("2026-03"));
    }

    @Test
    void malformedRecordsOfEveryKindAreThereAtLeastThreeTimes() {
        Map<String, Integer> counts = data.countsByKind();
        assertThat(counts.get("malformed_json")).isGreaterThanOrEqualTo(3);
        assertThat(counts.get("schema_violation")).isGreaterThanOrEqualTo(3);
        assertThat(counts.get("invalid_value")).isGreaterThanOrEqualTo(3);
        List<String> values = data.records().stream().map(SampleRecord::value).toList();
        assertThat(values.stream().filter(v -> v.startsWith("["))).hasSizeGreaterThanOrEqualTo(3);
        assertThat(values.stream().filter(v -> v.contains("\"action\":\"teleport\"")))
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(values.stream().filter(v -> v.contains("\"battery_pct\":\"")))
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(values.stream().filter(v -> v.matches(".*\"battery_pct\":(150|101|-5),.*")))
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(
                        values.stream()
                                .filter(
                                        v ->
                                                v.startsWith("{\"")
                                                        && !v.contains("\"event_time\"")
                                                        && !v.contains("\"effective_time\"")))
                .hasSizeGreaterThanOrEqualTo(3);
        int malformedConsent = 0;
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i) != Verdict.VALID
                    && data.records().get(i).topic().equals(TOPICS.consent())) {
                malformedConsent++;
            }
        }
        assertThat(malformedConsent).isGreaterThanOrEqualTo(3);
        int malformed =
                counts.get("malformed_json")
                        + counts.get("schema_violation")
                        + counts.get("invalid_value");
        int logs = counts.get("device") + counts.get("location") + counts.get("service");
        assertThat((double) malformed / logs).isBetween(0.003, 0.01);
    }

    @Test
    void rawIdentifiersCoverEveryIdentifierWritten() throws IOException {
        Set<String> raw = data.rawIdentifiers();
        List<String> missing = new ArrayList<>();
        int ipv6 = 0;
        int withIp = 0;
        boolean mapped = false;
        boolean withPort = false;
        for (int i = 0; i < verdicts.size(); i++) {
            if (verdicts.get(i) != Verdict.VALID) {
                continue;
            }
            SampleRecord r = data.records().get(i);
            JsonNode node = MAPPER.readTree(r.value());
            if (!raw.contains(r.key())) {
                missing.add("key " + r.key());
            }
            for (String field :
                    List.of(
                            "event_id",
                            "device_id",
                            "session_id",
                            "peer_account_id",
                            "peer_phone",
                            "wifi_bssid",
                            "ip")) {
                if (node.has(field) && !raw.contains(node.get(field).asText())) {
                    missing.add(field + " " + node.get(field).asText());
                }
            }
            if (node.has("ip")) {
                String ip = node.get("ip").asText();
                withIp++;
                mapped |= ip.startsWith("::ffff:");
                withPort |= ip.matches("[0-9.]+:\\d+|\\[.*]:\\d+");
                if (ip.contains(":") && !ip.startsWith("::ffff:") && !ip.matches("[0-9.]+:\\d+")) {
                    ipv6++;
                }
            }
            Matcher m = COORDINATE.matcher(r.value());
            while (m.find()) {
                if (!raw.contains(m.group(2))) {
                    missing.add(m.group(1) + " " + m.group(2));
                }
            }
        }
        assertThat(missing).isEmpty();
        assertThat((double) ipv6 / withIp).isBetween(0.1, 0.3);
        assertThat(mapped).isTrue();
        assertThat(withPort).isTrue();
        assertThat(raw)
                .anyMatch(id -> id.matches("\\d{15}"))
                .anyMatch(id -> id.matches("\\+353 8\\d \\d{3} \\d{4}"));
    }

    @Test
    void rejectsInvalidArguments() {
        assertThatThrownBy(() -> SampleData.generate(1, 0, DAY, TOPICS))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Topics("a", "b", " ", "d"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Service events whose event time is exactly the effective time of an in-day consent change of
     * their user.
     */
    private static int serviceEventsAtInDayChanges() throws IOException {
        Set<String> changes = new HashSet<>();
        Set<String> events = new HashSet<>();
        for (int i = 0; i < verdicts.size(); i++) {
            SampleRecord r = data.records().get(i);
            if (verdicts.get(i) != Verdict.VALID) {
                continue;
            }
            if (r.topic().equals(TOPICS.consent())) {
                String effective = MAPPER.readTree(r.value()).get("effective_time").asText();
                if (Instant.parse(effective).toEpochMilli() >= DAY_START) {
                    changes.add(r.key() + " " + effective);
                }
            } else if (r.topic().equals(TOPICS.service())) {
                events.add(r.key() + " " + MAPPER.readTree(r.value()).get("event_time").asText());
            }
        }
        changes.retainAll(events);
        return changes.size();
    }

    private static List<JsonNode> consentOf(String userId) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (SampleRecord r : data.records()) {
            if (r.topic().equals(TOPICS.consent()) && r.key().equals(userId)) {
                out.add(MAPPER.readTree(r.value()));
            }
        }
        return out;
    }

    private static Verdict verdict(SampleRecord r) {
        JsonNode node;
        try {
            node = MAPPER.readTree(r.value());
        } catch (JsonProcessingException e) {
            return Verdict.MALFORMED_JSON;
        }
        if (node == null || node.isMissingNode()) {
            return Verdict.MALFORMED_JSON;
        }
        if (!schemaByTopic.get(r.topic()).validate(node).isEmpty()) {
            return Verdict.SCHEMA_VIOLATION;
        }
        if (node.has("ip") && !validIpLiteral(node.get("ip").asText())) {
            return Verdict.INVALID_VALUE;
        }
        if (node.has("lat") && Math.abs(node.get("lat").asDouble()) > 90
                || node.has("lon") && Math.abs(node.get("lon").asDouble()) > 180) {
            return Verdict.INVALID_VALUE;
        }
        for (String field : List.of("url", "referrer_url")) {
            if (node.has(field) && !absoluteHttpUrl(node.get(field).asText())) {
                return Verdict.INVALID_VALUE;
            }
        }
        return Verdict.VALID;
    }

    private static boolean validIpLiteral(String literal) {
        String host = literal;
        if (literal.startsWith("[")) {
            int close = literal.indexOf(']');
            if (close < 0 || !literal.substring(close).matches("]:\\d{1,5}")) {
                return false;
            }
            host = literal.substring(1, close);
        } else if (literal.matches("[0-9.]+:\\d{1,5}")) {
            host = literal.substring(0, literal.indexOf(':'));
        }
        return new IPAddressString(host).isIPAddress();
    }

    private static boolean absoluteHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return uri.isAbsolute()
                    && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && !uri.getHost().isEmpty();
        } catch (URISyntaxException e) {
            return false;
        }
    }

    @Test
    void homeCities_areTheSevenCitiesTheGazetteerKnows() {
        assertThat(SampleData.homeCities())
                .containsExactlyInAnyOrder(
                        "Dublin", "Cork", "Limerick", "Galway", "Belfast", "Berlin", "Madrid");
    }
}
