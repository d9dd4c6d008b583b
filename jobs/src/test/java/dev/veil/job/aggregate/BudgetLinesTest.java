package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import com.fasterxml.jackson.databind.JsonNode;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Budget lines in Flink's keyed harness: one line per window, whatever the number of decisions. */
class BudgetLinesTest {
    private static final long WINDOW = CountAndReleaseRestoreTest.WINDOW;
    private static final long RELEASE = CountAndReleaseRestoreTest.RELEASE;
    private static final long HOUR = Duration.ofHours(1).toMillis();

    @TempDir Path dir;

    private AggregatesConfig config;
    private KeyedOneInputStreamOperatorTestHarness<Long, ReleaseDecision, OutRecord> harness;

    @BeforeEach
    void setUp() throws Exception {
        config = CountAndReleaseRestoreTest.config(dir, VeilTestBase.TEST_KEY_BASE64);
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void open(AggregationTopology.Kind kind) throws Exception {
        harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new BudgetLines(
                                        config,
                                        kind.id,
                                        AggregationTopology.releases(config, kind))),
                        new AggregationTopology.ByWindow(),
                        Types.LONG);
        harness.open();
    }

    private void decide(long windowStart, String release) throws Exception {
        harness.processElement(
                new ReleaseDecision(windowStart, release), windowStart + 65 * 60_000L - 1);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (OutRecord r : harness.extractOutputValues()) {
            assertThat(r.topic).isEqualTo("veil.agg.budget");
            out.add(Json.MAPPER.readTree(r.value));
        }
        return out;
    }

    private long stateEntries() throws Exception {
        try (var keys =
                harness.getOperator()
                        .getKeyedStateBackend()
                        .getKeys("seen", VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    @Test
    void severalHeatmapDecisionsForOneWindow_exactlyOneBudgetLine() throws Exception {
        open(AggregationTopology.Kind.HEATMAP);
        for (int i = 0; i < 25; i++) {
            decide(WINDOW, "heatmap");
        }
        harness.processWatermark(RELEASE - 1);
        assertThat(lines()).as("not before the window's release time").isEmpty();

        harness.processWatermark(RELEASE);

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.get("job").asText()).isEqualTo("heatmap");
        assertThat(line.get("window_start").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(line.get("window_end").asText()).isEqualTo("2026-11-28T11:00:00Z");
        assertThat(line.get("releases")).hasSize(1);
        assertThat(line.get("releases").get(0).get("release").asText()).isEqualTo("heatmap");
        assertThat(line.get("releases").get(0).get("epsilon").decimalValue())
                .isEqualByComparingTo("1.0");
        assertThat(line.get("releases").get(0).get("delta").asDouble()).isEqualTo(1e-6);
        assertThat(line.get("total_epsilon").decimalValue()).isEqualByComparingTo("4.0");
        assertThat(line.get("total_delta").asDouble()).isCloseTo(7e-6, Offset.offset(1e-18));
        assertThat(stateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void usageDecisionsOfSomeTables_oneLineListingEveryUsageTable() throws Exception {
        open(AggregationTopology.Kind.USAGE);
        decide(WINDOW, "os");
        decide(WINDOW, "action");
        decide(WINDOW, "action");
        decide(WINDOW, "duration");
        harness.processWatermark(RELEASE);

        List<JsonNode> lines = lines();
        assertThat(lines).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.get("job").asText()).isEqualTo("usage");
        List<String> names = new ArrayList<>();
        for (JsonNode r : line.get("releases")) {
            names.add(r.get("release").asText());
            assertThat(r.get("epsilon").decimalValue())
                    .as(r.toString())
                    .isEqualByComparingTo("0.5");
            assertThat(r.get("delta").asDouble()).isEqualTo(1e-6);
        }
        assertThat(names)
                .containsExactly(
                        "app_version", "os", "device_family", "action", "error_code", "duration");
        assertThat(line.get("total_epsilon").decimalValue()).isEqualByComparingTo("4.0");
        assertThat(line.get("total_delta").asDouble()).isCloseTo(7e-6, Offset.offset(1e-18));
    }

    @Test
    void decisionsForTwoWindows_oneLineEachInWindowOrder() throws Exception {
        open(AggregationTopology.Kind.HEATMAP);
        decide(WINDOW + HOUR, "heatmap");
        decide(WINDOW, "heatmap");
        decide(WINDOW + HOUR, "heatmap");
        decide(WINDOW, "heatmap");

        harness.processWatermark(RELEASE);
        assertThat(lines())
                .extracting(n -> n.get("window_start").asText())
                .containsExactly("2026-11-28T10:00:00Z");

        harness.processWatermark(RELEASE + HOUR);
        assertThat(lines())
                .extracting(n -> n.get("window_start").asText())
                .containsExactly("2026-11-28T10:00:00Z", "2026-11-28T11:00:00Z");
        assertThat(stateEntries()).isZero();
    }

    @Test
    void noDecisions_noBudgetLine() throws Exception {
        open(AggregationTopology.Kind.USAGE);
        harness.processWatermark(RELEASE + 10 * HOUR);
        assertThat(lines()).isEmpty();
    }
}
