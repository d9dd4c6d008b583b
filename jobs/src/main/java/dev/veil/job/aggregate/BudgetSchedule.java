package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.PrivacyLedger;
import dev.veil.aggregate.PrivacySpend;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One budget line for every window the watermark passes, whether or not anyone was active in it.
 * The line lists this job's releases with their ε and δ (spent whether or not a category was
 * published: choosing to publish nothing is itself a release) and the total ε and δ one data
 * subject can spend in the window across every release of both aggregate jobs (basic sequential
 * composition). A line only for windows with activity would tell, by its presence alone, that
 * someone was active (δ = 1); so the lines follow the watermark, not the data: from the first
 * window not yet released when the job first sees a watermark, one line per window as its release
 * time (window end plus allowed lateness) passes. Only the ends of the span follow the data: a job
 * whose first watermark comes after its first decisions (a bounded replay read in one go) starts at
 * the first decided window, and at the end of a bounded input the lines go on to the later of the
 * last decided window and the last watermark plus the out-of-orderness bound. Within the span,
 * every window has its line.
 *
 * <p>Runs at parallelism 1 (the watermark is the minimum over its inputs); its input is the release
 * decisions, read for the span's ends only. State: the next window to write, the last watermark and
 * the last decided window, in operator state.
 */
public class BudgetSchedule extends AbstractStreamOperator<OutRecord>
        implements OneInputStreamOperator<ReleaseDecision, OutRecord> {
    private static final long serialVersionUID = 1L;

    private final AggregatesConfig config;
    private final String job;
    private final List<String> releaseNames;

    private transient ListState<Long> position;
    private transient long next;
    private transient long lastWatermark;
    private transient long lastDecided;

    /**
     * @param job "heatmap" or "usage"
     * @param releaseNames the releases of this job
     */
    public BudgetSchedule(AggregatesConfig config, String job, List<String> releaseNames) {
        this.config = config;
        this.job = job;
        this.releaseNames = List.copyOf(releaseNames);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        position =
                context.getOperatorStateStore()
                        .getListState(new ListStateDescriptor<>("budget-schedule", Types.LONG));
        next = Long.MIN_VALUE;
        lastWatermark = Long.MIN_VALUE;
        lastDecided = Long.MIN_VALUE;
        Iterable<Long> restored = position.get();
        if (restored != null) {
            List<Long> values = new ArrayList<>();
            restored.forEach(values::add);
            if (values.size() == 3) {
                next = values.get(0);
                lastWatermark = values.get(1);
                lastDecided = values.get(2);
            }
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        position.update(List.of(next, lastWatermark, lastDecided));
    }

    @Override
    public void processElement(StreamRecord<ReleaseDecision> element) {
        long start = element.getValue().windowStart;
        lastDecided = Math.max(lastDecided, start);
        if (next == Long.MIN_VALUE) {
            next = start;
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long w = mark.getTimestamp();
        long window = config.window.toMillis();
        long lateness = config.allowedLateness.toMillis();
        if (w != Long.MIN_VALUE && w != Long.MAX_VALUE) {
            lastWatermark = Math.max(lastWatermark, w);
            if (next == Long.MIN_VALUE) {
                next = Math.floorDiv(w - lateness - window, window) * window + window;
            }
            while (next + window + lateness <= w) {
                line(next);
                next += window;
            }
        } else if (w == Long.MAX_VALUE && next != Long.MIN_VALUE) {
            // the end of a bounded input releases every window; data can be up to the
            // out-of-orderness bound past the last watermark
            long last =
                    Math.max(
                            lastDecided,
                            lastWatermark == Long.MIN_VALUE
                                    ? Long.MIN_VALUE
                                    : lastWatermark + config.maxOutOfOrderness.toMillis());
            while (next <= last) {
                line(next);
                next += window;
            }
        }
        super.processWatermark(mark);
    }

    private void line(long start) throws IOException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("window_start", Instant.ofEpochMilli(start).toString());
        o.put("window_end", Instant.ofEpochMilli(start + config.window.toMillis()).toString());
        o.put("job", job);
        ArrayNode rs = o.putArray("releases");
        for (ReleaseSpec r : config.allReleases()) {
            if (releaseNames.contains(r.name())) {
                ObjectNode line = rs.addObject().put("release", r.name());
                if (r.gaussian()) {
                    line.put("rho", r.configuredRho());
                } else {
                    line.put("epsilon", r.epsilon());
                }
                line.put("zcdp_rho", r.rho()).put("delta", r.delta());
            }
        }
        PrivacySpend window = config.windowSpend();
        if (window.basicEpsilon() != null) {
            o.put("total_epsilon", window.basicEpsilon());
        }
        o.put("total_rho", window.rho());
        o.put("total_delta", config.totalDelta());
        o.put(
                "composition",
                window.basicEpsilon() != null
                        ? "basic sequential composition over all heat map and usage releases of the window"
                        : "zCDP over all heat map and usage releases of the window (total_rho; the thresholds'"
                                + " total_delta)");
        PrivacyLedger ledger = config.ledger;
        if (ledger != null) {
            // The running total of the period so far: every window is charged to every subject,
            // so it depends on the window's place in the period only, never on the data.
            long period = ledger.period.toMillis();
            long periodStart = Math.floorDiv(start, period) * period;
            long windows = (start - periodStart) / config.window.toMillis() + 1;
            PrivacySpend spent = window.times(windows);
            ObjectNode p = o.putObject("period");
            p.put("length", ledger.periodText());
            p.put("start", Instant.ofEpochMilli(periodStart).toString());
            p.put("windows_so_far", windows);
            p.put("rho", spent.rho());
            p.put("epsilon", spent.epsilonAt(ledger.capDelta));
            p.put("delta", ledger.capDelta);
            p.put("cap_epsilon", ledger.capEpsilon);
            p.put("ledger_epsilon", ledger.totalEpsilon());
        }
        output.collect(
                new StreamRecord<>(
                        new OutRecord(config.budgetTopic, null, Json.MAPPER.writeValueAsBytes(o))));
    }
}
