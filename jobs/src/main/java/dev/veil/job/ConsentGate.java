package dev.veil.job;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentDecision;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.record.Json;
import dev.veil.record.ProcessingFailure;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets an anonymised event through to its output only if, at the event's own event time, its data subject had
 * granted every purpose the output requires. Keyed by subject key (a pseudonym).
 *
 * <p><b>Determinism.</b> Log events and consent changes wait in keyed state until the watermark passes their time; an
 * event-time timer then applies the changes of that millisecond (ties in {@link ConsentRules#SAME_TIME_ORDER}) and
 * decides the events of that millisecond. So the output depends only on event times, not on arrival order or
 * parallelism, for all records within the watermark's out-of-orderness. The cost is latency: an event is released
 * once the watermark passes it, i.e. about max-out-of-orderness after the newest event seen on every input.
 *
 * <p><b>Late records.</b> An event at or behind the watermark (the highest ever seen, kept across restores by
 * {@link DurableWatermark}) cannot be decided reliably (the consent that governed
 * it may already be folded into later state), so it is not published: it becomes a {@code late_event} dead letter
 * that names its source offset (fail closed, nothing lost). A late consent change is applied at once and counted
 * ({@code veil.late_consent_changes}).
 *
 * <p><b>State</b> (RocksDB): {@code gate} (a {@link GateState}: the subject's {@link ConsentState} as of the
 * watermark and the counts of what waits), {@code pending-changes} (a map from event time to the changes of that
 * time) and {@code pending-events} (a map from event time to the events of that time). An erasure clears the consent explicitly; a subject with no consent and nothing pending has no
 * entry at all. Per event: one read and one write of {@code gate} and of {@code pending-events} on arrival, the same
 * at the timer. Most of these reads look up keys that do not exist, which RocksDB's bloom filters answer without
 * touching a file: Veil switches them on ({@code state.backend.rocksdb.use-bloom-filter}).
 * At most {@code maxPendingEvents} events wait per subject; more become {@code consent_buffer_full} dead letters.
 *
 * <p>Metrics: {@code veil.output.<o>.records_out}, {@code veil.reason.<r>.dropped}, {@code veil.late_consent_changes},
 * {@code veil.reason.<r>.dead_lettered}. The same figures are accumulators ({@code out.<o>}, {@code dropped.<r>},
 * {@code dead_lettered.<r>}) for the demo's summary.
 */
public class ConsentGate extends KeyedCoProcessFunction<String, LogEvent, ConsentEvent, OutRecord>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Dead-letter reason for events that arrive behind the watermark. */
    public static final String LATE_EVENT = "late_event";

    private final RulesText rulesText;
    private final String deadLetterTopic;
    private final int maxPendingEvents;

    private transient RuleSet rules;
    private transient ValueState<GateState> gate;
    private transient MapState<Long, List<ConsentChange>> pendingChanges;
    private transient MapState<Long, List<LogEvent>> pendingEvents;
    private transient EnumMap<ConsentDecision, Counter> droppedCounters;
    private transient Map<String, Counter> outCounters;
    private transient VeilMetrics metrics;
    private transient Counter lateConsentChanges;
    private final DurableWatermark watermark = new DurableWatermark();
    private transient EnumMap<ConsentDecision, LongCounter> droppedAcc;
    private transient Map<String, LongCounter> outAcc;

    /**
     * @param rulesText the validated rules (outputs, purposes, minors policy)
     * @param deadLetterTopic where late and overflowing events are reported
     * @param maxPendingEvents bound of waiting events per subject, at least 1
     */
    public ConsentGate(RulesText rulesText, String deadLetterTopic, int maxPendingEvents) {
        if (maxPendingEvents < 1) {
            throw new IllegalArgumentException("maxPendingEvents must be at least 1, was " + maxPendingEvents);
        }
        this.rulesText = rulesText;
        this.deadLetterTopic = deadLetterTopic;
        this.maxPendingEvents = maxPendingEvents;
    }

    /** State descriptor of the subject's consent and pending counts. */
    public static ValueStateDescriptor<GateState> gateDescriptor() {
        return new ValueStateDescriptor<>("gate", TypeInformation.of(GateState.class));
    }

    public static MapStateDescriptor<Long, List<ConsentChange>> pendingChangesDescriptor() {
        return new MapStateDescriptor<>("pending-changes", Types.LONG, new TypeHint<List<ConsentChange>>() {}.getTypeInfo());
    }

    /**
     * Events waiting for the watermark, by event time. A map, not one list per subject: a timer then reads only the
     * events of its own millisecond, however many wait (a list would be read whole at every timer, quadratic when a
     * replay moves the watermark by minutes at a time).
     */
    public static MapStateDescriptor<Long, List<LogEvent>> pendingEventsDescriptor() {
        return new MapStateDescriptor<>("pending-events", Types.LONG, new TypeHint<List<LogEvent>>() {}.getTypeInfo());
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        watermark.initialize(context);
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        watermark.snapshot();
    }

    @Override
    public void open(OpenContext openContext) {
        rules = rulesText.parse();
        gate = getRuntimeContext().getState(gateDescriptor());
        pendingChanges = getRuntimeContext().getMapState(pendingChangesDescriptor());
        pendingEvents = getRuntimeContext().getMapState(pendingEventsDescriptor());
        metrics = new VeilMetrics(getRuntimeContext().getMetricGroup());
        lateConsentChanges = getRuntimeContext().getMetricGroup().addGroup("veil").counter("late_consent_changes");
        droppedAcc = new EnumMap<>(ConsentDecision.class);
        droppedCounters = new EnumMap<>(ConsentDecision.class);
        for (ConsentDecision d : ConsentDecision.values()) {
            if (!d.allowed()) {
                LongCounter c = new LongCounter();
                getRuntimeContext().addAccumulator("dropped." + d.label(), c);
                droppedAcc.put(d, c);
                droppedCounters.put(d, metrics.counter("dropped", "reason", d.label()));
            }
        }
        outAcc = new HashMap<>();
        outCounters = new HashMap<>();
        for (OutputRules o : rules.outputs().values()) {
            LongCounter c = new LongCounter();
            getRuntimeContext().addAccumulator("out." + o.name(), c);
            outAcc.put(o.name(), c);
            outCounters.put(o.name(), metrics.counter("records_out", "output", o.name()));
        }
    }

    @Override
    public void processElement1(LogEvent event, Context ctx, Collector<OutRecord> out) throws Exception {
        if (event.eventTime <= watermark.effective(ctx.timerService().currentWatermark())) {
            deadLetter(event.deadLetter(LATE_EVENT, "event time is behind the watermark; its consent can no longer be decided"), out);
            return;
        }
        GateState g = gate.value();
        if (g == null) {
            g = new GateState();
        }
        if (g.pendingEvents >= maxPendingEvents) {
            deadLetter(event.deadLetter(
                    ProcessingFailure.CONSENT_BUFFER_FULL,
                    "more than " + maxPendingEvents + " events of one subject wait for the watermark"), out);
            return;
        }
        List<LogEvent> atTime = pendingEvents.get(event.eventTime);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
        }
        atTime.add(event);
        pendingEvents.put(event.eventTime, atTime);
        g.pendingEvents++;
        gate.update(g);
        ctx.timerService().registerEventTimeTimer(event.eventTime);
    }

    @Override
    public void processElement2(ConsentEvent event, Context ctx, Collector<OutRecord> out) throws Exception {
        ConsentChange change = event.change;
        GateState g = gate.value();
        if (g == null) {
            g = new GateState();
        }
        if (change.effectiveTime <= watermark.effective(ctx.timerService().currentWatermark())) {
            lateConsentChanges.inc();
            g.consent = apply(g.consent, List.of(change));
        } else {
            List<ConsentChange> atTime = pendingChanges.get(change.effectiveTime);
            if (atTime == null) {
                atTime = new ArrayList<>(1);
            }
            atTime.add(change);
            pendingChanges.put(change.effectiveTime, atTime);
            g.pendingChanges++;
            ctx.timerService().registerEventTimeTimer(change.effectiveTime);
        }
        store(g);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out) throws Exception {
        watermark.effective(ctx.timerService().currentWatermark());
        GateState g = gate.value();
        if (g == null) {
            return;
        }
        if (g.pendingChanges > 0) {
            List<ConsentChange> changes = pendingChanges.get(timestamp);
            if (changes != null) {
                pendingChanges.remove(timestamp);
                g.pendingChanges -= changes.size();
                g.consent = apply(g.consent, changes);
            }
        }
        if (g.pendingEvents > 0) {
            List<LogEvent> events = pendingEvents.get(timestamp);
            if (events != null) {
                pendingEvents.remove(timestamp);
                g.pendingEvents -= events.size();
                for (LogEvent e : events) {
                    decide(g.consent, e, out);
                }
            }
        }
        store(g);
    }

    /** Writes the subject's gate state, or removes it when nothing is left (after an erasure, say). */
    private void store(GateState g) throws IOException {
        if (g.empty()) {
            gate.clear();
        } else {
            gate.update(g);
        }
    }

    /** Applies changes of one instant in {@link ConsentRules#SAME_TIME_ORDER}; null after an erasure. */
    private static ConsentState apply(ConsentState state, List<ConsentChange> changes) {
        List<ConsentChange> ordered = changes;
        if (changes.size() > 1) {
            ordered = new ArrayList<>(changes);
            ordered.sort(ConsentRules.SAME_TIME_ORDER);
        }
        for (ConsentChange c : ordered) {
            state = ConsentRules.apply(state, c);
        }
        return state;
    }

    private void decide(ConsentState state, LogEvent e, Collector<OutRecord> out) throws IOException {
        OutputRules output = rules.output(e.output);
        if (output == null) {
            // An output removed from the rules while its events waited in a savepoint: not published.
            metrics.counter("dropped", "reason", "output_removed").inc();
            return;
        }
        ConsentDecision d = ConsentRules.decide(state, output.requiredPurposes(), output.publishMinors());
        if (!d.allowed()) {
            droppedAcc.get(d).add(1);
            droppedCounters.get(d).inc();
            return;
        }
        byte[] value = e.payload;
        if (d == ConsentDecision.ALLOW_MINOR && !output.minorDropFields().isEmpty()) {
            ObjectNode record = (ObjectNode) Json.MAPPER.readTree(value);
            output.applyMinorPolicy(record);
            value = Json.MAPPER.writeValueAsBytes(record);
        }
        byte[] key = e.outputKey == null ? null : e.outputKey.getBytes(StandardCharsets.UTF_8);
        out.collect(new OutRecord(output.topic(), key, value));
        outAcc.get(output.name()).add(1);
        outCounters.get(output.name()).inc();
    }

    private void deadLetter(DeadLetter dl, Collector<OutRecord> out) {
        metrics.counter("dead_lettered", "reason", dl.reason).inc();
        out.collect(new OutRecord(deadLetterTopic, null, dl.toJson(rules.version())));
    }
}
