package dev.veil.tools.local;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Flink metric reporter for jobs that run in this JVM (the demo's local Flink): it keeps every
 * counter of Veil's {@code veil} metric group, so that once a job has finished its final totals can
 * be read by job, name and label. The demo prints its summary from these, the same figures a
 * cluster's reporter (Prometheus, JMX) would show.
 *
 * <p>Enable with {@link #flinkOptions()}. Counters of all local jobs of the JVM are kept until
 * {@link #clear()}.
 */
public final class LocalMetrics implements MetricReporter {
    private static final String NAME = "veil_local";
    private static final Map<String, List<Counter>> COUNTERS = new ConcurrentHashMap<>();

    /** The Flink options that load this reporter. */
    public static Map<String, String> flinkOptions() {
        return Map.of("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
    }

    /**
     * Totals of the counters named {@code name} in job {@code jobName}, by label value; for a
     * counter without a label the key is "". For example {@code totals("veil-anonymisation",
     * "dropped")} gives {@code no_consent -> 1234, ...}.
     */
    public static Map<String, Long> totals(String jobName, String name) {
        Map<String, Long> out = new TreeMap<>();
        String prefix = jobName + '\u0000' + name + '\u0000';
        COUNTERS.forEach(
                (key, counters) -> {
                    if (key.startsWith(prefix)) {
                        long sum = counters.stream().mapToLong(Counter::getCount).sum();
                        out.merge(key.substring(prefix.length()), sum, Long::sum);
                    }
                });
        return out;
    }

    /** Forgets every counter kept so far. */
    public static void clear() {
        COUNTERS.clear();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (!(metric instanceof Counter counter)) {
            return;
        }
        // Veil's counters live under "veil", optionally followed by one label and its value:
        // ...veil[.label.value].name
        String id = group.getMetricIdentifier(metricName);
        int at = id.lastIndexOf(".veil.");
        if (at < 0) {
            return;
        }
        String[] parts = id.substring(at + ".veil.".length()).split("\\.");
        String label = parts.length == 3 ? parts[1] : "";
        String job = group.getAllVariables().getOrDefault("<job_name>", "");
        COUNTERS.computeIfAbsent(
                        job + '\u0000' + metricName + '\u0000' + label,
                        k -> new CopyOnWriteArrayList<>())
                .add(counter);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        // Kept: the demo reads the final counts after the job's tasks have ended.
    }

    /** Creates the reporter; found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new LocalMetrics();
        }
    }
}
