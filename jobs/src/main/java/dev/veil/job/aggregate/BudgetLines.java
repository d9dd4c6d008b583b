package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * Keyed by window start: one budget line per window in which this job released anything, on the
 * budget topic. The line lists this job's releases with their ε and δ (spent whether or not a
 * category was published: choosing to publish nothing is itself a release), and the total ε and δ
 * one data subject can spend in the window across every release of both aggregate jobs (basic
 * sequential composition).
 */
public class BudgetLines extends KeyedProcessFunction<Long, ReleaseDecision, OutRecord> {
    private static final long serialVersionUID = 1L;

    private final AggregatesConfig config;
    private final String job;
    private final List<String> releaseNames;
    private transient ValueState<Boolean> seen;

    /**
     * @param job "heatmap" or "usage"
     * @param releaseNames the releases of this job
     */
    public BudgetLines(AggregatesConfig config, String job, List<String> releaseNames) {
        this.config = config;
        this.job = job;
        this.releaseNames = List.copyOf(releaseNames);
    }

    @Override
    public void open(OpenContext openContext) {
        seen = getRuntimeContext().getState(new ValueStateDescriptor<>("seen", Types.BOOLEAN));
    }

    @Override
    public void processElement(ReleaseDecision d, Context ctx, Collector<OutRecord> out)
            throws Exception {
        if (seen.value() == null) {
            seen.update(true);
            ctx.timerService().registerEventTimeTimer(ctx.timestamp());
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out)
            throws Exception {
        seen.clear();
        long start = ctx.getCurrentKey();
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("window_start", Instant.ofEpochMilli(start).toString());
        o.put("window_end", Instant.ofEpochMilli(start + config.window.toMillis()).toString());
        o.put("job", job);
        ArrayNode rs = o.putArray("releases");
        for (ReleaseSpec r : config.allReleases()) {
            if (releaseNames.contains(r.name())) {
                rs.addObject()
                        .put("release", r.name())
                        .put("epsilon", r.epsilon())
                        .put("delta", r.delta());
            }
        }
        o.put("total_epsilon", config.totalEpsilon());
        o.put("total_delta", config.totalDelta());
        o.put(
                "composition",
                "basic sequential composition over all heat map and usage releases of the window");
        out.collect(new OutRecord(config.budgetTopic, null, Json.MAPPER.writeValueAsBytes(o)));
    }
}
