package dev.veil.tools.rules;

import dev.veil.record.Json;
import dev.veil.schema.InputSchemas;
import dev.veil.tools.cli.Cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./veil rules preview}: every output of the shipped rules on synthetic records, no raw
 * identifier in what is published, a fresh key per run, the minors policy.
 */
class RulesPreviewTest {
    private static final String SHIPPED = "../config/rules.yaml";

    private record Run(int exit, String out, String err) {
        List<JsonNode> json() {
            return out.lines()
                    .map(
                            l -> {
                                try {
                                    return Json.MAPPER.readTree(l);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            })
                    .toList();
        }
    }

    private static Run preview(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "preview";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = Cli.execute(new RulesMain(), new PrintWriter(out), new PrintWriter(err), all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void preview_shippedRules_everyOutputNoRawIdentifierFreshKeyPerRun() {
        Run first = preview(SHIPPED, "--json");
        Run second = preview(SHIPPED, "--json");

        assertThat(first.exit()).isZero();
        assertThat(first.err())
                .contains("synthetic")
                .contains("throwaway random key")
                .contains("consent is not checked");
        List<JsonNode> a = first.json();
        Set<String> outputs = new LinkedHashSet<>();
        a.forEach(r -> outputs.add(r.get("output").asText()));
        assertThat(outputs).containsExactly("device", "location", "service");
        assertThat(a).hasSize(9); // 3 records per stream, one output each

        for (JsonNode r : a) {
            JsonNode out = r.get("out");
            if (out.isNull()) {
                continue;
            }
            String stream = r.get("sample").asText().split(" ")[0];
            String published = out.toString();
            for (String id : InputSchemas.get().identifiers(stream)) {
                JsonNode raw = r.get("in").get(id);
                if (raw == null || raw.isNull()) {
                    continue;
                }
                // no published value is the raw identifier, nor (for text) contains it
                for (JsonNode v : out) {
                    assertThat(v).as("%s.%s", r.get("output"), id).isNotEqualTo(raw);
                }
                if (raw.isTextual()) {
                    assertThat(published).doesNotContain(raw.asText());
                }
            }
        }

        // within a run one subject has one pseudonym in every output; across runs it differs
        Map<String, String> subjectOf = subjects(a);
        assertThat(subjectOf).hasSize(3);
        Map<String, String> again = subjects(second.json());
        assertThat(again.keySet()).isEqualTo(subjectOf.keySet());
        for (String user : subjectOf.keySet()) {
            assertThat(again.get(user)).matches("[0-9a-f]{64}").isNotEqualTo(subjectOf.get(user));
        }
        // the same records, in the same order, on every run
        List<JsonNode> inA = new ArrayList<>();
        a.forEach(r -> inA.add(r.get("in")));
        List<JsonNode> inB = new ArrayList<>();
        second.json().forEach(r -> inB.add(r.get("in")));
        assertThat(inB).isEqualTo(inA);
    }

    /** user_id -> its subject pseudonym, asserting that every output agrees. */
    private static Map<String, String> subjects(List<JsonNode> records) {
        Map<String, String> m = new HashMap<>();
        for (JsonNode r : records) {
            if (r.get("out").isNull()) {
                continue;
            }
            String user = r.get("in").get("user_id").asText();
            String subject = r.get("out").get("subject").asText();
            String before = m.putIfAbsent(user, subject);
            assertThat(before == null ? subject : before).as(user).isEqualTo(subject);
        }
        return m;
    }

    @Test
    void preview_minorsRecord_minorsPolicyOfEachOutputApplied() {
        Run r = preview(SHIPPED, "--json", "--sample", "2");

        List<JsonNode> minors = new ArrayList<>();
        for (JsonNode n : r.json()) {
            if (n.get("minor").asBoolean()) {
                minors.add(n);
            }
        }
        assertThat(minors)
                .extracting(n -> n.get("output").asText())
                .containsExactly("device", "location", "service");
        JsonNode device = minors.get(0);
        assertThat(device.get("decision").asText()).isEqualTo("allowed_minor");
        assertThat(device.get("out").has("device")).isFalse();
        assertThat(device.get("out").has("ip_prefix")).isFalse();
        assertThat(device.get("out").has("subject")).isTrue();
        JsonNode location = minors.get(1);
        assertThat(location.get("decision").asText()).isEqualTo("minor_excluded");
        assertThat(location.get("out").isNull()).isTrue();
    }

    @Test
    void preview_table_sideBySideWithinWidthAndSaysTheInputIsSynthetic() {
        Run r = preview(SHIPPED, "--sample", "1");

        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("synthetic raw record")
                .contains("consent is not checked")
                .contains("== output device: stream device -> topic veil.anon.device")
                .contains("== output location:")
                .contains("== output service:");
        // the raw IP and its prefix on one row
        assertThat(r.out().lines()).anyMatch(l -> l.matches("ip +\\S+ +\\| ip_prefix +\\S+/\\d+"));
        assertThat(r.out().lines()).allMatch(l -> l.length() <= PreviewTable.WIDTH);
    }

    @Test
    void preview_inputFile_streamPerLineAndMinorOption(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("records.jsonl");
        Files.writeString(
                in,
                "{\"stream\":\"device\",\"event_id\":\"e-1\",\"user_id\":\"U-Kid\","
                        + "\"event_time\":\"2026-11-28T10:15:00Z\",\"ip\":\"203.0.113.77\"}\n"
                        + "\n"
                        + "{\"stream\":\"device\",\"event_id\":\"e-2\",\"user_id\":\"u-adult\","
                        + "\"event_time\":\"2026-11-28T10:15:00Z\",\"ip\":\"203.0.113.78\"}\n");

        Run r = preview(SHIPPED, "--input", in.toString(), "--minor", "U-Kid", "--json");

        assertThat(r.exit()).isZero();
        List<JsonNode> out = r.json();
        assertThat(out).hasSize(2);
        assertThat(out.get(0).get("sample").asText()).isEqualTo("device #1 (line 1)");
        assertThat(out.get(0).get("in").has("stream")).isFalse();
        assertThat(out.get(0).get("out").has("ip_prefix")).isFalse(); // minors.drop
        assertThat(out.get(1).get("sample").asText()).isEqualTo("device #2 (line 3)");
        assertThat(out.get(1).get("out").get("ip_prefix").asText()).isEqualTo("203.0.113.0/24");
    }

    @Test
    void preview_inputLineWithoutStream_locatedErrorExit2(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("records.jsonl");
        Files.writeString(in, "{\"event_id\":\"e-1\"}\n");

        Run r = preview(SHIPPED, "--input", in.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .startsWith(in + ":1:1 (stream): each record needs a \"stream\" field")
                .doesNotContain("Exception");
    }
}
