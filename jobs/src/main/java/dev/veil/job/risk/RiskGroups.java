package dev.veil.job.risk;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Keyed by output, window and quasi-identifier digest: counts the records of one group and, when
 * the watermark passes the window's end, emits the group's size. The consent gate publishes a
 * record before it forwards the watermark that passes the record's event time, so every record of a
 * window is here before the window closes; one that is not (a published event_time truncated to an
 * earlier window than the one the watermark has left) is counted in {@code veil.risk_late_records}
 * and left out. State: one count per group, cleared when it is emitted.
 */
public class RiskGroups extends KeyedProcessFunction<String, RiskObservation, RiskObservation> {
    private static final long serialVersionUID = 1L;

    private final long windowMillis;

    private transient ValueState<Long> count;
    private transient Counter late;

    public RiskGroups(Duration window) {
        this.windowMillis = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.LONG));
        late = getRuntimeContext().getMetricGroup().addGroup("veil").counter("risk_late_records");
    }

    @Override
    public void processElement(RiskObservation o, Context ctx, Collector<RiskObservation> out)
            throws Exception {
        long close = o.windowStart + windowMillis - 1;
        if (ctx.timerService().currentWatermark() >= close) {
            late.inc();
            return;
        }
        Long c = count.value();
        if (c == null) {
            c = 0L;
            ctx.timerService().registerEventTimeTimer(close);
        }
        count.update(c + o.count);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RiskObservation> out)
            throws Exception {
        Long c = count.value();
        count.clear();
        if (c == null) {
            return;
        }
        String[] key = ctx.getCurrentKey().split("\\|");
        out.collect(new RiskObservation(key[0], Long.parseLong(key[1]), 0, c));
    }
}
