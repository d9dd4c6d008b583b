package dev.veil.job.operators;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentState;
import dev.veil.consent.Purpose;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.job.records.PublishedRules;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.rules.RuleVersions;
import dev.veil.testing.LogCapture;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The consent gate in Flink's keyed two-input harness: output, state entries and timers. */
class ConsentGateTest extends VeilTestBase {
    private static final String ALICE = "a".repeat(64);
    private static final int ANALYTICS = Purpose.ANALYTICS.mask();
    private static final int ANALYTICS_PI =
            Purpose.ANALYTICS.mask() | Purpose.PRODUCT_IMPROVEMENT.mask();
    private static final int ALL_LOCATION = Purpose.ANALYTICS.mask() | Purpose.LOCATION.mask();

    private KeyedTwoInputStreamOperatorTestHarness<String, LogEvent, ConsentEvent, OutRecord>
            harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, LogEvent, ConsentEvent, OutRecord> open(
            boolean rocksDb, int maxPending) throws Exception {
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new ConsentGate(shippedRules(), gateSettings(maxPending)),
                        new AnonymisationTopology.LogSubject(),
                        new AnonymisationTopology.ConsentSubject(),
                        Types.STRING);
        if (rocksDb) {
            harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        harness.open();
        return harness;
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, LogEvent, ConsentEvent, OutRecord> open()
            throws Exception {
        return open(false, 10_000);
    }

    /** An anonymised record of an output, as the source would emit it; payload names the event. */
    static LogEvent event(String output, String subject, Instant at, String name) {
        LogEvent e = new LogEvent();
        e.output = output;
        e.subject = subject;
        e.eventTime = at.toEpochMilli();
        e.outputKey = subject;
        e.payload =
                ("{\"name\":\""
                                + name
                                + "\",\"subject\":\""
                                + subject
                                + "\",\"ip_prefix\":\"203.0.113.0/24\",\"device\":\"d\",\"rules_version\":\"t\"}")
                        .getBytes(StandardCharsets.UTF_8);
        e.sourceTopic = "veil.raw." + output;
        e.sourcePartition = 0;
        e.sourceOffset = at.toEpochMilli() % 1000;
        e.sourceTimestamp = at.toEpochMilli();
        return e;
    }

    static ConsentEvent consent(String subject, ConsentChange change) {
        return new ConsentEvent(subject, change);
    }

    /**
     * Keyed state entries of all subjects over all of the gate's states; works on heap and RocksDB.
     */
    private long stateEntries() {
        KeyedStateBackend<Object> backend = harness.getOperator().getKeyedStateBackend();
        long n = 0;
        for (String state : List.of("gate", "waiting-events")) {
            try (Stream<Object> keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    private void send(LogEvent e) throws Exception {
        harness.processElement1(e, e.eventTime);
    }

    private void send(ConsentEvent c) throws Exception {
        harness.processElement2(c, c.change.effectiveTime);
    }

    private void watermark(Instant at) throws Exception {
        harness.processBothWatermarks(new Watermark(at.toEpochMilli()));
    }

    private List<String> publishedNames() throws Exception {
        List<String> names = new ArrayList<>();
        for (OutRecord r : harness.extractOutputValues()) {
            if (!r.topic.equals(DLQ)) {
                names.add(Json.MAPPER.readTree(r.value).get("name").asText());
            }
        }
        return names;
    }

    private List<JsonNode> deadLetters() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (OutRecord r : harness.extractOutputValues()) {
            if (r.topic.equals(DLQ)) {
                out.add(Json.MAPPER.readTree(r.value));
            }
        }
        return out;
    }

    @Test
    void noConsentRecord_eventIsDroppedAndNoStateRemains() throws Exception {
        open();
        send(event("device", ALICE, T1000, "e1"));
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        watermark(T1100);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(stateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void eventArrivesBeforeTheGrantThatPrecedesIt_waitsAndIsPublished() throws Exception {
        open();
        send(event("device", ALICE, T1000, "e1"));
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));

        watermark(T0930);
        assertThat(harness.extractOutputValues())
                .as("not before the watermark passes the event")
                .isEmpty();

        watermark(T1100);
        assertThat(publishedNames()).containsExactly("e1");
        OutRecord out = harness.extractOutputValues().get(0);
        assertThat(out.topic).isEqualTo("veil.anon.device");
        assertThat(new String(out.key, StandardCharsets.UTF_8)).isEqualTo(ALICE);
    }

    @Test
    void grantOfOnlySomeRequiredPurposes_eventIsDropped() throws Exception {
        open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS, false)));
        send(event("device", ALICE, T1000, "needs-product-improvement-too"));
        send(event("service", ALICE, T1000, "needs-analytics-only"));
        watermark(T1100);
        assertThat(publishedNames()).containsExactly("needs-analytics-only");
    }

    /**
     * Grant 09:00, revoke 10:00, re-grant 11:00; events around each, fed in several arrival orders.
     */
    @Test
    void grantRevokeRegrant_decidedByEventTimeWhateverTheArrivalOrder() throws Exception {
        List<Object> inputs =
                List.of(
                        consent(
                                ALICE,
                                ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)),
                        consent(
                                ALICE,
                                ConsentChange.revoke(
                                        T1000.toEpochMilli(), Purpose.PRODUCT_IMPROVEMENT.mask())),
                        consent(
                                ALICE,
                                ConsentChange.grant(T1100.toEpochMilli(), ANALYTICS_PI, false)),
                        event("device", ALICE, T0930, "during-grant"),
                        event("device", ALICE, T1000, "at-revocation"),
                        event("device", ALICE, T1030, "after-revocation"),
                        event("device", ALICE, T1100, "at-regrant"),
                        event("device", ALICE, T1130, "after-regrant"));
        Random random = new Random(42);
        for (int run = 0; run < 25; run++) {
            List<Object> shuffled = new ArrayList<>(inputs);
            Collections.shuffle(shuffled, random);
            open();
            for (Object o : shuffled) {
                if (o instanceof LogEvent e) {
                    send(e);
                } else {
                    send((ConsentEvent) o);
                }
            }
            watermark(T1200);
            assertThat(publishedNames())
                    .as("arrival order %s", run)
                    .containsExactly("during-grant", "at-regrant", "after-regrant");
            harness.close();
            harness = null;
        }
    }

    @Test
    void sameMillisecondGrantAndRevoke_revokeWinsInEitherArrivalOrder() throws Exception {
        for (boolean grantFirst : new boolean[] {true, false}) {
            open();
            ConsentEvent grant =
                    consent(ALICE, ConsentChange.grant(T1000.toEpochMilli(), ANALYTICS_PI, false));
            ConsentEvent revoke =
                    consent(ALICE, ConsentChange.revoke(T1000.toEpochMilli(), ANALYTICS_PI));
            send(grantFirst ? grant : revoke);
            send(grantFirst ? revoke : grant);
            send(event("device", ALICE, T1030, "e"));
            watermark(T1100);
            assertThat(publishedNames()).isEmpty();
            harness.close();
            harness = null;
        }
    }

    @Test
    void erasure_clearsEveryStateEntryAndLaterEventsHaveNoConsent() throws Exception {
        open(true, 10_000);
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(event("device", ALICE, T0930, "before-erasure"));
        send(consent(ALICE, ConsentChange.erase(T1000.toEpochMilli())));
        send(event("device", ALICE, T1030, "after-erasure"));

        watermark(T1100);

        assertThat(publishedNames()).containsExactly("before-erasure");
        assertThat(stateEntries()).as("erasure leaves no state entry").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void erasureThenNewGrant_eventsAfterTheGrantArePublished() throws Exception {
        open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(consent(ALICE, ConsentChange.erase(T1000.toEpochMilli())));
        send(consent(ALICE, ConsentChange.grant(T1100.toEpochMilli(), ANALYTICS, false)));
        send(event("service", ALICE, T1030, "between"));
        send(event("service", ALICE, T1130, "after-new-grant"));
        watermark(T1200);
        assertThat(publishedNames()).containsExactly("after-new-grant");
    }

    @Test
    void minorWithoutGuardianConsent_isDropped() throws Exception {
        open();
        send(consent(ALICE, ConsentChange.ageStatus(T0900.toEpochMilli(), true)));
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(event("device", ALICE, T1000, "e"));
        watermark(T1100);
        assertThat(publishedNames()).isEmpty();
    }

    @Test
    void minorWithGuardianConsent_publishedWithTheMinorsDropFieldsRemoved() throws Exception {
        open();
        send(consent(ALICE, ConsentChange.ageStatus(T0900.toEpochMilli(), true)));
        send(
                consent(
                        ALICE,
                        ConsentChange.grant(
                                T0900.toEpochMilli(), ANALYTICS_PI | ALL_LOCATION, true)));
        send(event("device", ALICE, T1000, "device-event"));
        send(event("location", ALICE, T1000, "location-event"));
        watermark(T1100);

        assertThat(publishedNames())
                .as("config: location of minors is never published")
                .containsExactly("device-event");
        JsonNode record = Json.MAPPER.readTree(harness.extractOutputValues().get(0).value);
        assertThat(record.has("ip_prefix"))
                .as("config: minors.drop of the device output")
                .isFalse();
        assertThat(record.has("device")).isFalse();
        assertThat(record.get("subject").asText()).isEqualTo(ALICE);
    }

    @Test
    void subjectComesOfAge_grantsGivenWithoutGuardianDoNotCarryOver_aNewGrantCounts()
            throws Exception {
        open();
        send(consent(ALICE, ConsentChange.ageStatus(T0900.toEpochMilli(), true)));
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS, false)));
        send(consent(ALICE, ConsentChange.ageStatus(T1000.toEpochMilli(), false)));
        send(consent(ALICE, ConsentChange.grant(T1100.toEpochMilli(), ANALYTICS, false)));
        send(event("service", ALICE, T0930, "as-minor"));
        send(event("service", ALICE, T1030, "adult-on-a-minor's-grant"));
        send(event("service", ALICE, T1130, "adult-on-an-adult's-grant"));
        watermark(T1200);
        assertThat(publishedNames()).containsExactly("adult-on-an-adult's-grant");
    }

    @Test
    void eventBehindTheWatermark_becomesLateDeadLetterNotOutput() throws Exception {
        open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        watermark(T1100);
        send(event("device", ALICE, T1000, "late"));

        assertThat(publishedNames()).isEmpty();
        List<JsonNode> dl = deadLetters();
        assertThat(dl).hasSize(1);
        assertThat(dl.get(0).get("reason").asText()).isEqualTo(DeadLetterReason.LATE_EVENT.label());
        assertThat(dl.get(0).get("source_topic").asText()).isEqualTo("veil.raw.device");
        assertThat(dl.get(0).toString()).doesNotContain(ALICE);
    }

    @Test
    void moreWaitingEventsThanTheBound_overflowBecomesDeadLetters() throws Exception {
        open(false, 3);
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS, false)));
        for (int i = 0; i < 5; i++) {
            send(event("service", ALICE, T1000.plusSeconds(i), "e" + i));
        }
        watermark(T1100);
        assertThat(publishedNames()).containsExactly("e0", "e1", "e2");
        assertThat(deadLetters())
                .extracting(n -> n.get("reason").asText())
                .containsExactly("consent_buffer_full", "consent_buffer_full");
    }

    @Test
    void onRocksDb_revocationAndStateLifeCycleBehaveAsOnHeap() throws Exception {
        open(true, 10_000);
        send(event("device", ALICE, T1030, "after-revocation"));
        send(event("device", ALICE, T0930, "during-grant"));
        send(consent(ALICE, ConsentChange.revoke(T1000.toEpochMilli(), ANALYTICS)));
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        assertThat(stateEntries()).isPositive();

        watermark(T1100);

        assertThat(publishedNames()).containsExactly("during-grant");
        assertThat(stateEntries()).as("only the gate value (the consent) remains").isEqualTo(1);
    }

    @Test
    void afterARestore_anEventBehindTheWatermarkSeenBeforeIsStillLate() throws Exception {
        open(true, 10_000);
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(event("device", ALICE, T0930, "decided-before-the-failure"));
        watermark(T1100);
        assertThat(publishedNames()).containsExactly("decided-before-the-failure");
        OperatorSubtaskState snapshot = harness.snapshot(1L, T1100.toEpochMilli());
        harness.close();

        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new ConsentGate(shippedRules(), gateSettings(10_000)),
                        new AnonymisationTopology.LogSubject(),
                        new AnonymisationTopology.ConsentSubject(),
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        // Replayed before the first watermark after the restore: its consent was already folded
        // into later state.
        send(event("device", ALICE, T1000, "replayed-late"));
        watermark(T1200);

        assertThat(publishedNames()).isEmpty();
        assertThat(deadLetters())
                .extracting(n -> n.get("reason").asText())
                .containsExactly(DeadLetterReason.LATE_EVENT.label());
    }

    @Test
    void consentWatermarkAhead_eventIsDecidedOnArrival_withoutWaitingOrATimer() throws Exception {
        open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        harness.processWatermark2(new Watermark(T1200.toEpochMilli()));
        harness.getOutput().clear();
        int timers = harness.numEventTimeTimers();

        send(event("device", ALICE, T1000, "decided-on-arrival"));

        assertThat(publishedNames()).containsExactly("decided-on-arrival");
        assertThat(harness.numEventTimeTimers())
                .as("nothing waits, so no new timer")
                .isEqualTo(timers);
        try (Stream<Object> keys =
                harness.getOperator()
                        .getKeyedStateBackend()
                        .getKeys("waiting-events", VoidNamespace.INSTANCE)) {
            assertThat(keys.count()).isZero();
        }
    }

    @Test
    void logWatermarkAheadOfConsent_eventsWaitForConsent_andAreNotLate() throws Exception {
        open();
        send(event("device", ALICE, T1000, "e1"));
        harness.processWatermark1(new Watermark(T1100.toEpochMilli()));
        assertThat(harness.extractOutputValues()).as("waits for the consent watermark").isEmpty();

        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        harness.processWatermark2(new Watermark(T1100.toEpochMilli()));

        assertThat(publishedNames()).containsExactly("e1");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void consentChangeBehindTheConsentWatermark_isCountedAndStillGovernsEventsNotYetDecided()
            throws Exception {
        open();
        harness.processWatermark2(new Watermark(T1000.toEpochMilli()));
        send(event("device", ALICE, T1030, "waits"));
        try (LogCapture log = LogCapture.of(ConsentGate.class)) {
            // Later than the delivery bound: the consent watermark has passed its time already.
            send(consent(ALICE, ConsentChange.grant(T0930.toEpochMilli(), ANALYTICS_PI, false)));

            assertThat(log.messages())
                    .singleElement()
                    .asString()
                    .startsWith(
                            "WARN A consent change arrived 1800000 ms behind the consent watermark")
                    .doesNotContain(ALICE);
        }
        harness.processWatermark2(new Watermark(T1100.toEpochMilli()));

        assertThat(publishedNames()).containsExactly("waits");
    }

    /** The state of Veil 0.1's gate: its POJO in the state named "gate". */
    public static class LegacyGateState {
        public ConsentState consent;
        public int pendingEvents;
        public int pendingChanges;

        public LegacyGateState() {}
    }

    /** Writes one legacy state entry per subject that sends a consent record. */
    static class LegacyGate
            extends KeyedCoProcessFunction<String, LogEvent, ConsentEvent, OutRecord> {
        @Override
        public void processElement1(LogEvent e, Context ctx, Collector<OutRecord> out) {}

        @Override
        public void processElement2(ConsentEvent c, Context ctx, Collector<OutRecord> out)
                throws Exception {
            getRuntimeContext()
                    .getState(new ValueStateDescriptor<>("gate", LegacyGateState.class))
                    .update(new LegacyGateState());
        }
    }

    @Test
    void savepointOfTheOldStateLayout_failsToRestoreLoudly_neverStartsWithEmptyConsent()
            throws Exception {
        for (boolean rocksDb : new boolean[] {false, true}) {
            var legacy =
                    new KeyedTwoInputStreamOperatorTestHarness<>(
                            new org.apache.flink.streaming.api.operators.co
                                    .KeyedCoProcessOperator<>(new LegacyGate()),
                            new AnonymisationTopology.LogSubject(),
                            new AnonymisationTopology.ConsentSubject(),
                            Types.STRING);
            if (rocksDb) {
                legacy.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            legacy.open();
            legacy.processElement2(
                    consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS, false)), 0);
            OperatorSubtaskState old = legacy.snapshot(1L, 1L);
            legacy.close();

            harness =
                    new KeyedTwoInputStreamOperatorTestHarness<>(
                            new ConsentGate(shippedRules(), gateSettings(10_000)),
                            new AnonymisationTopology.LogSubject(),
                            new AnonymisationTopology.ConsentSubject(),
                            Types.STRING);
            if (rocksDb) {
                harness.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            harness.initializeState(old);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> harness.open())
                    .as("rocksDb=%s", rocksDb)
                    .hasMessageContaining("layout this version of Veil cannot read")
                    .hasMessageContaining("README");
            harness = null;
        }
    }

    @Test
    void endOfBoundedInput_consentWatermarkAtMaxWithLogsBehind_decidesEverythingAndStops()
            throws Exception {
        open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(event("device", ALICE, T1000, "e1"));
        harness.processWatermark2(Watermark.MAX_WATERMARK);
        assertThat(publishedNames()).containsExactly("e1");
        assertThat(harness.numEventTimeTimers())
                .as("only the fold that waits for the log watermark")
                .isEqualTo(1);
        harness.processWatermark1(Watermark.MAX_WATERMARK);
        assertThat(harness.numEventTimeTimers()).as("the logs ended: folded").isZero();
    }

    @Test
    void logWatermarkStandingStill_oneTimerNotOneMorePerStep_theFoldWaitsForTheLogWatermark()
            throws Exception {
        open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(consent(ALICE, ConsentChange.erase(T1000.toEpochMilli())));
        for (int step = 1; step <= 10; step++) {
            Instant at = T1000.plusSeconds(600L * step);
            send(event("device", ALICE, at, "e" + step));
            harness.processWatermark2(new Watermark(at.toEpochMilli()));
            assertThat(harness.numEventTimeTimers())
                    .as("after step %d: one fold waits for the log watermark, no timer more", step)
                    .isEqualTo(1);
        }
        assertThat(publishedNames()).as("erased at 10:00").isEmpty();
        assertThat(stateEntries()).as("the erasure waits for the log watermark").isEqualTo(1);

        harness.processWatermark1(new Watermark(T1030.toEpochMilli()));

        assertThat(stateEntries())
                .as("folded as the log watermark passes it: the erased subject's entry is gone")
                .isZero();
    }

    @Test
    void logInputIdle_logWatermarkFollowsConsent_soAnErasureIsClearedAndAnOldRecordIsLate()
            throws Exception {
        open(true, 10_000);
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        send(consent(ALICE, ConsentChange.erase(T1000.toEpochMilli())));
        harness.processWatermark2(new Watermark(T1100.toEpochMilli()));
        assertThat(stateEntries())
                .as("log watermark unknown: the erasure cannot be folded yet")
                .isEqualTo(1);

        harness.processWatermarkStatus1(WatermarkStatus.IDLE);
        harness.processWatermark2(new Watermark(T1200.toEpochMilli()));
        harness.processWatermark2(new Watermark(T1200.plusSeconds(3600).toEpochMilli()));

        assertThat(stateEntries()).as("every log partition idle: folded and cleared").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        send(event("device", ALICE, T1130, "older-than-the-consent-watermark"));
        assertThat(deadLetters())
                .extracting(n -> n.get("reason").asText())
                .containsExactly(DeadLetterReason.LATE_EVENT.label());
    }

    /** The watermarks the gate emitted, in order. */
    private List<Long> emittedWatermarks() {
        List<Long> out = new ArrayList<>();
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark w) {
                out.add(w.getTimestamp());
            }
        }
        return out;
    }

    @Test
    void forwardsTheLesserOfTheLogAndConsentWatermarks_afterWhatTheyDecide() throws Exception {
        open();
        Instant t = Instant.parse("2026-11-28T10:00:00Z");
        send(
                consent(
                        "ann",
                        ConsentChange.grant(
                                t.minusSeconds(600).toEpochMilli(), ANALYTICS_PI, false)));
        send(event("device", "ann", t.plusSeconds(30), "e1"));
        harness.processWatermark1(new Watermark(t.plusSeconds(120).toEpochMilli()));
        assertThat(emittedWatermarks()).as("the consent watermark has not moved").isEmpty();
        harness.processWatermark2(new Watermark(t.plusSeconds(60).toEpochMilli()));
        assertThat(emittedWatermarks()).containsExactly(t.plusSeconds(60).toEpochMilli());
        // e1 was decided (published) before the watermark that passes it went out
        int record = -1;
        int mark = -1;
        int i = 0;
        for (Object o : harness.getOutput()) {
            if (o instanceof Watermark) {
                mark = i;
            } else if (record < 0) {
                record = i;
            }
            i++;
        }
        assertThat(record).isNotNegative().isLessThan(mark);
        // and with the event's own time as its timestamp, which the risk measurement windows by
        @SuppressWarnings("unchecked")
        StreamRecord<OutRecord> published =
                (StreamRecord<OutRecord>) harness.getOutput().toArray()[record];
        assertThat(published.hasTimestamp()).isTrue();
        assertThat(published.getTimestamp()).isEqualTo(t.plusSeconds(30).toEpochMilli());
        harness.processWatermark2(new Watermark(t.plusSeconds(600).toEpochMilli()));
        assertThat(emittedWatermarks())
                .as("now the log watermark is the lesser")
                .containsExactly(
                        t.plusSeconds(60).toEpochMilli(), t.plusSeconds(120).toEpochMilli());
    }

    /**
     * A version kept in the gate's state is checked again on restore with the job's current
     * time.rules_lead, as the sources' follower checks it: one that no longer leaves the lead is
     * dropped on both sides, so events the sources stamp with the start rules are published.
     */
    @Test
    void afterARestoreWithALongerLead_aVersionItNoLongerLeaves_isDroppedAsAtTheSource()
            throws Exception {
        String base = shippedRules().parse().version();
        String v = base + "-next";
        PublishedRules p = new PublishedRules();
        p.name = v;
        p.publishedAt = T0900.toEpochMilli();
        p.effectiveFrom = T0900.plusSeconds(60).toEpochMilli();
        p.rulesYaml =
                Files.readString(RULES)
                        .replace("version: \"" + base + "\"", "version: \"" + v + "\"");
        // validated as the control source does, with a lead of one minute
        RuleVersions.Version checked =
                new RuleVersions(shippedRules().parse())
                        .validate(p.toJson(), p.publishedAt, 60_000);
        assertThat(checked.name()).isEqualTo(v);
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new ConsentGate(
                                shippedRules(),
                                gateSettings(10_000).withRulesLead(Duration.ofMinutes(1))),
                        new AnonymisationTopology.LogSubject(),
                        new AnonymisationTopology.ConsentSubject(),
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.open();
        ConsentEvent rules = new ConsentEvent();
        rules.rules = p;
        harness.processElement2(rules, p.publishedAt);
        OperatorSubtaskState snapshot = harness.snapshot(1L, T0900.toEpochMilli());
        harness.close();

        // restarted with time.rules_lead of 10 minutes: the sources' follower refuses the version
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new ConsentGate(
                                shippedRules(),
                                gateSettings(10_000).withRulesLead(Duration.ofMinutes(10))),
                        new AnonymisationTopology.LogSubject(),
                        new AnonymisationTopology.ConsentSubject(),
                        Types.STRING);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend());
        harness.initializeState(snapshot);
        harness.open();
        send(consent(ALICE, ConsentChange.grant(T0900.toEpochMilli(), ANALYTICS_PI, false)));
        LogEvent e = event("device", ALICE, T1000, "stamped-with-the-start-rules");
        e.rulesVersion = base;
        send(e);
        watermark(T1100);

        assertThat(deadLetters()).isEmpty();
        assertThat(publishedNames()).containsExactly("stamped-with-the-start-rules");
    }
}
