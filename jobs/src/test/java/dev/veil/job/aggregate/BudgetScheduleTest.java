package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

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

/**
 * Budget lines on the watermark's schedule: one per window whether or not anyone was active in it,
 * never before the window's release time, never twice across a restore.
 */
class BudgetScheduleTest {
    private static final long WINDOW = CountAndReleaseRestoreTest.WINDOW;
    private static final long HOUR = Duration.ofHours(1).toMillis();

    /** Release time of a window: its end plus the allowed lateness (5 min in the test config). */
    private static final long LATENESS = CountAndReleaseRestoreTest.RELEASE + 1 - WINDOW - HOUR;

    @TempDir Path dir;

    private AggregatesConfig config;
    private OneInputStreamOperatorTestHarness<ReleaseDecision, OutRecord> harness;

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

    private void open(AggregationTopology.Kind kind, OperatorSubtaskState restore)
            throws Exception {
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new BudgetSchedule(
                                config, kind.id, AggregationTopology.releases(config, kind)));
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
    }

    private List<String> windows() throws Exception {
        List<String> out = new ArrayList<>();
        for (OutRecord r : harness.extractOutputValues()) {
            assertThat(r.topic).isEqualTo("veil.agg.budget");
            out.add(Json.MAPPER.readTree(r.value).get("window_start").asText().substring(11, 16));
        }
        return out;
    }

    @Test
    void aLinePerWindowAsItsReleaseTimePasses_withOrWithoutData() throws Exception {
        open(AggregationTopology.Kind.HEATMAP, null);
        // the job's first watermark falls in the 10:00 window: that is the first line
        harness.processWatermark(WINDOW + 10 * 60_000L);
        harness.processElement(new StreamRecord<>(new ReleaseDecision(WINDOW, "heatmap")));
        harness.processWatermark(WINDOW + HOUR + LATENESS - 1);
        assertThat(windows()).as("not before the 10:00 window's release time").isEmpty();

        harness.processWatermark(WINDOW + HOUR + LATENESS);
        assertThat(windows()).containsExactly("10:00");

        // three quiet hours: no record at all, a line each all the same
        harness.processWatermark(WINDOW + 4 * HOUR + LATENESS);
        assertThat(windows()).containsExactly("10:00", "11:00", "12:00", "13:00");

        JsonNode line = Json.MAPPER.readTree(harness.extractOutputValues().get(2).value);
        assertThat(line.get("job").asText()).isEqualTo("heatmap");
        assertThat(line.get("window_end").asText()).isEqualTo("2026-11-28T13:00:00Z");
        assertThat(line.get("releases")).hasSize(1);
        assertThat(line.get("releases").get(0).get("release").asText()).isEqualTo("heatmap");
        assertThat(line.get("releases").get(0).get("epsilon").decimalValue())
                .isEqualByComparingTo("1.0");
        assertThat(line.get("total_epsilon").decimalValue()).isEqualByComparingTo("4.0");
        assertThat(line.get("total_delta").asDouble()).isCloseTo(7e-6, Offset.offset(1e-18));
        // zCDP: heat map 1²/2 + six tables 0.5²/2 per window
        assertThat(line.get("total_rho").asDouble()).isCloseTo(1.25, Offset.offset(1e-12));
    }

    @Test
    void eachLineCarriesTheRunningTotalOfItsDay_fromTheWindowsPlaceAlone() throws Exception {
        open(AggregationTopology.Kind.HEATMAP, null);
        harness.processWatermark(WINDOW + 10 * 60_000L);
        harness.processWatermark(WINDOW + 3 * HOUR + LATENESS);
        List<JsonNode> periods = new ArrayList<>();
        for (OutRecord r : harness.extractOutputValues()) {
            periods.add(Json.MAPPER.readTree(r.value).get("period"));
        }
        assertThat(periods).hasSize(3);
        long hoursIntoTheDay = (WINDOW % Duration.ofDays(1).toMillis()) / HOUR;
        for (int i = 0; i < 3; i++) {
            JsonNode p = periods.get(i);
            long windows = hoursIntoTheDay + 1 + i;
            assertThat(p.get("length").asText()).isEqualTo("P1D");
            assertThat(p.get("start").asText()).isEqualTo("2026-11-28T00:00:00Z");
            assertThat(p.get("windows_so_far").asLong()).isEqualTo(windows);
            assertThat(p.get("rho").asDouble()).isCloseTo(1.25 * windows, Offset.offset(1e-9));
            assertThat(p.get("cap_epsilon").asDouble()).isEqualTo(60.0);
            assertThat(p.get("delta").asDouble()).isEqualTo(1e-3);
        }
        assertThat(periods.get(2).get("epsilon").asDouble())
                .as("grows with the windows of the day")
                .isGreaterThan(periods.get(1).get("epsilon").asDouble());
        assertThat(periods.get(2).get("ledger_epsilon").asDouble())
                .as("the whole day of every deployment, within the cap")
                .isBetween(periods.get(2).get("epsilon").asDouble(), 60.0);
    }

    @Test
    void usage_listsEveryUsageTable() throws Exception {
        open(AggregationTopology.Kind.USAGE, null);
        harness.processWatermark(WINDOW + 10 * 60_000L);
        harness.processWatermark(WINDOW + HOUR + LATENESS);
        JsonNode line = Json.MAPPER.readTree(harness.extractOutputValues().get(0).value);
        List<String> releases = new ArrayList<>();
        line.get("releases").forEach(r -> releases.add(r.get("release").asText()));
        assertThat(releases).containsExactlyInAnyOrderElementsOf(config.usage.keySet());
    }

    @Test
    void restoredFromASnapshot_continuesWhereItWas_noLineTwice() throws Exception {
        open(AggregationTopology.Kind.HEATMAP, null);
        // at 10:10 the 09:00 window is released already (10:05): 10:00 is the first line
        harness.processWatermark(WINDOW + 10 * 60_000L);
        harness.processWatermark(WINDOW + 2 * HOUR + LATENESS);
        assertThat(windows()).containsExactly("10:00", "11:00");
        OperatorSubtaskState snapshot = harness.snapshot(1, 1);
        harness.close();

        open(AggregationTopology.Kind.HEATMAP, snapshot);
        harness.processWatermark(WINDOW + 2 * HOUR + LATENESS);
        assertThat(windows()).as("nothing again").isEmpty();
        harness.processWatermark(WINDOW + 3 * HOUR + LATENESS);
        assertThat(windows()).containsExactly("12:00");
    }

    @Test
    void endOfBoundedInput_linesUpToTheLastWatermarkPlusTheOutOfOrdernessBound() throws Exception {
        open(AggregationTopology.Kind.HEATMAP, null);
        harness.processWatermark(WINDOW + 10 * 60_000L);
        harness.processWatermark(WINDOW + 90 * 60_000L);
        harness.processWatermark(Long.MAX_VALUE);
        long last = WINDOW + 90 * 60_000L + config.maxOutOfOrderness.toMillis();
        List<String> w = windows();
        assertThat(w).startsWith("10:00", "11:00");
        assertThat(w).hasSize((int) ((last - WINDOW) / HOUR) + 1);
    }

    @Test
    void boundedReplayWithoutAWatermarkBeforeTheEnd_spansItsDecidedWindows() throws Exception {
        open(AggregationTopology.Kind.HEATMAP, null);
        harness.processElement(new StreamRecord<>(new ReleaseDecision(WINDOW, "heatmap")));
        harness.processElement(
                new StreamRecord<>(new ReleaseDecision(WINDOW + 3 * HOUR, "heatmap")));
        harness.processWatermark(Long.MAX_VALUE);
        assertThat(windows())
                .as("every window from the first to the last decided, the quiet ones too")
                .containsExactly("10:00", "11:00", "12:00", "13:00");
    }
}
