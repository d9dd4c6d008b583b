package dev.veil.job.operators;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentHistory;
import dev.veil.consent.Purpose;
import dev.veil.job.RulesText;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.record.LogRecordProcessor;
import dev.veil.record.Slots;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The privacy lifecycle end to end without Kafka: raw records through the real record processor
 * (rules, placeholders) into the consent gate in Flink's keyed harness, which makes the subjects'
 * secrets, writes the pseudonyms, stamps the records and publishes erasure notices.
 */
class SubjectLifecycleTest extends VeilTestBase {
    private static final int ALL =
            Purpose.ANALYTICS.mask() | Purpose.PRODUCT_IMPROVEMENT.mask() | Purpose.LOCATION.mask();
    private static final String ALICE_ID = "Alice@Example.com";
    private static final String BOB_ID = "bob@example.com";

    private KeyedTwoInputStreamOperatorTestHarness<String, LogEvent, ConsentEvent, OutRecord>
            harness;
    private LogRecordProcessor processor;
    private KeyEpochs epochs;
    private long offset;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void open(KeyEpochs epochs, Duration idle) throws Exception {
        open(shippedRules(), epochs, idle);
    }

    private void open(RulesText rules, KeyEpochs epochs, Duration idle) throws Exception {
        open(rules, epochs, idle, null);
    }

    /**
     * As the job runs it: RocksDB with incremental checkpoints and timers on the heap, which Flink
     * checkpoints through the timer services' own path; restored from {@code restore} if given.
     */
    private void open(
            RulesText rules, KeyEpochs epochs, Duration idle, OperatorSubtaskState restore)
            throws Exception {
        this.epochs = epochs;
        RuleSet parsed = rules.parse();
        processor =
                new LogRecordProcessor(
                        parsed, new Pseudonymiser(testKey()), new PseudonymKeys(testKey()), epochs);
        harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new ConsentGate(
                                rules,
                                new ConsentGate.Settings(
                                        DLQ,
                                        ERASURE,
                                        10_000,
                                        testKeyReference(),
                                        epochs,
                                        idle,
                                        Duration.ofDays(365))),
                        new AnonymisationTopology.LogSubject(),
                        new AnonymisationTopology.ConsentSubject(),
                        Types.STRING);
        EmbeddedRocksDBStateBackend rocksDb = new EmbeddedRocksDBStateBackend(true);
        rocksDb.setPriorityQueueStateType(EmbeddedRocksDBStateBackend.PriorityQueueStateType.HEAP);
        harness.setStateBackend(rocksDb);
        if (restore != null) {
            harness.initializeState(restore);
        }
        harness.open();
    }

    private static String normalised(String userId) {
        try {
            return IdNormaliser.normalise(userId, IdKind.CASE_INSENSITIVE, null);
        } catch (InvalidValueException e) {
            throw new AssertionError(e);
        }
    }

    private static String subjectKey(String userId) {
        return new Pseudonymiser(testKey()).pseudonymiseCompact(normalised(userId));
    }

    /** A raw record through the processor, then each of its outputs into the gate. */
    private void log(String stream, String json) throws Exception {
        long at = offset++;
        processor.process(
                stream,
                json.getBytes(StandardCharsets.UTF_8),
                Long.MAX_VALUE,
                new LogRecordProcessor.Emitter() {
                    @Override
                    public void anonymised(
                            OutputRules output,
                            String subjectKey,
                            long eventTime,
                            byte[] anonymised,
                            String outputKey,
                            int[] slots,
                            int keySlot) {
                        LogEvent e =
                                LogEvent.anonymised(
                                        output,
                                        subjectKey,
                                        eventTime,
                                        anonymised,
                                        outputKey,
                                        slots,
                                        keySlot,
                                        "veil.raw." + stream,
                                        0,
                                        at,
                                        eventTime);
                        try {
                            harness.processElement1(e, eventTime);
                        } catch (Exception ex) {
                            throw new AssertionError(ex);
                        }
                    }

                    @Override
                    public void deadLetter(DeadLetterReason reason, String detail) {
                        throw new AssertionError("dead letter " + reason + ": " + detail);
                    }
                });
    }

    private void device(String userId, String eventId, String deviceId, Instant at)
            throws Exception {
        log(
                "device",
                "{\"event_id\":\""
                        + eventId
                        + "\",\"user_id\":\""
                        + userId
                        + "\",\"device_id\":\""
                        + deviceId
                        + "\",\"event_time\":\""
                        + at
                        + "\",\"os_name\":\"Android\"}");
    }

    private void service(String userId, String eventId, String session, String peer, Instant at)
            throws Exception {
        log(
                "service",
                "{\"event_id\":\""
                        + eventId
                        + "\",\"user_id\":\""
                        + userId
                        + "\",\"session_id\":\""
                        + session
                        + "\",\"event_time\":\""
                        + at
                        + "\",\"action\":\"message\""
                        + (peer == null ? "" : ",\"peer_account_id\":\"" + peer + "\"")
                        + "}");
    }

    private void consent(String userId, ConsentChange c) throws Exception {
        harness.processElement2(new ConsentEvent(subjectKey(userId), c), c.effectiveTime);
    }

    private void grant(String userId, Instant at, String policy) throws Exception {
        consent(userId, ConsentChange.grant(at.toEpochMilli(), ALL, false, policy));
    }

    private void watermark(Instant at) throws Exception {
        harness.processBothWatermarks(new Watermark(at.toEpochMilli()));
    }

    private List<JsonNode> published(String topic) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (OutRecord r : harness.extractOutputValues()) {
            if (r.topic.equals(topic)) {
                out.add(Json.MAPPER.readTree(r.value));
            }
        }
        return out;
    }

    private List<String> values(String topic, String field) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode n : published(topic)) {
            out.add(n.path(field).asText(null));
        }
        return out;
    }

    private ConsentHistory state(String userId) throws Exception {
        KeyedStateBackend<Object> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(subjectKey(userId));
        return backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        ConsentGate.gateDescriptor())
                .value();
    }

    private static String internal(String userId) {
        return new Pseudonymiser(testKey()).pseudonymise(normalised(userId));
    }

    private static final Instant T0930 = Instant.parse("2026-11-28T09:30:00Z");
    private static final Instant T1015 = Instant.parse("2026-11-28T10:15:00Z");

    @Test
    void publishedRecords_holdPseudonymsNotInternalIdentifiers_stableWithinAnEpoch()
            throws Exception {
        open(EPOCHS, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        device(ALICE_ID, "e1", "imei-1", T0930);
        device(ALICE_ID, "e2", "imei-1", T1000);
        watermark(T1100);

        List<JsonNode> records = published("veil.anon.device");
        assertThat(records).hasSize(2);
        JsonNode a = records.get(0);
        JsonNode b = records.get(1);
        assertThat(a.get("subject").asText())
                .as("one subject, one pseudonym within an epoch")
                .isEqualTo(b.get("subject").asText())
                .matches("[0-9a-f]{64}")
                .isNotEqualTo(internal(ALICE_ID));
        assertThat(a.get("device").asText()).isEqualTo(b.get("device").asText());
        assertThat(a.get("event_id").asText()).isNotEqualTo(b.get("event_id").asText());
        for (OutRecord r : harness.extractOutputValues()) {
            String text = new String(r.value, StandardCharsets.UTF_8);
            assertThat(text).doesNotContain(internal(ALICE_ID), "Alice", "imei");
            assertThat(new String(r.key, StandardCharsets.UTF_8))
                    .as("the Kafka key is the published subject pseudonym")
                    .isEqualTo(Json.MAPPER.readTree(r.value).get("subject").asText());
        }
        assertThat(a.get("key_epoch").asLong()).isEqualTo(EPOCHS.of(T0930.toEpochMilli()));
        assertThat(a.get("policy_version").asText()).isEqualTo("2026-11");
        assertThat(a.get("rules_version").asText()).isEqualTo("2026-11-29.1");
    }

    @Test
    void keyEpochBoundary_rotatesEveryPseudonymWithoutRestart() throws Exception {
        KeyEpochs atNoon = new KeyEpochs(T1200, Duration.ofDays(30));
        open(atNoon, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        Instant before = T1200.minusSeconds(60);
        Instant after = T1200.plusSeconds(60);
        service(ALICE_ID, "e1", "s-1", BOB_ID, before);
        service(ALICE_ID, "e2", "s-1", BOB_ID, after);
        watermark(T1200.plusSeconds(3600));

        List<JsonNode> r = published("veil.anon.service");
        assertThat(r).hasSize(2);
        assertThat(r.get(0).get("key_epoch").asLong()).isEqualTo(-1);
        assertThat(r.get(1).get("key_epoch").asLong()).isEqualTo(0);
        for (String field : List.of("subject", "session", "peer")) {
            assertThat(r.get(0).get(field).asText())
                    .as("%s on either side of the boundary", field)
                    .isNotEqualTo(r.get(1).get(field).asText());
        }
    }

    @Test
    void erasure_oneNoticeNamesThePublishedPseudonyms_laterDataGetsUnrelatedOnes()
            throws Exception {
        // an epoch boundary at 09:45, so the erased generation spans two epochs
        KeyEpochs epochs = new KeyEpochs(Instant.parse("2026-11-28T09:45:00Z"), Duration.ofDays(1));
        open(epochs, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        device(ALICE_ID, "e1", "imei-1", T0930);
        device(ALICE_ID, "e2", "imei-1", Instant.parse("2026-11-28T09:50:00Z"));
        consent(ALICE_ID, ConsentChange.erase(T1000.toEpochMilli()));
        grant(ALICE_ID, T1015, "2026-12");
        device(ALICE_ID, "e3", "imei-1", T1030);
        harness.processWatermark2(new Watermark(T1100.toEpochMilli()));
        assertThat(published(ERASURE))
                .as("no notice while the log watermark has not passed the erasure")
                .isEmpty();
        ConsentHistory before = state(ALICE_ID);
        byte[] erasedSecret = before.generations()[0].secret.clone();

        // the log watermark passes the erasure: final at once, with no further consent watermark
        harness.processWatermark1(new Watermark(T1100.toEpochMilli()));

        List<JsonNode> device = published("veil.anon.device");
        assertThat(device).hasSize(3);
        List<JsonNode> notices = published(ERASURE);
        assertThat(notices).hasSize(1);
        JsonNode notice = notices.get(0);
        assertThat(notice.get("erasure_time").asText()).isEqualTo("2026-11-28T10:00:00Z");
        List<String> listed = new ArrayList<>();
        List<Long> listedEpochs = new ArrayList<>();
        for (JsonNode p : notice.get("pseudonyms")) {
            listed.add(p.get("subject").asText());
            listedEpochs.add(p.get("key_epoch").asLong());
        }
        assertThat(listedEpochs).containsExactly(-1L, 0L);
        assertThat(listed)
                .as("the notice names exactly the subject pseudonyms published before the erasure")
                .containsExactly(
                        device.get(0).get("subject").asText(),
                        device.get(1).get("subject").asText());
        assertThat(notice.size()).as("nothing but time and pseudonyms").isEqualTo(2);

        String after = device.get(2).get("subject").asText();
        assertThat(after).isNotIn(listed);
        assertThat(device.get(2).get("device").asText())
                .as("every subject-scoped pseudonym is new after the erasure")
                .isNotEqualTo(device.get(0).get("device").asText());
        assertThat(device.get(2).get("policy_version").asText()).isEqualTo("2026-12");

        // The old pseudonyms came from the deleted secret and nothing else in state
        PseudonymKeys keys = new PseudonymKeys(testKey());
        byte[] h = Base64.getUrlDecoder().decode(subjectKey(ALICE_ID));
        assertThat(Slots.hex(keys.subject(-1, erasedSecret, h))).isEqualTo(listed.get(0));
        ConsentHistory now = state(ALICE_ID);
        Set<String> recomputable = new HashSet<>();
        for (ConsentHistory.Generation g : now.generations()) {
            if (g.secret != null) {
                assertThat(g.secret).isNotEqualTo(erasedSecret);
                recomputable.add(Slots.hex(keys.subject(-1, g.secret, h)));
                recomputable.add(Slots.hex(keys.subject(0, g.secret, h)));
            }
        }
        assertThat(recomputable).doesNotContainAnyElementsOf(listed);
        assertThat(listed)
                .as("nor from the master key alone")
                .doesNotContain(internal(ALICE_ID), keys.global(-1, "alice@example.com"));
    }

    @Test
    void peerPseudonym_isNotThePeersOwnSubjectPseudonym() throws Exception {
        open(EPOCHS, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        grant(BOB_ID, T0900, "2026-11");
        service(ALICE_ID, "e1", "s-1", BOB_ID, T1000);
        service(BOB_ID, "e2", "s-2", null, T1000);
        service(ALICE_ID, "e3", "s-1", "BOB@example.com", T1030);
        watermark(T1100);

        List<JsonNode> r = published("veil.anon.service");
        assertThat(r).hasSize(3);
        List<String> peers = new ArrayList<>();
        String bobsOwn = null;
        for (JsonNode n : r) {
            if (n.has("peer")) {
                peers.add(n.get("peer").asText());
            } else {
                bobsOwn = n.get("subject").asText();
            }
        }
        assertThat(peers).hasSize(2);
        String peerInAlices = peers.get(0);
        assertThat(peerInAlices)
                .as("a peer account is joinable as a peer, not with the peer's own records")
                .isNotEqualTo(bobsOwn);
        assertThat(peers.get(1))
                .as("global scope: the same peer, the same pseudonym in one epoch")
                .isEqualTo(peerInAlices);
    }

    @Test
    void policyVersion_isTheGrantInForceAtTheEventsTime() throws Exception {
        open(EPOCHS, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "v1");
        grant(ALICE_ID, T1000, "v2");
        device(ALICE_ID, "e1", "d", T0930);
        device(ALICE_ID, "e2", "d", T1030);
        watermark(T1100);
        assertThat(values("veil.anon.device", "policy_version")).containsExactly("v1", "v2");
    }

    @Test
    void recordScope_aFreshTokenPerRecordTheSameOnReplay() throws Exception {
        String rules =
                Files.readString(RULES)
                        .replace(
                                "session: {from: session_id, pseudonymise: {id: case_sensitive}}",
                                "session: {from: session_id, pseudonymise: {id: case_sensitive,"
                                        + " scope: record}}");
        assertThat(rules).contains("scope: record");
        open(new RulesText("rules.yaml", rules), EPOCHS, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        service(ALICE_ID, "e1", "s-1", null, T1000);
        service(ALICE_ID, "e2", "s-1", null, T1030);
        offset = 0; // the first record again, as after a restore
        service(ALICE_ID, "e1", "s-1", null, T1000);
        watermark(T1100);

        // decided in time order: e1, e1 again (10:00), e2 (10:30)
        List<String> sessions = values("veil.anon.service", "session");
        assertThat(sessions).hasSize(3);
        assertThat(sessions.get(1))
                .as("same source position, same token")
                .isEqualTo(sessions.get(0));
        assertThat(sessions.get(2))
                .as("same session, another record")
                .isNotEqualTo(sessions.get(0));
    }

    @Test
    void idleSubject_withNoConsentIsRemovedSecretAndAll_aMinorIsKept() throws Exception {
        open(EPOCHS, Duration.ofHours(1));
        grant(ALICE_ID, T0900, "2026-11");
        device(ALICE_ID, "e1", "d", T0930);
        consent(ALICE_ID, ConsentChange.revoke(T1000.toEpochMilli(), ALL));
        consent(BOB_ID, ConsentChange.ageStatus(T1000.toEpochMilli(), true));
        watermark(T1030);
        assertThat(state(ALICE_ID)).as("revoked 30 min ago: kept").isNotNull();

        watermark(T1200);

        assertThat(state(ALICE_ID)).as("no consent for 2 h > idle 1 h: removed").isNull();
        assertThat(state(BOB_ID)).as("a minor's status is kept").isNotNull();
        assertThat(published(ERASURE)).as("retention is not an erasure").isEmpty();
    }

    @Test
    void erasure_consentReadFarAheadOfTheLogs_isFinalWhenTheLogsEnd() throws Exception {
        // a bounded replay: the small consent topic is read to its end at once and its watermark
        // jumps to the wall clock; the logs are still in the morning; then both inputs end
        open(EPOCHS, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        device(ALICE_ID, "e1", "d", T0930);
        consent(ALICE_ID, ConsentChange.erase(T1000.toEpochMilli()));
        harness.processWatermark2(
                new Watermark(Instant.parse("2026-12-02T04:00:00Z").toEpochMilli()));
        harness.processWatermark1(new Watermark(T0930.toEpochMilli()));
        harness.processWatermark2(new Watermark(Long.MAX_VALUE));
        assertThat(published("veil.anon.device")).hasSize(1);
        assertThat(published(ERASURE)).as("the log watermark has not passed the erasure").isEmpty();

        harness.processWatermark1(new Watermark(Long.MAX_VALUE));

        assertThat(published(ERASURE)).hasSize(1);
        assertThat(state(ALICE_ID)).as("the erased subject's entry is gone").isNull();
    }

    @Test
    void erasureWaitingForTheLogWatermark_survivesACheckpointAndRestore() throws Exception {
        open(EPOCHS, Duration.ofDays(90));
        grant(ALICE_ID, T0900, "2026-11");
        device(ALICE_ID, "e1", "d", T0930);
        consent(ALICE_ID, ConsentChange.erase(T1000.toEpochMilli()));
        long farAhead = Instant.parse("2026-12-02T04:00:00Z").toEpochMilli();
        harness.processWatermark2(new Watermark(farAhead));
        harness.processWatermark1(new Watermark(T0930.toEpochMilli()));
        assertThat(published("veil.anon.device")).hasSize(1);
        OperatorSubtaskState checkpoint = harness.snapshot(1, farAhead);
        harness.close();

        open(shippedRules(), EPOCHS, Duration.ofDays(90), checkpoint);
        harness.processWatermark2(new Watermark(farAhead + 1000));
        assertThat(published(ERASURE)).as("the log watermark is still at 09:30").isEmpty();
        harness.processWatermark1(new Watermark(T1100.toEpochMilli()));

        assertThat(published(ERASURE)).as("the restored fold, once the logs pass it").hasSize(1);
        assertThat(state(ALICE_ID)).isNull();
    }
}
