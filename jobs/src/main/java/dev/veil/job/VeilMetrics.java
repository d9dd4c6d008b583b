package dev.veil.job;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import java.util.HashMap;
import java.util.Map;

/**
 * Veil's Flink metrics, in a "veil" group with key/value labels, for example {@code <task
 * scope>.veil.reason.no_consent.dropped}. In Prometheus they become {@code flink_..._veil_dropped
 * {reason="no_consent"}}. Labels are reason codes, stream and output names: never a value from a
 * record.
 */
public final class VeilMetrics {
    private final MetricGroup group;
    private final Map<String, Counter> counters = new HashMap<>();

    public VeilMetrics(MetricGroup parent) {
        this.group = parent.addGroup("veil");
    }

    /** The counter {@code name} labelled {@code label=value}, created on first use. */
    public Counter counter(String name, String label, String value) {
        return counters.computeIfAbsent(
                name + '\u0000' + label + '\u0000' + value,
                k -> group.addGroup(label, value).counter(name));
    }
}
