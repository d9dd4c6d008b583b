package dev.veil.job.risk;

import dev.veil.job.RulesText;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The risk measurement through its three operators, on the shipped rules' location output
 * (quasi-identifiers event_time and h3_cell): groups counted per window, unique and below-k shares,
 * the warning flag, other topics and unreadable times left out.
 */
class RiskOperatorsTest {
    private static final RulesText RULES = RulesText.read(Path.of("../config/rules.yaml"));
    private static final Duration HOUR = Duration.ofHours(1);
    private static final long W10 = Instant.parse("2026-11-28T10:00:00Z").toEpochMilli();

    private static OutRecord location(String time, String cell, String subject) {
        String json =
                "{\"event_id\":\"e\",\"subject\":\""
                        + subject
                        + "\",\"event_time\":"
                        + (time == null ? "null" : "\"" + time + "\"")
                        + ",\"h3_cell\":\""
                        + cell
                        + "\",\"source\":\"gps\",\"rules_version\":\"v\"}";
        return new OutRecord("veil.anon.location", null, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Runs the three operators in turn, watermark after the records, as the gate emits them. */
    private static List<JsonNode> measure(List<OutRecord> published, long watermark)
            throws Exception {
        List<RiskObservation> observed = new ArrayList<>();
        try (var h =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new RiskObservations(RULES, HOUR)))) {
            h.open();
            for (OutRecord r : published) {
                // timestamped as the gate publishes: the event's own time (here its published one)
                JsonNode t = Json.MAPPER.readTree(r.value).path("event_time");
                if (t.isTextual()) {
                    h.processElement(
                            new StreamRecord<>(r, Instant.parse(t.asText()).toEpochMilli()));
                } else {
                    h.processElement(new StreamRecord<>(r));
                }
            }
            observed.addAll(h.extractOutputValues());
        }
        List<RiskObservation> groups = new ArrayList<>();
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new RiskGroups(HOUR)),
                        RiskObservation::groupKey,
                        Types.STRING)) {
            h.open();
            for (RiskObservation o : observed) {
                h.processElement(new StreamRecord<>(o));
            }
            h.processWatermark(watermark);
            groups.addAll(h.extractOutputValues());
        }
        List<JsonNode> out = new ArrayList<>();
        try (var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new RiskWindows(RULES, "veil.risk", HOUR, 3, 0.05)),
                        RiskObservation::windowKey,
                        Types.STRING)) {
            h.open();
            for (RiskObservation g : groups) {
                h.processElement(new StreamRecord<>(g));
            }
            h.processWatermark(watermark);
            for (OutRecord r : h.extractOutputValues()) {
                assertThat(r.topic).isEqualTo("veil.risk");
                out.add(Json.MAPPER.readTree(r.value));
            }
        }
        return out;
    }

    @Test
    void oneRecordPerOutputAndWindow_withUniqueAndBelowKShares() throws Exception {
        List<OutRecord> published =
                List.of(
                        location("2026-11-28T10:05:00Z", "891f1d48177ffff", "s1"),
                        location("2026-11-28T10:05:00Z", "891f1d48177ffff", "s2"),
                        location("2026-11-28T10:05:00Z", "891f1d48177ffff", "s3"),
                        location("2026-11-28T10:05:00Z", "891f1d4817bffff", "s4"),
                        location("2026-11-28T10:10:00Z", "891f1d48177ffff", "s5"),
                        location("2026-11-28T11:20:00Z", "891f1d48177ffff", "s6"),
                        // not an output with quasi-identifiers, and a record without a time
                        new OutRecord("veil.dead-letter", null, "{}".getBytes()),
                        location(null, "891f1d48177ffff", "s7"));
        List<JsonNode> risk = measure(published, W10 + 2 * HOUR.toMillis());
        assertThat(risk).hasSize(2);
        JsonNode ten =
                risk.stream()
                        .filter(r -> r.get("window_start").asText().equals("2026-11-28T10:00:00Z"))
                        .findFirst()
                        .orElseThrow();
        assertThat(ten.get("output").asText()).isEqualTo("location");
        assertThat(ten.get("topic").asText()).isEqualTo("veil.anon.location");
        assertThat(ten.get("window_end").asText()).isEqualTo("2026-11-28T11:00:00Z");
        assertThat(ten.get("quasi_identifiers").toString())
                .isEqualTo("[\"event_time\",\"h3_cell\"]");
        // groups of 3, 1 and 1: the subject pseudonym is not a quasi-identifier
        assertThat(ten.get("records").asLong()).isEqualTo(5);
        assertThat(ten.get("groups").asLong()).isEqualTo(3);
        assertThat(ten.get("unique_records").asLong()).isEqualTo(2);
        assertThat(ten.get("unique_share").asDouble()).isCloseTo(0.4, within(1e-12));
        assertThat(ten.get("k").asLong()).isEqualTo(3);
        assertThat(ten.get("below_k_records").asLong())
                .as("the group of 3 is not below k 3")
                .isEqualTo(2);
        assertThat(ten.get("below_k_share").asDouble()).isCloseTo(0.4, within(1e-12));
        assertThat(ten.get("over_threshold").asBoolean()).isTrue();
        JsonNode eleven =
                risk.stream()
                        .filter(r -> r.get("window_start").asText().equals("2026-11-28T11:00:00Z"))
                        .findFirst()
                        .orElseThrow();
        assertThat(eleven.get("records").asLong()).isEqualTo(1);
        assertThat(eleven.get("unique_share").asDouble()).isEqualTo(1.0);
    }

    @Test
    void aWindowCloses_onlyWhenTheWatermarkPassesItsEnd() throws Exception {
        List<OutRecord> published =
                List.of(location("2026-11-28T10:05:00Z", "891f1d48177ffff", "s1"));
        assertThat(measure(published, W10 + HOUR.toMillis() - 2)).isEmpty();
        assertThat(measure(published, W10 + HOUR.toMillis() - 1)).hasSize(1);
    }

    @Test
    void groupDigest_tellsAMissingFieldFromAnEmptyOne_andDependsOnOrder() throws Exception {
        RiskObservations o = new RiskObservations(RULES, HOUR);
        JsonNode a = Json.MAPPER.readTree("{\"x\":\"\",\"y\":\"1\"}");
        JsonNode b = Json.MAPPER.readTree("{\"y\":\"1\"}");
        JsonNode c = Json.MAPPER.readTree("{\"x\":\"1\",\"y\":\"\"}");
        assertThat(o.group(a, List.of("x", "y"))).isNotEqualTo(o.group(b, List.of("x", "y")));
        assertThat(o.group(a, List.of("x", "y"))).isNotEqualTo(o.group(c, List.of("x", "y")));
        assertThat(o.group(a, List.of("x", "y"))).isEqualTo(o.group(a, List.of("x", "y")));
    }
}
