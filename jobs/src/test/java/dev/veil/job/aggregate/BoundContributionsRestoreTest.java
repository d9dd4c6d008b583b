package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.Observation;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contribution bounding in Flink's keyed harness: a restore mid-window gives the same contributions
 * as an uninterrupted run, and observations for an already released window go to the late side
 * output only.
 */
class BoundContributionsRestoreTest {
    private static final long WINDOW = CountAndReleaseRestoreTest.WINDOW;
    private static final long RELEASE = CountAndReleaseRestoreTest.RELEASE;
    private static final long MINUTE = Duration.ofMinutes(1).toMillis();
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final String ALICE = "a".repeat(64);
    private static final String BOB = "b".repeat(64);
    private static final String CAROL = "c".repeat(64);

    @TempDir Path dir;

    private AggregatesConfig config;
    private final List<KeyedOneInputStreamOperatorTestHarness<String, Observation, Contribution>>
            harnesses = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        config = CountAndReleaseRestoreTest.config(dir, VeilTestBase.TEST_KEY_BASE64);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (var h : harnesses) {
            h.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, Observation, Contribution> harness(
            OperatorSubtaskState restoreFrom, boolean rocksDb) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new BoundContributions(config)),
                        new AggregationTopology.BySubject(),
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

    private static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Observation, Contribution> h,
            Observation o)
            throws Exception {
        h.processElement(o, o.eventTime);
    }

    /**
     * Three subjects in one window: 6 heat map cells each (L = 2), the actions search x4, view x1,
     * fault x2 (L = 2, C = 3), and one app version seen 3 times (distinct, C = 1); in a fixed
     * shuffled order.
     */
    private static List<Observation> observations() {
        List<Observation> all = new ArrayList<>();
        int minute = 0;
        for (String s : List.of(ALICE, BOB, CAROL)) {
            for (int c = 0; c < 6; c++) {
                all.add(
                        new Observation(
                                s,
                                WINDOW + (minute++ % 60) * MINUTE,
                                "heatmap",
                                "8719" + c + "da49ffffff"));
            }
            for (int i = 0; i < 4; i++) {
                all.add(new Observation(s, WINDOW + (minute++ % 60) * MINUTE, "action", "search"));
            }
            all.add(new Observation(s, WINDOW + (minute++ % 60) * MINUTE, "action", "view"));
            for (int i = 0; i < 2; i++) {
                all.add(new Observation(s, WINDOW + (minute++ % 60) * MINUTE, "action", "fault"));
            }
            for (int i = 0; i < 3; i++) {
                all.add(
                        new Observation(
                                s, WINDOW + (minute++ % 60) * MINUTE, "app_version", "5.2.0"));
            }
        }
        Collections.shuffle(all, new Random(11));
        return all;
    }

    /**
     * Contributions as "release|window|category x count", counted (a multiset: contributions carry
     * no subject).
     */
    private static Map<String, Long> contributions(
            KeyedOneInputStreamOperatorTestHarness<String, Observation, Contribution> h) {
        return h.extractOutputValues().stream()
                .map(c -> c.key + " x" + c.count)
                .collect(
                        Collectors.groupingBy(
                                Function.identity(), TreeMap::new, Collectors.counting()));
    }

    /** Observation has no equals, and the harness copies records. */
    private static String describe(Observation o) {
        return o.subject + "|" + o.eventTime + "|" + o.release + "|" + o.category;
    }

    private static long stateEntries(
            KeyedOneInputStreamOperatorTestHarness<String, Observation, Contribution> h)
            throws Exception {
        try (var keys =
                h.getOperator().getKeyedStateBackend().getKeys("windows", VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    private void restoreMidWindow(boolean rocksDb) throws Exception {
        List<Observation> all = observations();

        var uninterrupted = harness(null, rocksDb);
        for (Observation o : all) {
            send(uninterrupted, o);
        }
        uninterrupted.processWatermark(RELEASE);
        Map<String, Long> expected = contributions(uninterrupted);

        var before = harness(null, rocksDb);
        int half = all.size() / 2;
        for (Observation o : all.subList(0, half)) {
            send(before, o);
        }
        before.processWatermark(WINDOW + 30 * MINUTE);
        OperatorSubtaskState snapshot = before.snapshot(1L, WINDOW + 30 * MINUTE);
        var after = harness(snapshot, rocksDb);
        for (Observation o : all.subList(half, all.size())) {
            send(after, o);
        }
        after.processWatermark(RELEASE - 1);
        assertThat(after.extractOutputValues()).as("nothing before the release time").isEmpty();
        after.processWatermark(RELEASE);

        assertThat(contributions(after)).isEqualTo(expected);
        assertThat(stateEntries(after)).isZero();
        assertThat(after.numEventTimeTimers()).isZero();

        // What bounding must have produced: per subject 2 cells, 2 actions, 1 app version.
        List<Contribution> out = uninterrupted.extractOutputValues();
        assertThat(out)
                .filteredOn(c -> c.release.equals("heatmap"))
                .hasSize(6)
                .allMatch(c -> c.count == 1);
        assertThat(out)
                .filteredOn(c -> c.release.equals("action"))
                .hasSize(6)
                .allMatch(
                        c -> c.count == Map.of("search", 3, "view", 1, "fault", 2).get(c.category));
        assertThat(out)
                .filteredOn(c -> c.release.equals("app_version"))
                .hasSize(3)
                .allMatch(c -> c.count == 1);
        assertThat(out).allMatch(c -> c.windowStart == WINDOW);
        assertThat(uninterrupted.extractOutputStreamRecords())
                .extracting(StreamRecord::getTimestamp)
                .as("stamped with the release time, which the counting operator's timer uses")
                .containsOnly(RELEASE);
    }

    @Test
    void restoreMidWindow_sameContributionsAsAnUninterruptedRun_onHeap() throws Exception {
        restoreMidWindow(false);
    }

    @Test
    void restoreMidWindow_sameContributionsAsAnUninterruptedRun_onRocksDb() throws Exception {
        restoreMidWindow(true);
    }

    @Test
    void observationWithinAllowedLateness_stillCounted() throws Exception {
        var h = harness(null, false);
        h.processWatermark(RELEASE - 1); // 5 minutes after window end, 1 ms before the release
        send(h, new Observation(ALICE, WINDOW + 10 * MINUTE, "heatmap", "87195da49ffffff"));
        assertThat(h.getSideOutput(BoundContributions.LATE)).isNullOrEmpty();

        h.processWatermark(RELEASE);
        assertThat(h.extractOutputValues())
                .extracting(c -> c.key)
                .containsExactly("heatmap|" + WINDOW + "|87195da49ffffff");
    }

    @Test
    void observationForAReleasedWindow_goesToTheLateSideOutputOnly() throws Exception {
        var h = harness(null, false);
        send(h, new Observation(ALICE, WINDOW + 5 * MINUTE, "heatmap", "87195da49ffffff"));
        h.processWatermark(RELEASE);
        assertThat(h.extractOutputValues()).hasSize(1);

        Observation late = new Observation(BOB, WINDOW + 20 * MINUTE, "heatmap", "87195da49ffffff");
        Observation lateSameSubject =
                new Observation(ALICE, WINDOW + 59 * MINUTE, "os", "Android 14");
        send(h, late);
        send(h, lateSameSubject);
        Observation nextWindow =
                new Observation(BOB, WINDOW + HOUR + MINUTE, "heatmap", "87195da49ffffff");
        send(h, nextWindow);

        assertThat(h.getSideOutput(BoundContributions.LATE))
                .extracting(r -> describe(r.getValue()))
                .containsExactly(describe(late), describe(lateSameSubject));
        assertThat(stateEntries(h)).as("only the next window of bob").isEqualTo(1);

        h.processWatermark(RELEASE + 10 * HOUR);
        assertThat(h.extractOutputValues())
                .extracting(c -> c.key)
                .containsExactly(
                        "heatmap|" + WINDOW + "|87195da49ffffff",
                        "heatmap|" + (WINDOW + HOUR) + "|87195da49ffffff");
        assertThat(h.getSideOutput(BoundContributions.LATE)).hasSize(2);
        assertThat(stateEntries(h)).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
    }

    @Test
    void lateObservationAfterARestore_stillLate() throws Exception {
        var before = harness(null, false);
        send(before, new Observation(ALICE, WINDOW + 5 * MINUTE, "heatmap", "87195da49ffffff"));
        before.processWatermark(RELEASE);
        OperatorSubtaskState snapshot = before.snapshot(1L, RELEASE);

        var after = harness(snapshot, false);
        after.processWatermark(
                RELEASE); // the restored operator learns the watermark again from its inputs
        Observation late =
                new Observation(ALICE, WINDOW + 6 * MINUTE, "heatmap", "87195da49ffffff");
        send(after, late);
        after.processWatermark(RELEASE + HOUR);

        assertThat(after.extractOutputValues()).isEmpty();
        assertThat(after.getSideOutput(BoundContributions.LATE))
                .extracting(r -> describe(r.getValue()))
                .containsExactly(describe(late));
    }

    /**
     * Restore after a window was released, then a late observation for it arrives before the
     * restored operator has seen a watermark (after a restore, Flink restarts the watermark at
     * Long.MIN_VALUE; the Kafka source replays from the checkpointed offsets and emits its first
     * watermark only periodically). The observation must still be late: the window was already
     * released before the checkpoint.
     */
    @Test
    void lateObservationAfterARestoreBeforeAnyWatermark_stillLateAndNoSecondRelease()
            throws Exception {
        var before = harness(null, false);
        send(before, new Observation(ALICE, WINDOW + 5 * MINUTE, "heatmap", "87195da49ffffff"));
        before.processWatermark(RELEASE + MINUTE);
        assertThat(before.extractOutputValues()).hasSize(1);
        OperatorSubtaskState snapshot = before.snapshot(1L, RELEASE + MINUTE);

        var after = harness(snapshot, false);
        Observation late = new Observation(BOB, WINDOW + 6 * MINUTE, "heatmap", "87195da49ffffff");
        send(after, late);
        after.processWatermark(RELEASE + HOUR);

        assertThat(after.extractOutputValues())
                .as("no second release of window %s", WINDOW)
                .isEmpty();
        assertThat(after.getSideOutput(BoundContributions.LATE))
                .extracting(r -> describe(r.getValue()))
                .containsExactly(describe(late));
    }

    @Test
    void losAngeles_oneThirtyPdtAndPst_twoWindowsEachReleasedAfterItsOwnEnd() throws Exception {
        config =
                CountAndReleaseRestoreTest.config(
                        dir, VeilTestBase.TEST_KEY_BASE64, "America/Los_Angeles");
        long pdt = Instant.parse("2021-11-07T08:00:00Z").toEpochMilli(); // 01:00 PDT
        long pst = pdt + HOUR; // 01:00 PST
        var h = harness(null, false);
        send(h, new Observation(ALICE, pdt + 30 * MINUTE, "heatmap", "87195da49ffffff"));
        send(h, new Observation(ALICE, pst + 30 * MINUTE, "heatmap", "87195da49ffffff"));

        // the 01:00 PDT window ends at 01:00 PST and is released 5 minutes later
        h.processWatermark(pst + 5 * MINUTE - 2);
        assertThat(h.extractOutputValues()).isEmpty();
        h.processWatermark(pst + 5 * MINUTE - 1);
        assertThat(h.extractOutputValues()).extracting(c -> c.windowStart).containsExactly(pdt);
        h.processWatermark(pst + HOUR + 5 * MINUTE - 1);
        assertThat(h.extractOutputValues())
                .extracting(c -> c.windowStart)
                .containsExactly(pdt, pst);
    }
}
