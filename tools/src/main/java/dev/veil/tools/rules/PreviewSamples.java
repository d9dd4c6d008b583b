package dev.veil.tools.rules;

import dev.veil.config.ConfigException;
import dev.veil.record.Json;
import dev.veil.schema.InputSchemas;
import dev.veil.tools.sample.SampleData;
import dev.veil.tools.sample.SampleRecord;
import dev.veil.tools.sample.Topics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The raw records a preview or a diff runs on: synthetic ones from the demo's generator, or the
 * user's own from a JSON Lines file.
 */
final class PreviewSamples {
    /** The demo generator's seed and day (./veil demo's defaults): the same records every run. */
    static final long SEED = 20261128L;

    static final LocalDate DAY = LocalDate.of(2026, 11, 28);

    /**
     * Synthetic subjects generated to pick from: enough for several minors (about 5% of subjects
     * are, half of them with a guardian's consent) with records in every stream.
     */
    static final int SUBJECTS = 300;

    /** The key of a JSON Lines record that names its stream; removed before the record is run. */
    static final String STREAM_KEY = "stream";

    private PreviewSamples() {}

    /**
     * {@code perStream} records of each log stream, from the same {@code perStream} synthetic
     * subjects in every stream, so that one subject's pseudonyms can be followed across outputs.
     * The subjects are the first in the sample (by time of their first record) with well-formed
     * records in all three streams, other than the GPS-trace rider; when {@code perStream} is 2 or
     * more, the last of them is a minor (declared in the sample's consent records). Per subject and
     * stream the record with the most fields set is taken, the first such.
     *
     * @param perStream records per stream, at least 1
     */
    static List<PreviewEngine.Input> synthetic(int perStream) {
        if (perStream < 1) {
            throw new IllegalArgumentException("--sample must be at least 1, was " + perStream);
        }
        SampleData data = generate(SUBJECTS);
        Map<String, Boolean> minor = new HashMap<>();
        // stream -> subject -> richest well-formed record
        Map<String, Map<String, ObjectNode>> best = new HashMap<>();
        Set<String> order = new LinkedHashSet<>();
        for (String s : InputSchemas.LOG_STREAMS) {
            best.put(s, new HashMap<>());
        }
        for (SampleRecord r : data.records()) {
            JsonNode node = parse(r.value());
            if (node == null || !node.isObject() || !node.path("user_id").isTextual()) {
                continue;
            }
            String user = node.get("user_id").asText();
            if (r.topic().equals("consent")) {
                if (node.has("minor")) {
                    minor.put(user, node.get("minor").asBoolean());
                }
                continue;
            }
            if (user.equals(SampleData.GPS_TRACE_USER_ID)
                    || !InputSchemas.get().validator(r.topic()).validate(node).isEmpty()) {
                continue;
            }
            order.add(user);
            ObjectNode before = best.get(r.topic()).get(user);
            if (before == null || setFields(node) > setFields(before)) {
                best.get(r.topic()).put(user, (ObjectNode) node);
            }
        }
        List<String> adults = new ArrayList<>();
        List<String> minors = new ArrayList<>();
        for (String user : order) {
            boolean everywhere = true;
            for (String s : InputSchemas.LOG_STREAMS) {
                everywhere &= best.get(s).containsKey(user);
            }
            if (everywhere) {
                (Boolean.TRUE.equals(minor.get(user)) ? minors : adults).add(user);
            }
        }
        List<String> chosen = new ArrayList<>();
        int wantMinor = perStream >= 2 && !minors.isEmpty() ? 1 : 0;
        chosen.addAll(adults.subList(0, Math.min(adults.size(), perStream - wantMinor)));
        if (wantMinor == 1) {
            chosen.add(minors.get(0));
        }
        Set<String> minorSet = new HashSet<>(minors);
        List<PreviewEngine.Input> inputs = new ArrayList<>();
        for (String s : InputSchemas.LOG_STREAMS) {
            int n = 0;
            for (String user : chosen) {
                inputs.add(
                        new PreviewEngine.Input(
                                s, s + " #" + ++n, best.get(s).get(user), minorSet.contains(user)));
            }
        }
        return inputs;
    }

    /**
     * Every log record of the demo generator's day for {@code subjects} synthetic subjects, in the
     * generator's order, malformed ones included (the job dead-letters them, so does the engine):
     * the sample the risk figures of a diff are measured on. A record is a minor's when the
     * sample's consent records declare its subject one.
     *
     * @param subjects synthetic subjects, at least 1
     */
    static List<PreviewEngine.Input> day(int subjects) {
        if (subjects < 1) {
            throw new IllegalArgumentException("--risk-sample must be at least 1, was " + subjects);
        }
        SampleData data = generate(subjects);
        Set<String> minors = new HashSet<>();
        List<JsonNode> parsed = new ArrayList<>();
        for (SampleRecord r : data.records()) {
            JsonNode node = parse(r.value());
            parsed.add(node);
            if (r.topic().equals("consent")
                    && node != null
                    && node.path("minor").asBoolean(false)
                    && node.path("user_id").isTextual()) {
                minors.add(node.get("user_id").asText());
            }
        }
        List<PreviewEngine.Input> inputs = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            String topic = data.records().get(i).topic();
            JsonNode node = parsed.get(i);
            if (!InputSchemas.LOG_STREAMS.contains(topic) || node == null || !node.isObject()) {
                continue;
            }
            inputs.add(
                    new PreviewEngine.Input(
                            topic,
                            topic + " #" + (inputs.size() + 1),
                            (ObjectNode) node,
                            minors.contains(node.path("user_id").asText(""))));
        }
        return inputs;
    }

    /**
     * Raw records from a JSON Lines file: one JSON object per line (blank lines skipped). With
     * {@code stream} given every line is a record of that stream; without it each line names its
     * stream in a top-level {@value #STREAM_KEY} field (no input schema has one), which is removed
     * before the record is run. A record is a minor's when its {@code user_id} is in {@code
     * minors}.
     *
     * @throws ConfigException located at the line, for a line that is not a JSON object or names no
     *     known stream
     * @throws UncheckedIOException if the file cannot be read
     */
    static List<PreviewEngine.Input> fromFile(Path file, String stream, Set<String> minors) {
        if (stream != null && !InputSchemas.LOG_STREAMS.contains(stream)) {
            throw new ConfigException(
                    "--stream",
                    "",
                    0,
                    0,
                    "'" + stream + "' is not one of " + InputSchemas.LOG_STREAMS);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "", 0, 0, "cannot read: " + e.getMessage());
        }
        List<PreviewEngine.Input> inputs = new ArrayList<>();
        Map<String, Integer> count = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = parse(line);
            if (node == null || !node.isObject()) {
                throw new ConfigException(
                        file.toString(), "", i + 1, 1, "not a JSON object on one line");
            }
            ObjectNode raw = (ObjectNode) node;
            String s = stream;
            if (s == null) {
                JsonNode named = raw.remove(STREAM_KEY);
                if (named == null || !InputSchemas.LOG_STREAMS.contains(named.asText())) {
                    throw new ConfigException(
                            file.toString(),
                            STREAM_KEY,
                            i + 1,
                            1,
                            "each record needs a \""
                                    + STREAM_KEY
                                    + "\" field, one of "
                                    + InputSchemas.LOG_STREAMS
                                    + " (or give --stream)");
                }
                s = named.asText();
            }
            int n = count.merge(s, 1, Integer::sum);
            boolean isMinor = minors.contains(raw.path("user_id").asText(null));
            inputs.add(
                    new PreviewEngine.Input(
                            s, s + " #" + n + " (line " + (i + 1) + ")", raw, isMinor));
        }
        return inputs;
    }

    /** The last sample generated, kept: a diff's two parts run on the same day of 300 subjects. */
    private static SampleData last;

    private static int lastSubjects;

    /** The generator's day for {@code subjects} subjects (seconds of work: generated once). */
    private static synchronized SampleData generate(int subjects) {
        if (last == null || lastSubjects != subjects) {
            last =
                    SampleData.generate(
                            SEED,
                            subjects,
                            DAY,
                            new Topics("device", "location", "service", "consent"));
            lastSubjects = subjects;
        }
        return last;
    }

    private static int setFields(JsonNode node) {
        int n = 0;
        for (JsonNode v : node) {
            n += v.isNull() ? 0 : 1;
        }
        return n;
    }

    private static JsonNode parse(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
