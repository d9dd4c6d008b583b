package dev.veil.job.risk;

import dev.veil.job.RulesText;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Keyed by output and window: adds up the window's group sizes and, when the watermark passes its
 * end, publishes one risk record on {@code topics.risk} (schemas/output/risk.schema.json): records,
 * groups, the share of records unique on their quasi-identifiers and the share in groups smaller
 * than k. These are the k-anonymity measures of Sweeney 2002 ("k-anonymity: a model for protecting
 * privacy", IJUFKS 10(5)) as ARX and Google's Sensitive Data Protection report them (records at
 * risk under a prosecutor model: a record in a group of size s is re-identified with probability at
 * most 1/s by someone who knows the person is in the data). Metrics per output: {@code
 * veil.risk_unique_share} (gauge, the newest window this task closed, in [0, 1]; each task closes
 * some of the windows, so take the maximum over tasks) and {@code veil.risk_over_threshold}
 * (windows whose unique share was above {@code risk.max_unique_share}).
 */
public class RiskWindows extends KeyedProcessFunction<String, RiskObservation, OutRecord> {
    private static final long serialVersionUID = 1L;

    private final RulesText rulesText;
    private final String topic;
    private final long windowMillis;
    private final long k;
    private final double maxUniqueShare;

    private transient ValueState<RiskTotals> totals;
    private transient Map<String, OutputRules> outputs;
    private transient Map<String, Double> lastShare;
    private transient Map<String, Long> lastWindow;
    private transient Map<String, Counter> overThreshold;

    /**
     * @param topic where the risk records go
     * @param k group size below which records count as at risk
     * @param maxUniqueShare warning threshold on the share of unique records
     */
    public RiskWindows(
            RulesText rulesText, String topic, Duration window, long k, double maxUniqueShare) {
        this.rulesText = rulesText;
        this.topic = topic;
        this.windowMillis = window.toMillis();
        this.k = k;
        this.maxUniqueShare = maxUniqueShare;
    }

    @Override
    public void open(OpenContext openContext) {
        totals =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "totals", TypeInformation.of(RiskTotals.class)));
        outputs = new HashMap<>(rulesText.parse().outputs());
        lastShare = new HashMap<>();
        lastWindow = new HashMap<>();
        overThreshold = new HashMap<>();
        MetricGroup veil = getRuntimeContext().getMetricGroup().addGroup("veil");
        for (OutputRules o : outputs.values()) {
            if (o.quasiIdentifiers().isEmpty()) {
                continue;
            }
            MetricGroup g = veil.addGroup("output", o.name());
            String name = o.name();
            g.gauge("risk_unique_share", (Gauge<Double>) () -> lastShare.getOrDefault(name, 0.0));
            overThreshold.put(name, g.counter("risk_over_threshold"));
        }
    }

    @Override
    public void processElement(RiskObservation group, Context ctx, Collector<OutRecord> out)
            throws Exception {
        RiskTotals t = totals.value();
        if (t == null) {
            t = new RiskTotals();
            ctx.timerService().registerEventTimeTimer(group.windowStart + windowMillis - 1);
        }
        t.records += group.count;
        t.groups++;
        if (group.count == 1) {
            t.unique++;
        }
        if (group.count < k) {
            t.belowK += group.count;
        }
        totals.update(t);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<OutRecord> out)
            throws Exception {
        RiskTotals t = totals.value();
        totals.clear();
        if (t == null || t.records == 0) {
            return;
        }
        String[] key = ctx.getCurrentKey().split("\\|");
        String output = key[0];
        long start = Long.parseLong(key[1]);
        double uniqueShare = (double) t.unique / t.records;
        double belowKShare = (double) t.belowK / t.records;
        boolean over = uniqueShare > maxUniqueShare;
        // windows close in any order across keys: the gauge shows this task's newest one
        if (start >= lastWindow.getOrDefault(output, Long.MIN_VALUE)) {
            lastWindow.put(output, start);
            lastShare.put(output, uniqueShare);
        }
        if (over && overThreshold.containsKey(output)) {
            overThreshold.get(output).inc();
        }
        OutputRules rules = outputs.get(output);
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("output", output);
        o.put("topic", rules == null ? null : rules.topic());
        o.put("window_start", Instant.ofEpochMilli(start).toString());
        o.put("window_end", Instant.ofEpochMilli(start + windowMillis).toString());
        var qi = o.putArray("quasi_identifiers");
        if (rules != null) {
            rules.quasiIdentifiers().forEach(qi::add);
        }
        o.put("records", t.records);
        o.put("groups", t.groups);
        o.put("unique_records", t.unique);
        o.put("unique_share", uniqueShare);
        o.put("k", k);
        o.put("below_k_records", t.belowK);
        o.put("below_k_share", belowKShare);
        o.put("max_unique_share", maxUniqueShare);
        o.put("over_threshold", over);
        out.collect(
                new OutRecord(
                        topic,
                        output.getBytes(StandardCharsets.UTF_8),
                        Json.MAPPER.writeValueAsBytes(o)));
    }
}
