package dev.veil.job.operators;

import dev.veil.config.JobConfig;
import dev.veil.config.KeyReference;
import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentDecision;
import dev.veil.consent.ConsentHistory;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.job.RulesText;
import dev.veil.job.VeilMetrics;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.DeadLetter;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.job.records.PublishedRules;
import dev.veil.job.serialisation.ConsentHistorySerializer;
import dev.veil.privacy.IdentifierScope;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.record.Slots;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleVersions;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.InternalTimerServiceImpl;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.FlinkRuntimeException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lets an anonymised event through to its output only if, at the event's own event time, its data
 * subject had granted every purpose the output requires. A keyed two-input operator (input 1: log
 * events, input 2: consent changes), keyed by the subject pseudonym.
 *
 * <p><b>Two watermarks.</b> The gate keeps the watermark of each input apart instead of taking
 * their minimum:
 *
 * <ul>
 *   <li>The <em>consent watermark</em> W<sub>c</sub> says that every consent change effective at or
 *       before it has arrived (the consent source advances it with the wall clock less {@code
 *       consent.max_delivery_delay} once it has caught up, see {@link CatchUpAwareKafkaSource}). An
 *       event at or before W<sub>c</sub> can be decided.
 *   <li>The <em>log watermark</em> W<sub>l</sub> says that no log event at or before it is still to
 *       come. An event at or before it on arrival is late; consent history at or before
 *       min(W<sub>l</sub>, W<sub>c</sub>) is folded away, since no event will ask for it again.
 * </ul>
 *
 * So an event waits only for consent, never for other log partitions: in a backfill, where the
 * small consent topic is read ahead, every event is decided on arrival.
 *
 * <p><b>Determinism.</b> An event at time t is decided once W<sub>c</sub> &ge; t, against the
 * subject's {@link ConsentHistory}: the consent in force after every change at or before t. Every
 * change at or before t has arrived by then (the watermark's promise), and the history still holds
 * every change after the fold bound, which is below t (the event is not late, and waiting events
 * are newer than W<sub>c</sub>). So the decision depends only on event times, not on arrival order,
 * parallelism, backlog or restarts. The argument in full is in docs/consent.md.
 *
 * <p><b>Cost per event.</b> Decided on arrival (W<sub>c</sub> &ge; t): one read of {@code gate}, no
 * write. Waiting: one append to {@code waiting-events} (no read) and a heap timer at t; when the
 * consent watermark passes, one timer per subject decides all its due events in time order (the
 * timers of the other due events are deleted).
 *
 * <p><b>Late records.</b> An event at or behind the log watermark (the highest ever seen, kept
 * across restores by {@link DurableWatermark}) becomes a {@code late_event} dead letter naming its
 * source offset (fail closed, nothing lost). A consent change at or behind the consent watermark
 * has come later than the delivery bound: it is placed in the history at its own time (or, behind
 * the folded base, applied if restrictive and ignored if permissive: see {@link
 * ConsentHistory.Insertion}), counted in {@code veil.late_consent_changes}, its lateness recorded
 * in the gauge {@code veil.consent_delivery_bound_exceeded_ms}, and logged as a warning without any
 * identifier.
 *
 * <p><b>State</b> (RocksDB, keyed by subject): {@code gate}, the subject's {@link ConsentHistory}
 * (with its generations' secrets) in {@link ConsentHistorySerializer}'s layout; {@code
 * waiting-events}, the events waiting for the consent watermark. A subject with no consent and
 * nothing to come has no entry: after an erasure is folded, every entry is cleared. At most {@code
 * maxPendingEvents} events of one subject are decided per step; the newest beyond that become
 * {@code consent_buffer_full} dead letters.
 *
 * <p><b>Pseudonyms and erasure.</b> An allowed event's subject- and record-scoped pseudonyms are
 * written over their placeholders here ({@link #publication}), from the secret of the subject's
 * {@link ConsentHistory.Generation generation} at the event's time (made, 16 random bytes, when the
 * generation's first record is let through) and the key of the event's key epoch ({@link
 * PseudonymKeys}); the record gets its {@code policy_version}. When an erasure is folded (both
 * watermarks have passed it, so no earlier event can still come), the ended generation's notice
 * goes to the erasure topic and its secret is wiped: nothing can recompute its pseudonyms any more.
 * A subject without consent or age status whose consent last changed more than {@code
 * retention.idle_subject} ago is removed, secret and all. docs/consent.md, "The privacy lifecycle".
 *
 * <p>Metrics: {@code veil.output.<o>.records_out}, {@code veil.reason.<r>.dropped}, {@code
 * veil.late_consent_changes}, {@code veil.consent_delivery_bound_exceeded_ms}, {@code
 * veil.reason.<r>.dead_lettered}, {@code veil.erasure_notices}, {@code
 * veil.subject_secrets_shredded}, {@code veil.idle_subjects_removed}.
 *
 * <p><b>Output watermark.</b> The gate forwards min(log watermark, consent watermark), after the
 * timers it allows have fired: every event at or behind it has been decided (those behind the
 * consent watermark on arrival or by their timer, those behind the log watermark are late), so no
 * record it publishes later has an earlier event time. The risk measurement windows the published
 * records by it; the sink ignores it.
 */
public class ConsentGate extends AbstractStreamOperator<OutRecord>
        implements TwoInputStreamOperator<LogEvent, ConsentEvent, OutRecord>,
                Triggerable<String, Integer> {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsentGate.class);

    /** Timer namespace: decide the subject's due events. */
    static final int DECIDE = 0;

    /**
     * Timer namespace: fold the subject's history (and clear it after an erasure) once the log
     * watermark allows.
     */
    static final int FOLD = 1;

    /** Name of the timer service of subjects whose fold waits for the log watermark. */
    static final String LOG_FOLDS = "consent-gate-log-folds";

    private static final Comparator<LogEvent> BY_TIME = Comparator.comparingLong(e -> e.eventTime);

    private final RulesText rulesText;
    private final Settings settings;
    private final String deadLetterTopic;
    private final int maxPendingEvents;
    private final DurableWatermark logWatermark = new DurableWatermark();

    /**
     * What the gate needs besides the rules: topics, bounds, the key and its epochs, retention.
     * Serializable (it travels in the job graph); holds a key reference, never a key.
     */
    public static final class Settings implements Serializable {
        private static final long serialVersionUID = 1L;

        final String deadLetterTopic;
        final String erasureTopic;
        final int maxPendingEvents;
        final KeyReference key;
        final KeyEpochs epochs;
        final long idleSubjectMillis;
        final long noticeWindowMillis;

        /**
         * {@code time.rules_lead} in ms: published versions kept in state are checked again with it
         * on restore, as the sources' follower checks them (0 unless {@link #withRulesLead}).
         */
        final long rulesLeadMillis;

        /**
         * @param deadLetterTopic where late and overflowing events are reported
         * @param erasureTopic where erasure notices go
         * @param maxPendingEvents bound of events of one subject decided in one step, at least 1
         * @param key where the master key is; resolved in {@code open}
         * @param epochs the key epochs
         * @param idleSubject how long a subject without consent is kept
         * @param noticeWindow how far back an erasure notice lists pseudonyms
         */
        public Settings(
                String deadLetterTopic,
                String erasureTopic,
                int maxPendingEvents,
                KeyReference key,
                KeyEpochs epochs,
                Duration idleSubject,
                Duration noticeWindow) {
            this(
                    deadLetterTopic,
                    erasureTopic,
                    maxPendingEvents,
                    key,
                    epochs,
                    idleSubject,
                    noticeWindow,
                    Duration.ZERO);
        }

        private Settings(
                String deadLetterTopic,
                String erasureTopic,
                int maxPendingEvents,
                KeyReference key,
                KeyEpochs epochs,
                Duration idleSubject,
                Duration noticeWindow,
                Duration rulesLead) {
            if (maxPendingEvents < 1) {
                throw new IllegalArgumentException(
                        "maxPendingEvents must be at least 1, was " + maxPendingEvents);
            }
            this.deadLetterTopic = deadLetterTopic;
            this.erasureTopic = erasureTopic;
            this.maxPendingEvents = maxPendingEvents;
            this.key = key;
            this.epochs = epochs;
            this.idleSubjectMillis = idleSubject.toMillis();
            this.noticeWindowMillis = noticeWindow.toMillis();
            this.rulesLeadMillis = rulesLead.toMillis();
        }

        /** The settings of {@code config}. */
        public static Settings of(JobConfig config) {
            return new Settings(
                            config.deadLetterTopic,
                            config.erasureTopic,
                            config.maxPendingEventsPerSubject,
                            config.pseudonymisationKey,
                            config.keyEpochs,
                            config.idleSubject,
                            config.erasureNoticeWindow)
                    .withRulesLead(config.rulesLead);
        }

        /** A copy with another {@code time.rules_lead}. */
        public Settings withRulesLead(Duration lead) {
            return new Settings(
                    deadLetterTopic,
                    erasureTopic,
                    maxPendingEvents,
                    key,
                    epochs,
                    Duration.ofMillis(idleSubjectMillis),
                    Duration.ofMillis(noticeWindowMillis),
                    lead);
        }

        /** A copy with another bound of events per step. */
        public Settings withMaxPendingEvents(int max) {
            return new Settings(
                    deadLetterTopic,
                    erasureTopic,
                    max,
                    key,
                    epochs,
                    Duration.ofMillis(idleSubjectMillis),
                    Duration.ofMillis(noticeWindowMillis),
                    Duration.ofMillis(rulesLeadMillis));
        }
    }

    private transient RuleVersions versions;
    private transient BroadcastState<String, PublishedRules> published;
    private transient ValueState<ConsentHistory> gate;
    private transient ListState<LogEvent> waiting;
    private transient InternalTimerService<Integer> timers;
    private transient InternalTimerServiceImpl<String, Integer> decideTimers;
    private transient InternalTimerServiceImpl<String, VoidNamespace> logFolds;
    private transient long consentWatermark;
    private transient boolean logInputIdle;
    private transient StreamRecord<OutRecord> reuse;

    /** The last watermark forwarded; not kept across restores (the inputs' watermarks are not). */
    private transient long forwardedWatermark;

    private transient EnumMap<ConsentDecision, Counter> droppedCounters;
    private transient Map<String, Counter> outCounters;
    private transient VeilMetrics metrics;
    private transient Counter lateConsentChanges;
    private transient Counter rulesVersionsReceived;
    private transient long worstConsentLateness;
    private transient long lastLateWarning;
    private transient PseudonymKeys keys;
    private transient SecureRandom random;
    private transient Counter erasureNotices;
    private transient Counter secretsShredded;
    private transient Counter idleSubjectsRemoved;
    private transient ConsentHistory.ErasureListener erasureListener;

    /**
     * @param rulesText the validated rules (outputs, purposes, minors policy)
     * @param settings topics, bounds, key, epochs and retention
     */
    public ConsentGate(RulesText rulesText, Settings settings) {
        this.rulesText = rulesText;
        this.settings = settings;
        this.deadLetterTopic = settings.deadLetterTopic;
        this.maxPendingEvents = settings.maxPendingEvents;
    }

    /**
     * The subject's consent history. Named {@code gate} as in Veil 0.1, so that a 0.1 savepoint is
     * refused loudly.
     */
    public static ValueStateDescriptor<ConsentHistory> gateDescriptor() {
        return new ValueStateDescriptor<>("gate", ConsentHistorySerializer.INSTANCE);
    }

    /**
     * Published rules versions this gate has accepted, by version name: broadcast state, the same
     * on every subtask (each gets every version on its consent input).
     */
    public static MapStateDescriptor<String, PublishedRules> publishedDescriptor() {
        return new MapStateDescriptor<>(
                "published-rules", Types.STRING, TypeInformation.of(PublishedRules.class));
    }

    /** Events waiting for the consent watermark, in arrival order. */
    public static ListStateDescriptor<LogEvent> waitingDescriptor() {
        return new ListStateDescriptor<>("waiting-events", TypeInformation.of(LogEvent.class));
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        logWatermark.initialize(context);
        published = context.getOperatorStateStore().getBroadcastState(publishedDescriptor());
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        logWatermark.snapshot();
    }

    @Override
    public void open() throws Exception {
        super.open();
        versions = new RuleVersions(rulesText.parse());
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, PublishedRules> p : published.entries()) {
            try {
                // checked again: the job may have been restarted with other start rules or another
                // time.rules_lead; with the lead the sources' follower checks with, so that both
                // sides keep the same versions
                versions.add(
                        versions.validate(
                                p.getValue().toJson(),
                                p.getValue().publishedAt,
                                settings.rulesLeadMillis));
            } catch (IllegalArgumentException e) {
                LOG.warn(
                        "Rules version {} from the savepoint no longer applies: {}",
                        p.getKey(),
                        e.getMessage());
                dropped.add(p.getKey());
            }
        }
        for (String d : dropped) {
            published.remove(d);
        }
        try {
            gate = getPartitionedState(gateDescriptor());
        } catch (Exception e) {
            // Flink names the serializers but not what to do; the operator needs to know it is a
            // layout change.
            throw new FlinkRuntimeException(
                    "The consent state in this savepoint or checkpoint ('gate' of operator '"
                            + getOperatorName()
                            + "') is in a layout this version of Veil cannot read (Veil 0.1 kept it as a "
                            + "POJO). It is not started with empty consent. Start the job without this savepoint and with the "
                            + "consent topic read from the earliest offset to rebuild consent; see README, 'Upgrading'.",
                    e);
        }
        waiting = getPartitionedState(waitingDescriptor());
        timers = getInternalTimerService("consent-gate", IntSerializer.INSTANCE, this);
        // A second timer service, checkpointed and rescaled like the first, but advanced to
        // min(log, consent watermark) instead of the consent watermark: a subject whose fold waits
        // only for the log watermark comes back exactly when the log watermark has passed it.
        // Each service is advanced on its own (the manager would advance both to one time).
        decideTimers = impl(timers);
        logFolds =
                impl(
                        getInternalTimerService(
                                LOG_FOLDS,
                                VoidNamespaceSerializer.INSTANCE,
                                new Triggerable<String, VoidNamespace>() {
                                    @Override
                                    public void onEventTime(
                                            InternalTimer<String, VoidNamespace> timer)
                                            throws Exception {
                                        decideDue(Long.MIN_VALUE);
                                    }

                                    @Override
                                    public void onProcessingTime(
                                            InternalTimer<String, VoidNamespace> timer) {
                                        throw new IllegalStateException(
                                                "the consent gate sets no processing-time timers");
                                    }
                                }));
        consentWatermark = Long.MIN_VALUE;
        reuse = new StreamRecord<>(null);
        forwardedWatermark = Long.MIN_VALUE;
        metrics = new VeilMetrics(getMetricGroup());
        lateConsentChanges = getMetricGroup().addGroup("veil").counter("late_consent_changes");
        getMetricGroup()
                .addGroup("veil")
                .gauge("consent_delivery_bound_exceeded_ms", () -> worstConsentLateness);
        droppedCounters = new EnumMap<>(ConsentDecision.class);
        for (ConsentDecision d : ConsentDecision.values()) {
            if (!d.allowed()) {
                droppedCounters.put(d, metrics.counter("dropped", "reason", d.label()));
            }
        }
        rulesVersionsReceived =
                getMetricGroup().addGroup("veil").counter("rules_versions_received");
        getMetricGroup()
                .addGroup("veil")
                .gauge("rules_versions_published", () -> versions.versions().size());
        outCounters = new HashMap<>();
        for (OutputRules o : versions.base().outputs().values()) {
            outCounters.put(o.name(), metrics.counter("records_out", "output", o.name()));
        }
        byte[] master = settings.key.resolve();
        keys = new PseudonymKeys(master);
        Arrays.fill(master, (byte) 0);
        random = new SecureRandom();
        erasureNotices = getMetricGroup().addGroup("veil").counter("erasure_notices");
        secretsShredded = getMetricGroup().addGroup("veil").counter("subject_secrets_shredded");
        idleSubjectsRemoved = getMetricGroup().addGroup("veil").counter("idle_subjects_removed");
        erasureListener =
                (erasureTime, ended) -> {
                    erasureNotice(erasureTime, ended);
                    // ConsentHistory wipes the secret once this returns
                    secretsShredded.inc();
                };
    }

    // ---- watermarks: kept apart; their minimum is forwarded
    // -------------------------------------------------------------------

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        logWatermark.effective(mark.getTimestamp());
        foldWhatTheLogWatermarkAllows();
        forwardWatermark();
    }

    /** Emits min(log, consent watermark) when it has advanced (see the class comment). */
    private void forwardWatermark() {
        long w = Math.min(logWatermark.current(), consentWatermark);
        if (w > forwardedWatermark) {
            forwardedWatermark = w;
            output.emitWatermark(new Watermark(w));
        }
    }

    /** Fires the log-fold timers that both watermarks have passed. */
    private void foldWhatTheLogWatermarkAllows() throws Exception {
        long bound = Math.min(logWatermark.current(), consentWatermark);
        if (bound > logFolds.currentWatermark()) {
            logFolds.advanceWatermark(bound);
        }
    }

    @SuppressWarnings("unchecked")
    private static <N> InternalTimerServiceImpl<String, N> impl(InternalTimerService<N> service) {
        if (!(service instanceof InternalTimerServiceImpl)) {
            // the gate advances its two timer services to different times itself
            throw new IllegalStateException(
                    "the consent gate needs Flink's streaming timer service, got "
                            + service.getClass().getName());
        }
        return (InternalTimerServiceImpl<String, N>) service;
    }

    @Override
    public void processWatermark2(Watermark mark) throws Exception {
        if (mark.getTimestamp() <= consentWatermark) {
            return;
        }
        consentWatermark = mark.getTimestamp();
        if (logInputIdle) {
            // Every log partition has caught up and gone quiet: nothing older is on its way, so the
            // log watermark
            // follows the consent watermark (and history can be folded) until logs flow again.
            logWatermark.effective(consentWatermark);
        }
        decideTimers.advanceWatermark(consentWatermark);
        foldWhatTheLogWatermarkAllows();
        forwardWatermark();
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int input) {
        // Input 0 is the logs: idle once every log partition is read to its end and quiet. An idle
        // consent input has
        // no partition at all; its watermark simply stays where it is. Nothing is forwarded.
        if (input == 0) {
            logInputIdle = status.isIdle();
        }
    }

    // ---- records
    // ---------------------------------------------------------------------------------------------------

    @Override
    public void processElement1(StreamRecord<LogEvent> record) throws Exception {
        LogEvent e = record.getValue();
        if (e.eventTime <= logWatermark.current()) {
            deadLetter(
                    e.deadLetter(
                            DeadLetterReason.LATE_EVENT,
                            "event time is behind the log watermark; its consent can no longer be decided"),
                    e.eventTime);
            return;
        }
        if (e.eventTime <= consentWatermark) {
            ConsentHistory h = gate.value();
            if (decide(h, e)) {
                store(h, true);
            }
            return;
        }
        waiting.add(e);
        timers.registerEventTimeTimer(DECIDE, e.eventTime);
    }

    /**
     * A rules version is broadcast to every subtask, so its key would mostly fall outside this
     * subtask's key groups: no key is set for it (and no keyed state is read).
     */
    @Override
    @SuppressWarnings("rawtypes")
    public void setKeyContextElement2(StreamRecord record) throws Exception {
        if (((ConsentEvent) record.getValue()).rules == null) {
            super.setKeyContextElement2(record);
        }
    }

    @Override
    public void processElement2(StreamRecord<ConsentEvent> record) throws Exception {
        if (record.getValue().rules != null) {
            // not a subject's: no keyed state is touched
            acceptRules(record.getValue().rules);
            return;
        }
        ConsentChange change = record.getValue().change;
        if (change.effectiveTime <= consentWatermark) {
            lateConsentChanges.inc();
            long lateBy = consentWatermark - change.effectiveTime;
            worstConsentLateness = Math.max(worstConsentLateness, lateBy);
            long now = System.currentTimeMillis();
            if (now - lastLateWarning > 60_000) {
                lastLateWarning = now;
                LOG.warn(
                        "A consent change arrived {} ms behind the consent watermark: it came later than "
                                + "consent.max_delivery_delay allows, and events before it may have been decided without it "
                                + "(counted in veil.late_consent_changes; further warnings within a minute are not logged).",
                        lateBy);
            }
        }
        ConsentHistory h = gate.value();
        if (h == null) {
            h = new ConsentHistory();
        }
        if (h.insert(change) == ConsentHistory.Insertion.APPLIED_LATE
                && change.action == ConsentChange.Action.ERASE) {
            // behind the base: the generation in force there ends now
            ConsentHistory.Generation ended = h.endBaseGeneration();
            erasureNotice(change.effectiveTime, ended);
            shred(ended);
        }
        store(h, true);
    }

    /**
     * Adds a published version (the control source validated it against the same start rules).
     * Every version reaches every subtask before the consent input's watermark passes its
     * publication, and so before any event of its effective time is decided.
     */
    private void acceptRules(PublishedRules p) throws Exception {
        rulesVersionsReceived.inc();
        RuleVersions.Version v;
        try {
            v = versions.validate(p.toJson(), p.publishedAt, settings.rulesLeadMillis);
        } catch (IllegalArgumentException e) {
            LOG.warn("Rules version {} refused: {}", p.name, e.getMessage());
            return;
        }
        String conflict = versions.conflict(v);
        if (conflict != null) {
            // the control source dead-letters such a record, unless it restarted in between
            LOG.warn("Rules version {} refused: {}", p.name, conflict);
            return;
        }
        if (versions.add(v)) {
            published.put(p.name, p);
            LOG.info(
                    "Rules version {} in force from {} (event time)",
                    p.name,
                    Instant.ofEpochMilli(p.effectiveFrom));
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, Integer> timer) throws Exception {
        // A fold timer decides the subject's due events first: folding must never pass an event
        // still waiting.
        decideDue(timer.getNamespace() == DECIDE ? timer.getTimestamp() : Long.MIN_VALUE);
    }

    @Override
    public void onProcessingTime(InternalTimer<String, Integer> timer) {
        throw new IllegalStateException("the consent gate sets no processing-time timers");
    }

    /**
     * Decides every waiting event of the current subject that the consent watermark has passed, in
     * time order, then folds and stores the subject's history. Afterwards every event still waiting
     * is newer than the consent watermark.
     *
     * @param timerTime the time of the decide timer that fired (its own timer is not deleted), or
     *     Long.MIN_VALUE
     */
    private void decideDue(long timerTime) throws Exception {
        List<LogEvent> due = new ArrayList<>();
        List<LogEvent> later = new ArrayList<>();
        Iterable<LogEvent> all = waiting.get();
        if (all != null) {
            for (LogEvent e : all) {
                (e.eventTime <= consentWatermark ? due : later).add(e);
            }
        }
        ConsentHistory h = gate.value();
        boolean changed = false;
        if (!due.isEmpty()) {
            due.sort(BY_TIME);
            int decided = 0;
            for (LogEvent e : due) {
                if (e.eventTime != timerTime) {
                    timers.deleteEventTimeTimer(DECIDE, e.eventTime);
                }
                if (++decided > maxPendingEvents) {
                    deadLetter(
                            e.deadLetter(
                                    DeadLetterReason.CONSENT_BUFFER_FULL,
                                    "more than "
                                            + maxPendingEvents
                                            + " events of one subject waited for the consent watermark"),
                            e.eventTime);
                } else {
                    changed |= decide(h, e);
                }
            }
            if (later.isEmpty()) {
                waiting.clear();
            } else {
                waiting.update(later);
            }
        }
        if (h != null) {
            store(h, changed);
        }
    }

    /**
     * Folds what no event will ask for again (at or before both watermarks: every waiting event is
     * newer than the consent watermark, every event to come newer than the log watermark), then
     * writes the subject's history, or removes it when nothing is left (after an erasure, say); a
     * history that neither changed nor folded is not written again (the decide step reads it only).
     * While changes stay unfolded a fold timer keeps coming back, so that an erasure clears the
     * entry even if the subject is never heard of again.
     */
    private void store(ConsentHistory h, boolean changed) throws IOException {
        long bound = Math.min(logWatermark.current(), consentWatermark);
        changed |= h.foldUpTo(bound, erasureListener);
        // Two ways back for a subject with unfolded changes. A change newer than the consent
        // watermark: one fold timer at the newest change, replaced rather than added to. A change
        // the consent watermark has passed but the log watermark has not: the log-fold queue, which
        // the log watermark drains as it passes, so an erasure is final (notice, secret wiped) as
        // soon as both watermarks allow, on a quiet system and at the end of a bounded input too.
        long wanted = Long.MIN_VALUE;
        if (idle(h)) {
            long removeAt = saturatedAdd(h.foldedUpTo(), settings.idleSubjectMillis);
            if (removeAt <= consentWatermark) {
                // no consent for longer than retention.idle_subject: the subject goes, secret and
                // all
                idleSubjectsRemoved.inc();
                shred(h.generations()[0]);
                if (h.foldAt() != Long.MIN_VALUE) {
                    timers.deleteEventTimeTimer(FOLD, h.foldAt());
                }
                gate.clear();
                return;
            }
            wanted = removeAt;
        } else if (h.changes().length > 0) {
            long newest = h.newestChange();
            if (newest > consentWatermark) {
                wanted = newest;
            }
            long oldest = h.changes()[0].effectiveTime;
            if (oldest <= consentWatermark) {
                // folding waits for the log watermark only
                logFolds.registerEventTimeTimer(VoidNamespace.INSTANCE, oldest);
            }
        }
        if (h.foldAt() != wanted) {
            if (h.foldAt() != Long.MIN_VALUE) {
                timers.deleteEventTimeTimer(FOLD, h.foldAt());
            }
            if (wanted != Long.MIN_VALUE) {
                timers.registerEventTimeTimer(FOLD, wanted);
            }
            h.foldAt(wanted);
            changed = true;
        }
        if (h.isEmpty()) {
            shred(h.generations()[0]);
            gate.clear();
        } else if (changed) {
            gate.update(h);
        }
    }

    /**
     * Nothing pending and no consent, nor an age status: the subject may go once idle long enough.
     * A minor's status is kept, since without it a later grant without a guardian would count.
     */
    private static boolean idle(ConsentHistory h) {
        ConsentState b = h.base();
        return h.changes().length == 0
                && h.foldedUpTo() != Long.MIN_VALUE
                && b != null
                && b.granted == 0
                && b.guardianGranted == 0
                && !b.minor;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void shred(ConsentHistory.Generation g) {
        if (g.secret != null) {
            Arrays.fill(g.secret, (byte) 0);
            g.secret = null;
            secretsShredded.inc();
        }
    }

    /**
     * Publishes the erasure notice of a generation that an erasure at {@code erasureTime} ends: the
     * subject pseudonym of each key epoch from the generation's first to the erasure's, within
     * {@code retention.erasure_notice_window}. Called before the secret is deleted.
     */
    private void erasureNotice(long erasureTime, ConsentHistory.Generation ended) {
        if (ended.secret == null) {
            return;
        }
        byte[] h = Base64.getUrlDecoder().decode((String) getCurrentKey());
        long last = settings.epochs.of(erasureTime - 1);
        long first =
                Math.max(
                        ended.firstEpoch,
                        settings.epochs.of(
                                saturatedAdd(erasureTime, -settings.noticeWindowMillis)));
        ObjectNode notice = Json.MAPPER.createObjectNode();
        notice.put("erasure_time", Instant.ofEpochMilli(erasureTime).toString());
        ArrayNode list = notice.putArray("pseudonyms");
        for (long epoch = first; epoch <= last; epoch++) {
            list.addObject()
                    .put(OutputRules.KEY_EPOCH_FIELD, epoch)
                    .put("subject", Slots.hex(keys.subject(epoch, ended.secret, h)));
        }
        try {
            output.collect(
                    reuse.replace(
                            new OutRecord(
                                    settings.erasureTopic,
                                    null,
                                    Json.MAPPER.writeValueAsBytes(notice))));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write an erasure notice", e);
        }
        erasureNotices.inc();
    }

    /**
     * Decides one event by the subject's consent at its time and publishes it if allowed, with the
     * pseudonyms of the subject's generation at that time (whose secret is made here if the event
     * is its first).
     *
     * @param h the subject's history, or null for none
     * @return true when {@code h} changed (a secret made, or its first epoch lowered)
     */
    private boolean decide(ConsentHistory h, LogEvent e) throws IOException {
        RuleSet inForce = versions.at(e.eventTime);
        OutputRules rule = inForce.output(e.output);
        if (rule == null) {
            // An output removed from the rules while its events waited in a savepoint: not
            // published.
            metrics.counter("dropped", "reason", "output_removed").inc();
            return false;
        }
        ConsentState state = h == null ? null : h.at(e.eventTime);
        ConsentDecision d =
                ConsentRules.decide(state, rule.requiredPurposes(), rule.publishMinors());
        if (!d.allowed()) {
            droppedCounters.get(d).inc();
            return false;
        }
        if (e.rulesVersion != null && !e.rulesVersion.equals(inForce.version())) {
            // The source did not know the version in force yet: publishing would apply other rules
            // than the ones in force at the event's time.
            deadLetter(
                    e.deadLetter(
                            DeadLetterReason.RULES_VERSION_CHANGED,
                            "anonymised at the source by rules version '"
                                    + e.rulesVersion
                                    + "', but '"
                                    + inForce.version()
                                    + "' is in force at the event's time (published less than"
                                    + " time.rules_lead before the record was read); not published"),
                    e.eventTime);
            return false;
        }
        long epoch = settings.epochs.of(e.eventTime);
        boolean changed = false;
        byte[] secret = null;
        if (e.slots != null) {
            ConsentHistory.Generation g = h.generationAt(e.eventTime);
            if (g.secret == null) {
                g.secret = new byte[ConsentHistorySerializer.SECRET_BYTES];
                random.nextBytes(g.secret);
                g.firstEpoch = epoch;
                changed = true;
            } else if (epoch < g.firstEpoch) {
                g.firstEpoch = epoch;
                changed = true;
            }
            secret = g.secret;
        }
        // Timestamped with the event's own time, for the risk measurement's windows (the Kafka
        // sink writes no record timestamp from it: OutRecordSerializer leaves it to the broker).
        output.collect(
                reuse.replace(
                        publication(
                                rule, d, e, rule.topic(), keys, secret, epoch, state.policyVersion),
                        e.eventTime));
        reuse.eraseTimestamp();
        outCounters.get(rule.name()).inc();
        return changed;
    }

    /**
     * The record an allowed event becomes: its anonymised payload with the subject- and
     * record-scoped pseudonyms written over their placeholders (see {@link PseudonymKeys}), for a
     * minor less the output's minors drop fields, and {@value OutputRules#POLICY_VERSION_FIELD}
     * added; keyed by its output key, to {@code topic}.
     *
     * @param decision ALLOW or ALLOW_MINOR
     * @param keys this task's pseudonym keys
     * @param secret the secret of the subject's generation at the event's time; may be null only
     *     when the event has no placeholder
     * @param epoch the event's key epoch
     * @param policyVersion the policy version of the consent that let it through, or null
     * @throws IOException if the payload of a minor's event cannot be re-read (it was written by
     *     the source)
     */
    public static OutRecord publication(
            OutputRules rule,
            ConsentDecision decision,
            LogEvent e,
            String topic,
            PseudonymKeys keys,
            byte[] secret,
            long epoch,
            String policyVersion)
            throws IOException {
        byte[] value = e.payload;
        String outputKey = e.outputKey;
        if (e.slots != null) {
            value = value.clone();
            byte[] h = new byte[32];
            for (int i = 0; i < e.slots.length; i++) {
                int at = Slots.offset(e.slots[i]);
                Slots.readHex(value, at, h);
                byte[] p =
                        Slots.scope(e.slots[i]) == IdentifierScope.RECORD
                                ? keys.record(
                                        epoch,
                                        secret,
                                        h,
                                        e.sourceTopic,
                                        e.sourcePartition,
                                        e.sourceOffset)
                                : keys.subject(epoch, secret, h);
                Slots.writeHex(p, value, at);
                if (i == e.keySlot) {
                    outputKey =
                            new String(
                                    value, at, PseudonymKeys.HEX_LENGTH, StandardCharsets.US_ASCII);
                }
            }
        }
        if (decision == ConsentDecision.ALLOW_MINOR && !rule.minorDropFields().isEmpty()) {
            ObjectNode record = (ObjectNode) Json.MAPPER.readTree(value);
            rule.applyMinorPolicy(record);
            value = Json.MAPPER.writeValueAsBytes(record);
        }
        value = withPolicyVersion(value, policyVersion);
        byte[] key = outputKey == null ? null : outputKey.getBytes(StandardCharsets.UTF_8);
        return new OutRecord(topic, key, value);
    }

    private static final byte[] POLICY_FIELD =
            (",\"" + OutputRules.POLICY_VERSION_FIELD + "\":").getBytes(StandardCharsets.US_ASCII);

    /** {@code json} (an object) with the policy version field appended. */
    static byte[] withPolicyVersion(byte[] json, String policyVersion) {
        byte[] v =
                policyVersion == null
                        ? "null".getBytes(StandardCharsets.US_ASCII)
                        : quoted(policyVersion);
        int end = json.length - 1; // the closing brace
        byte[] out = new byte[json.length + POLICY_FIELD.length + v.length];
        System.arraycopy(json, 0, out, 0, end);
        int n = end;
        if (json[end - 1] == '{') {
            // an empty object: no comma
            System.arraycopy(POLICY_FIELD, 1, out, n, POLICY_FIELD.length - 1);
            n += POLICY_FIELD.length - 1;
        } else {
            System.arraycopy(POLICY_FIELD, 0, out, n, POLICY_FIELD.length);
            n += POLICY_FIELD.length;
        }
        System.arraycopy(v, 0, out, n, v.length);
        n += v.length;
        out[n++] = '}';
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private static byte[] quoted(String s) {
        byte[] inner = JsonStringEncoder.getInstance().quoteAsUTF8(s);
        byte[] q = new byte[inner.length + 2];
        q[0] = '"';
        System.arraycopy(inner, 0, q, 1, inner.length);
        q[q.length - 1] = '"';
        return q;
    }

    /** Sends a dead letter about an event at {@code eventTime}, stamped with the rules in force. */
    private void deadLetter(DeadLetter dl, long eventTime) {
        metrics.counter("dead_lettered", "reason", dl.reason.label()).inc();
        output.collect(
                reuse.replace(
                        new OutRecord(
                                deadLetterTopic,
                                null,
                                dl.toJson(versions.at(eventTime).version()))));
    }
}
