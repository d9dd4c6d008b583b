package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.NoisyRelease;
import dev.veil.aggregate.ReleaseMechanism;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Keyed by release|window|category: counts the bounded contributions of one category in one window
 * and, when the watermark passes the window's release time, suppresses, noises and thresholds it (a
 * {@link ReleaseMechanism}, {@link NoisyRelease} in production) as calibrated for the key epochs
 * the window overlaps ({@link AggregatesConfig#spec}). Emits the published records and, on {@link
 * #DECISIONS}, one decision per category for the budget line. Metrics {@code veil.published},
 * {@code veil.suppressed}.
 */
public class CountAndRelease extends KeyedProcessFunction<String, Contribution, OutRecord> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<ReleaseDecision> DECISIONS =
            new OutputTag<>("release-decisions", TypeInformation.of(ReleaseDecision.class));

    private final AggregatesConfig config;
    private final ReleaseMechanism.Factory mechanismFactory;

    /** Specs by release|key epochs: few distinct ones, each costly to calibrate. */
    private transient Map<String, ReleaseSpec> specs;

    private transient ReleaseMechanism mechanism;
    private transient ValueState<CategoryCount> count;
    private transient Counter published;
    private transient Counter suppressed;

    /**
     * @param config releases, window, topics
     * @param mechanismFactory how counts become published values ({@link NoisyRelease#factory} in
     *     production)
     */
    CountAndRelease(AggregatesConfig config, ReleaseMechanism.Factory mechanismFactory) {
        this.config = config;
        this.mechanismFactory = mechanismFactory;
    }

    public static ValueStateDescriptor<CategoryCount> countDescriptor() {
        return new ValueStateDescriptor<>("count", TypeInformation.of(CategoryCount.class));
    }

    @Override
    public void open(OpenContext openContext) {
        specs = new HashMap<>();
        mechanism = mechanismFactory.create(config.window.toMillis());
        count = getRuntimeContext().getState(countDescriptor());
        published = getRuntimeContext().getMetricGroup().addGroup("veil").counter("published");
        suppressed = getRuntimeContext().getMetricGroup().addGroup("veil").counter("suppressed");
    }

    @Override
    public void processElement(Contribution c, Context ctx, Collector<OutRecord> out)
            throws Exception {
        CategoryCount s = count.value();
        if (s == null) {
            s = new CategoryCount();
            s.release = c.release;
            s.windowStart = c.windowStart;
            s.category = c.category;
            ctx.timerService().registerEventTimeTimer(ctx.timestamp());
        }
        s.subjects++;
        s.sum += c.count;
        count.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out)
            throws Exception {
        CategoryCount s = count.value();
        count.clear();
        if (s == null) {
            return;
        }
        ReleaseSpec spec =
                specs.computeIfAbsent(
                        s.release + '|' + config.keyEpochsIn(s.windowStart),
                        k -> config.spec(s.release, s.windowStart));
        ctx.output(DECISIONS, new ReleaseDecision(s.windowStart, s.release));
        OptionalLong value = mechanism.release(spec, s.windowStart, s.category, s.subjects, s.sum);
        if (value.isEmpty()) {
            suppressed.inc();
            return;
        }
        published.inc();
        boolean heatmap = AggregatesConfig.isHeatmap(s.release);
        out.collect(
                new OutRecord(
                        heatmap ? config.heatmapOutputTopic : config.usageOutputTopic,
                        null,
                        toJson(spec, s, value.getAsLong(), heatmap)));
    }

    private byte[] toJson(ReleaseSpec spec, CategoryCount s, long value, boolean heatmap)
            throws JsonProcessingException {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("release", s.release);
        o.put("window_start", Instant.ofEpochMilli(s.windowStart).toString());
        o.put(
                "window_end",
                Instant.ofEpochMilli(s.windowStart + config.window.toMillis()).toString());
        if (heatmap) {
            o.put("cell", s.category);
            o.put("resolution", config.resolutionOf(s.release));
        } else {
            o.put("category", s.category);
        }
        o.put("count", value);
        if (spec.gaussian()) {
            o.put("rho", spec.configuredRho());
        } else {
            o.put("epsilon", spec.epsilon());
        }
        o.put("delta", spec.delta());
        o.put("k", spec.k());
        o.put("max_contributions", spec.maxContributions());
        o.put("max_per_category", spec.maxPerCategory());
        o.put("key_epochs", spec.keyEpochs());
        o.put("threshold", mechanism.threshold(spec));
        o.put("suppression", spec.suppression().label());
        o.put("noise", mechanism.noiseName(spec));
        o.put("noise_scale", mechanism.noiseScale(spec));
        o.put("config_version", config.version);
        return Json.MAPPER.writeValueAsBytes(o);
    }
}
