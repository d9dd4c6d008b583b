package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.NoisyRelease;
import dev.veil.aggregate.ReleaseMechanism;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.config.YamlDocument;
import dev.veil.job.records.OutRecord;
import dev.veil.privacy.KeyEpochs;
import dev.veil.record.Json;
import dev.veil.testing.ExactRelease;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counting, suppression and noise in Flink's keyed harness: one noise draw per window and cell,
 * also when the window fires after a restore from a checkpoint taken before it fired.
 */
class CountAndReleaseRestoreTest {
    static final long WINDOW = Instant.parse("2026-11-28T10:00:00Z").toEpochMilli();

    /**
     * When the window is released: window start + 1 h + 5 min allowed lateness - 1 ms
     * (BoundContributions).
     */
    static final long RELEASE = WINDOW + Duration.ofMinutes(65).toMillis() - 1;

    static final String OTHER_KEY_BASE64 =
            Base64.getEncoder()
                    .encodeToString(
                            "another-fixed-test-key-0123456!!".getBytes(StandardCharsets.US_ASCII));

    /**
     * Contributions per category. The heat map's threshold with the shipped config (k 10, L 2, ε 1,
     * δ 1e-6) is 39, so 40 contributions would be published only with probability 0.77 per draw;
     * 100 is published for every draw that is not 62 or more below the truth (probability about
     * 1e-14), so run C is comparable with run A.
     */
    private static final int SUBJECTS = 100;

    private static final int CELLS = 10;

    @TempDir Path dir;

    private final List<KeyedOneInputStreamOperatorTestHarness<String, Contribution, OutRecord>>
            harnesses = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    /** The shipped config with the noise key read from a file holding {@code keyBase64}. */
    static AggregatesConfig config(Path dir, String keyBase64) throws IOException {
        Path keyFile = Files.createTempFile(dir, "noise-key", ".b64");
        Files.writeString(keyFile, keyBase64 + "\n", StandardCharsets.US_ASCII);
        String text =
                Files.readString(Path.of("../config/aggregates.yaml"), StandardCharsets.UTF_8);
        assertThat(text).contains("env: VEIL_NOISE_KEY");
        text = text.replace("env: VEIL_NOISE_KEY", "file: \"" + keyFile.toAbsolutePath() + "\"");
        // named as the shipped file: the privacy ledger next to it lists that one
        return AggregatesConfig.load(YamlDocument.parse("../config/aggregates.yaml", text));
    }

    /** A harness releasing through the production mechanism (noise from the config's key). */
    private KeyedOneInputStreamOperatorTestHarness<String, Contribution, OutRecord> harness(
            AggregatesConfig config, OperatorSubtaskState restoreFrom, boolean rocksDb)
            throws Exception {
        return harness(config, NoisyRelease.factory(config.noiseKey), restoreFrom, rocksDb);
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Contribution, OutRecord> harness(
            AggregatesConfig config,
            ReleaseMechanism.Factory mechanism,
            OperatorSubtaskState restoreFrom,
            boolean rocksDb)
            throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new CountAndRelease(config, mechanism)),
                        new AggregationTopology.ByCategory(),
                        Types.STRING);
        harnesses.add(h);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        if (restoreFrom != null) {
            h.initializeState(restoreFrom);
        }
        h.open();
        return h;
    }

    private static String cell(int i) {
        return "87195da49ffffff-" + i;
    }

    /**
     * Contributions of {@code SUBJECTS} subjects to each of {@code CELLS} heat map cells, as
     * BoundContributions emits them.
     */
    private static void feed(
            KeyedOneInputStreamOperatorTestHarness<String, Contribution, OutRecord> h, int subjects)
            throws Exception {
        for (int s = 0; s < subjects; s++) {
            for (int c = 0; c < CELLS; c++) {
                h.processElement(new Contribution("heatmap", WINDOW, cell(c), 1), RELEASE);
            }
        }
    }

    /** Published records by cell. */
    private static Map<String, JsonNode> published(
            KeyedOneInputStreamOperatorTestHarness<String, Contribution, OutRecord> h)
            throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        for (OutRecord r : h.extractOutputValues()) {
            JsonNode n = Json.MAPPER.readTree(r.value);
            assertThat(out.put(n.get("cell").asText(), n)).as("one record per cell").isNull();
        }
        return out;
    }

    private static Map<String, Long> counts(Map<String, JsonNode> records) {
        Map<String, Long> m = new LinkedHashMap<>();
        records.forEach((cell, n) -> m.put(cell, n.get("count").asLong()));
        return m;
    }

    private static long stateEntries(
            KeyedOneInputStreamOperatorTestHarness<String, Contribution, OutRecord> h) {
        KeyedStateBackend<Object> backend = h.getOperator().getKeyedStateBackend();
        try (var keys = backend.getKeys("count", VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    private void oneDrawAcrossARestore(boolean rocksDb) throws Exception {
        AggregatesConfig config = config(dir, VeilTestBase.TEST_KEY_BASE64);

        // Run A: count, checkpoint before the watermark passes the release time, then release.
        var a = harness(config, null, rocksDb);
        feed(a, SUBJECTS);
        a.processWatermark(RELEASE - 1);
        assertThat(a.extractOutputValues()).as("nothing before the release time").isEmpty();
        OperatorSubtaskState snapshot = a.snapshot(1L, RELEASE - 1);
        a.processWatermark(RELEASE);
        Map<String, JsonNode> runA = published(a);

        assertThat(runA).hasSize(CELLS);
        assertThat(counts(runA).values()).as("noise is applied").anyMatch(v -> v != SUBJECTS);
        assertThat(a.getSideOutput(CountAndRelease.DECISIONS)).hasSize(CELLS);
        assertThat(stateEntries(a)).as("keyed state after release").isZero();
        assertThat(a.numEventTimeTimers()).isZero();

        // Run B: restore the checkpoint in a new operator (noise key read again in open()), same
        // watermark.
        var b = harness(config, snapshot, rocksDb);
        b.processWatermark(RELEASE);
        Map<String, JsonNode> runB = published(b);
        assertThat(counts(runB))
                .as("the restored window publishes the same noisy counts")
                .isEqualTo(counts(runA));
        assertThat(runB).as("and the same records").isEqualTo(runA);
        assertThat(stateEntries(b)).isZero();
        assertThat(b.numEventTimeTimers()).isZero();

        // Run C: same checkpoint, another noise key: other draws (all 10 equal would have
        // probability ~1e-9).
        var c = harness(config(dir, OTHER_KEY_BASE64), snapshot, rocksDb);
        c.processWatermark(RELEASE);
        Map<String, Long> runC = counts(published(c));
        assertThat(runC.keySet()).isEqualTo(counts(runA).keySet());
        assertThat(runC).as("another noise key, another draw").isNotEqualTo(counts(runA));
    }

    @Test
    void restoreBeforeTheWindowFires_samePublishedCounts_onHeap() throws Exception {
        oneDrawAcrossARestore(false);
    }

    @Test
    void restoreBeforeTheWindowFires_samePublishedCounts_onRocksDb() throws Exception {
        oneDrawAcrossARestore(true);
    }

    @Test
    void publishedRecord_carriesTheReleaseParameters() throws Exception {
        AggregatesConfig config = config(dir, VeilTestBase.TEST_KEY_BASE64);
        var h = harness(config, null, false);
        feed(h, SUBJECTS);
        h.processWatermark(RELEASE);
        JsonNode n = published(h).get(cell(0));
        OutRecord r = h.extractOutputValues().get(0);

        assertThat(r.topic).isEqualTo("veil.agg.heatmap");
        assertThat(r.key).isNull();
        assertThat(n.get("release").asText()).isEqualTo("heatmap");
        assertThat(n.get("window_start").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(n.get("window_end").asText()).isEqualTo("2026-11-28T11:00:00Z");
        assertThat(n.get("resolution").asInt()).isEqualTo(7);
        assertThat(n.get("noise").asText()).isEqualTo("discrete_laplace");
        assertThat(n.get("noise_scale").asDouble()).isEqualTo(2.0);
        assertThat(n.get("threshold").asLong()).isEqualTo(config.heatmap.threshold());
        assertThat(n.get("k").asLong()).isEqualTo(10);
        assertThat(n.get("epsilon").decimalValue()).isEqualByComparingTo("1");
        assertThat(n.get("count").asLong()).isBetween(SUBJECTS - 40L, SUBJECTS + 40L);
        assertThat(h.extractOutputStreamRecords())
                .extracting(StreamRecord::getTimestamp)
                .containsOnly(RELEASE);
    }

    @Test
    void fewerThanKSubjects_notPublishedButTheDecisionIsStillReported() throws Exception {
        var h =
                harness(
                        config(dir, VeilTestBase.TEST_KEY_BASE64),
                        ExactRelease.FACTORY,
                        null,
                        false);
        for (int s = 0; s < 9; s++) {
            h.processElement(new Contribution("action", WINDOW, "search", 3), RELEASE);
        }
        for (int s = 0; s < 10; s++) {
            h.processElement(new Contribution("action", WINDOW, "view", 3), RELEASE);
        }
        h.processWatermark(RELEASE);

        List<JsonNode> records = new ArrayList<>();
        for (OutRecord r : h.extractOutputValues()) {
            assertThat(r.topic).isEqualTo("veil.agg.usage");
            records.add(Json.MAPPER.readTree(r.value));
        }
        assertThat(records).hasSize(1);
        JsonNode view = records.get(0);
        assertThat(view.get("category").asText()).isEqualTo("view");
        assertThat(view.get("count").asLong()).as("noise off: the exact bounded sum").isEqualTo(30);
        assertThat(view.get("noise").asText()).isEqualTo("off");
        assertThat(view.get("threshold").asLong()).isEqualTo(10);
        assertThat(h.getSideOutput(CountAndRelease.DECISIONS))
                .extracting(
                        d ->
                                d.getValue().release
                                        + "@"
                                        + d.getValue().windowStart
                                        + "@"
                                        + d.getTimestamp())
                .containsExactly(
                        "action@" + WINDOW + "@" + RELEASE, "action@" + WINDOW + "@" + RELEASE);
        assertThat(stateEntries(h)).isZero();
    }

    /**
     * The shipped config with a key-epoch boundary at 10:30: the window 10:00-11:00 overlaps two
     * key epochs, 11:00-12:00 one.
     */
    private AggregatesConfig boundaryAt1030() throws IOException {
        return config(dir, VeilTestBase.TEST_KEY_BASE64)
                .withKeyEpochs(
                        new KeyEpochs(
                                Instant.ofEpochMilli(WINDOW + Duration.ofMinutes(30).toMillis()),
                                Duration.ofDays(1)));
    }

    private static Map<Long, JsonNode> byWindow(List<OutRecord> records) throws IOException {
        Map<Long, JsonNode> out = new TreeMap<>();
        for (OutRecord r : records) {
            JsonNode n = Json.MAPPER.readTree(r.value);
            long start = Instant.parse(n.get("window_start").asText()).toEpochMilli();
            assertThat(out.put(start, n)).as("one record per window").isNull();
        }
        return out;
    }

    @Test
    void windowAcrossTwoKeyEpochs_releasedWithTheNoiseAndThresholdOfTwoPseudonymsPerPerson()
            throws Exception {
        AggregatesConfig config = boundaryAt1030();
        long next = WINDOW + Duration.ofHours(1).toMillis();
        long nextRelease = RELEASE + Duration.ofHours(1).toMillis();
        var h = harness(config, null, false);
        for (int s = 0; s < SUBJECTS; s++) {
            h.processElement(new Contribution("heatmap", WINDOW, cell(0), 1), RELEASE);
            h.processElement(new Contribution("heatmap", next, cell(0), 1), nextRelease);
        }
        h.processWatermark(nextRelease);
        Map<Long, JsonNode> released = byWindow(h.extractOutputValues());
        assertThat(released).containsOnlyKeys(WINDOW, next);

        JsonNode boundary = released.get(WINDOW);
        ReleaseSpec two = config.heatmap.acrossKeyEpochs(2);
        assertThat(boundary.get("key_epochs").asInt()).isEqualTo(2);
        assertThat(boundary.get("noise_scale").asDouble()).as("2 L C / eps").isEqualTo(4.0);
        assertThat(boundary.get("threshold").asLong())
                .isEqualTo(two.threshold())
                .isGreaterThan(config.heatmap.threshold());
        assertThat(boundary.get("epsilon").decimalValue())
                .as("the same epsilon is spent")
                .isEqualByComparingTo("1");
        assertThat(boundary.get("delta").asDouble()).isEqualTo(1e-6);
        assertThat(boundary.get("k").asLong()).isEqualTo(10);
        assertThat(boundary.get("max_contributions").asLong()).isEqualTo(2);
        assertThat(boundary.get("count").asLong())
                .as("the draw of the scaled mechanism")
                .isEqualTo(
                        new NoisyRelease(VeilTestBase.testKey(), Duration.ofHours(1).toMillis())
                                .release(two, WINDOW, cell(0), SUBJECTS, SUBJECTS)
                                .orElseThrow());

        JsonNode inside = released.get(next);
        assertThat(inside.get("key_epochs").asInt()).isEqualTo(1);
        assertThat(inside.get("noise_scale").asDouble()).isEqualTo(2.0);
        assertThat(inside.get("threshold").asLong()).isEqualTo(config.heatmap.threshold());
    }

    @Test
    void windowAcrossTwoKeyEpochs_suppressedBelowTheirPseudonymsForKPeople() throws Exception {
        AggregatesConfig config = boundaryAt1030();
        long next = WINDOW + Duration.ofHours(1).toMillis();
        long nextRelease = RELEASE + Duration.ofHours(1).toMillis();
        var h = harness(config, ExactRelease.FACTORY, null, false);
        // (k - 1) g + 1 = 19 pseudonyms are needed across the boundary: 18 could be 9 people.
        for (int s = 0; s < 18; s++) {
            h.processElement(new Contribution("os", WINDOW, "Android 14", 1), RELEASE);
        }
        for (int s = 0; s < 19; s++) {
            h.processElement(new Contribution("os", WINDOW, "Android 15", 1), RELEASE);
        }
        for (int s = 0; s < 10; s++) {
            h.processElement(new Contribution("os", next, "Android 14", 1), nextRelease);
        }
        h.processWatermark(nextRelease);

        Map<String, Long> counts = new TreeMap<>();
        for (OutRecord r : h.extractOutputValues()) {
            JsonNode n = Json.MAPPER.readTree(r.value);
            counts.put(
                    n.get("window_start").asText().substring(11, 16)
                            + " "
                            + n.get("category").asText(),
                    n.get("count").asLong());
        }
        assertThat(counts)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("10:00 Android 15", 19L, "11:00 Android 14", 10L));
        assertThat(h.getSideOutput(CountAndRelease.DECISIONS))
                .as("every decision feeds the budget line")
                .hasSize(3);
    }
}
