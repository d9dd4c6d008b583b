package dev.veil.job.operators;

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
import dev.veil.job.serialisation.ConsentHistorySerializer;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.IntSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.FlinkRuntimeException;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * in {@link ConsentHistorySerializer}'s layout; {@code waiting-events}, the events waiting for the
 * consent watermark. A subject with no consent and nothing to come has no entry: after an erasure
 * is folded, every entry is cleared. At most {@code maxPendingEvents} events of one subject are
 * decided per step; the newest beyond that become {@code consent_buffer_full} dead letters.
 *
 * <p>Metrics: {@code veil.output.<o>.records_out}, {@code veil.reason.<r>.dropped}, {@code
 * veil.late_consent_changes}, {@code veil.consent_delivery_bound_exceeded_ms}, {@code
 * veil.reason.<r>.dead_lettered}. The operator emits no watermark: its only consumer is the sink.
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

    /**
     * How far (ms of consent watermark) a fold timer that found the log watermark behind is put
     * off, at least; then as far again as the change is old.
     */
    static final long FOLD_RETRY_MILLIS = 60_000;

    private static final Comparator<LogEvent> BY_TIME = Comparator.comparingLong(e -> e.eventTime);

    private final RulesText rulesText;
    private final String deadLetterTopic;
    private final int maxPendingEvents;
    private final DurableWatermark logWatermark = new DurableWatermark();

    private transient RuleSet rules;
    private transient ValueState<ConsentHistory> gate;
    private transient ListState<LogEvent> waiting;
    private transient InternalTimerService<Integer> timers;
    private transient long consentWatermark;
    private transient boolean logInputIdle;
    private transient StreamRecord<OutRecord> reuse;
    private transient EnumMap<ConsentDecision, Counter> droppedCounters;
    private transient Map<String, Counter> outCounters;
    private transient VeilMetrics metrics;
    private transient Counter lateConsentChanges;
    private transient long worstConsentLateness;
    private transient long lastLateWarning;

    /**
     * @param rulesText the validated rules (outputs, purposes, minors policy)
     * @param deadLetterTopic where late and overflowing events are reported
     * @param maxPendingEvents bound of events of one subject decided in one step, at least 1
     */
    public ConsentGate(RulesText rulesText, String deadLetterTopic, int maxPendingEvents) {
        if (maxPendingEvents < 1) {
            throw new IllegalArgumentException(
                    "maxPendingEvents must be at least 1, was " + maxPendingEvents);
        }
        this.rulesText = rulesText;
        this.deadLetterTopic = deadLetterTopic;
        this.maxPendingEvents = maxPendingEvents;
    }

    /**
     * The subject's consent history. Named {@code gate} as in Veil 0.1, so that a 0.1 savepoint is
     * refused loudly.
     */
    public static ValueStateDescriptor<ConsentHistory> gateDescriptor() {
        return new ValueStateDescriptor<>("gate", ConsentHistorySerializer.INSTANCE);
    }

    /** Events waiting for the consent watermark, in arrival order. */
    public static ListStateDescriptor<LogEvent> waitingDescriptor() {
        return new ListStateDescriptor<>("waiting-events", TypeInformation.of(LogEvent.class));
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        logWatermark.initialize(context);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        logWatermark.snapshot();
    }

    @Override
    public void open() throws Exception {
        super.open();
        rules = rulesText.parse();
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
        consentWatermark = Long.MIN_VALUE;
        reuse = new StreamRecord<>(null);
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
        outCounters = new HashMap<>();
        for (OutputRules o : rules.outputs().values()) {
            outCounters.put(o.name(), metrics.counter("records_out", "output", o.name()));
        }
    }

    // ---- watermarks: kept apart, never forwarded
    // -------------------------------------------------------------------

    @Override
    public void processWatermark1(Watermark mark) {
        logWatermark.effective(mark.getTimestamp());
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
        getTimeServiceManager().orElseThrow().advanceWatermark(new Watermark(consentWatermark));
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
                            "event time is behind the log watermark; its consent can no longer be decided"));
            return;
        }
        if (e.eventTime <= consentWatermark) {
            ConsentHistory h = gate.value();
            decide(h == null ? null : h.at(e.eventTime), e);
            return;
        }
        waiting.add(e);
        timers.registerEventTimeTimer(DECIDE, e.eventTime);
    }

    @Override
    public void processElement2(StreamRecord<ConsentEvent> record) throws Exception {
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
        h.insert(change);
        store(h, true);
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
                                            + " events of one subject waited for the consent watermark"));
                } else {
                    decide(h == null ? null : h.at(e.eventTime), e);
                }
            }
            if (later.isEmpty()) {
                waiting.clear();
            } else {
                waiting.update(later);
            }
        }
        if (h != null) {
            store(h, false);
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
        changed |= h.foldUpTo(bound);
        // One fold timer per subject at most, replaced rather than added to. Strictly after the
        // consent watermark, so
        // it never re-arms itself within one watermark step (and a decide timer of this step has
        // already moved it); at
        // least as far again as the change is old, so that while the log watermark stands still (a
        // stalled log
        // partition) the subjects waiting for it come back ever more rarely. None past the end of a
        // bounded input.
        long wanted = Long.MIN_VALUE;
        if (h.changes().length > 0) {
            long newest = h.newestChange();
            long wait = Math.max(FOLD_RETRY_MILLIS, consentWatermark - newest);
            if (newest > consentWatermark) {
                wanted = newest;
            } else if (consentWatermark < Long.MAX_VALUE - wait) {
                wanted = consentWatermark + wait;
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
            gate.clear();
        } else if (changed) {
            gate.update(h);
        }
    }

    private void decide(ConsentState state, LogEvent e) throws IOException {
        OutputRules rule = rules.output(e.output);
        if (rule == null) {
            // An output removed from the rules while its events waited in a savepoint: not
            // published.
            metrics.counter("dropped", "reason", "output_removed").inc();
            return;
        }
        ConsentDecision d =
                ConsentRules.decide(state, rule.requiredPurposes(), rule.publishMinors());
        if (!d.allowed()) {
            droppedCounters.get(d).inc();
            return;
        }
        output.collect(reuse.replace(publication(rule, d, e, rule.topic())));
        outCounters.get(rule.name()).inc();
    }

    /**
     * The record an allowed event becomes: its anonymised payload (for a minor, less the output's
     * minors drop fields) keyed by its output key, to {@code topic}.
     *
     * @param decision ALLOW or ALLOW_MINOR
     * @throws IOException if the payload of a minor's event cannot be re-read (it was written by
     *     the source)
     */
    public static OutRecord publication(
            OutputRules rule, ConsentDecision decision, LogEvent e, String topic)
            throws IOException {
        byte[] value = e.payload;
        if (decision == ConsentDecision.ALLOW_MINOR && !rule.minorDropFields().isEmpty()) {
            ObjectNode record = (ObjectNode) Json.MAPPER.readTree(value);
            rule.applyMinorPolicy(record);
            value = Json.MAPPER.writeValueAsBytes(record);
        }
        byte[] key = e.outputKey == null ? null : e.outputKey.getBytes(StandardCharsets.UTF_8);
        return new OutRecord(topic, key, value);
    }

    private void deadLetter(DeadLetter dl) {
        metrics.counter("dead_lettered", "reason", dl.reason.label()).inc();
        output.collect(
                reuse.replace(new OutRecord(deadLetterTopic, null, dl.toJson(rules.version()))));
    }
}
