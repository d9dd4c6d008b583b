package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.ContributionBounding;
import dev.veil.aggregate.Observation;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.aggregate.SubjectWindow;
import dev.veil.job.operators.DurableWatermark;
import dev.veil.privacy.Pseudonymiser;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed by subject pseudonym: collects each subject's observations per tumbling event-time window,
 * bounded to L categories per release and C per category ({@link ContributionBounding}), and emits
 * them once the watermark passes window end + allowed lateness. A window is released exactly once,
 * after its lateness: a late record never causes a second, differing release that could be
 * subtracted from the first, also not after a restore (lateness is decided against the {@link
 * DurableWatermark}). Observations later than that go to the {@link #LATE} side output and the
 * {@code veil.late_observations} metric.
 *
 * <p>State: {@code windows}, a map from window start to the subject's {@link SubjectWindow};
 * cleared at release.
 */
public class BoundContributions extends KeyedProcessFunction<String, Observation, Contribution>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Observations that arrived after their window was released. */
    public static final OutputTag<Observation> LATE =
            new OutputTag<>("late-observations", TypeInformation.of(Observation.class));

    private final AggregatesConfig config;
    private final DurableWatermark watermark = new DurableWatermark();
    private transient Map<String, ReleaseSpec> releases;
    private transient Pseudonymiser ranker;
    private transient MapState<Long, SubjectWindow> windows;
    private transient Counter late;

    public BoundContributions(AggregatesConfig config) {
        this.config = config;
    }

    public static MapStateDescriptor<Long, SubjectWindow> windowsDescriptor() {
        return new MapStateDescriptor<>(
                "windows", Types.LONG, TypeInformation.of(SubjectWindow.class));
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
        releases = new HashMap<>();
        for (ReleaseSpec r : config.allReleases()) {
            releases.put(r.name(), r);
        }
        ranker = new Pseudonymiser(config.noiseKey.resolve());
        windows = getRuntimeContext().getMapState(windowsDescriptor());
        late = getRuntimeContext().getMetricGroup().addGroup("veil").counter("late_observations");
    }

    private long windowStart(long t) {
        long size = config.window.toMillis();
        return Math.floorDiv(t, size) * size;
    }

    /** When a window is released: the last millisecond of its allowed lateness. */
    long releaseTime(long windowStart) {
        return windowStart + config.window.toMillis() + config.allowedLateness.toMillis() - 1;
    }

    @Override
    public void processElement(Observation o, Context ctx, Collector<Contribution> out)
            throws Exception {
        long start = windowStart(o.eventTime);
        long release = releaseTime(start);
        if (release <= watermark.effective(ctx.timerService().currentWatermark())) {
            late.inc();
            ctx.output(LATE, o);
            return;
        }
        ReleaseSpec spec = releases.get(o.release);
        if (spec == null) {
            throw new IllegalStateException("unknown release " + o.release);
        }
        SubjectWindow w = windows.get(start);
        boolean fresh = w == null;
        if (fresh) {
            w = new SubjectWindow();
        }
        long rank = ContributionBounding.rank(ranker, o.subject, start, o.release, o.category);
        if (ContributionBounding.add(
                w, o.release, o.category, rank, spec.maxContributions(), spec.maxPerCategory())) {
            windows.put(start, w);
        }
        if (fresh) {
            ctx.timerService().registerEventTimeTimer(release);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Contribution> out)
            throws Exception {
        watermark.effective(ctx.timerService().currentWatermark());
        List<Long> due = new ArrayList<>();
        for (Long start : windows.keys()) {
            if (releaseTime(start) <= timestamp) {
                due.add(start);
            }
        }
        for (Long start : due) {
            for (SubjectWindow.Entry e : windows.get(start).entries) {
                out.collect(new Contribution(e.release, start, e.category, e.count));
            }
            windows.remove(start);
        }
    }
}
