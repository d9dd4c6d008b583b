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

/**
 * A Flink metric reporter for jobs that run in this JVM (the demo's local Flink): it keeps every
 * counter of Veil's {@code veil} metric group, so that once a job has finished its final totals can
 * be read by job, name and label. The demo prints its summary from these, the same figures a
 * cluster's reporter (Prometheus, JMX) would show.
 *
 * <p>Enable with {@link #flinkOptions()}. The counters of every local job of the JVM are kept.
 */
public final class LocalMetrics implements MetricReporter {
    private static final String NAME = "veil_local";
    // Veil's labels (VeilMetrics): at most one per counter.
    private static final List<String> LABELS = List.of("<reason>", "<output>", "<stream>");
    // job, name, label, subtask -> the counter of the subtask's latest attempt: a restarted task
    // counts again from zero what it replays, as Flink's own reporters show it.
    private static final Map<String, Attempt> COUNTERS = new ConcurrentHashMap<>();

    private record Attempt(int number, Counter counter) {}

    /** The Flink options that load this reporter. */
    public static Map<String, String> flinkOptions() {
        return Map.of("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
    }

    /**
     * Totals of the counters named {@code name} in job {@code jobName}, summed over subtasks, by
     * label value; for a counter without a label the key is "". For example {@code
     * totals("veil-anonymisation", "dropped")} gives {@code no_consent -> 1234, ...}.
     */
    public static Map<String, Long> totals(String jobName, String name) {
        Map<String, Long> out = new TreeMap<>();
        String prefix = jobName + '\u0000' + name + '\u0000';
        COUNTERS.forEach(
                (key, attempt) -> {
                    if (key.startsWith(prefix)) {
                        String label = key.substring(prefix.length(), key.lastIndexOf('\u0000'));
                        out.merge(label, attempt.counter().getCount(), Long::sum);
                    }
                });
        return out;
    }

    /**
     * The total of the counters named {@code name} in job {@code jobName} over subtasks and labels;
     * 0 if there are none. For example {@code total("veil-anonymisation", "erasure_notices")}.
     */
    public static long total(String jobName, String name) {
        return totals(jobName, name).values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        if (!(metric instanceof Counter counter)
                || !group.getMetricIdentifier(metricName).contains(".veil.")) {
            return;
        }
        Map<String, String> vars = group.getAllVariables();
        String label = "";
        for (String l : LABELS) {
            if (vars.containsKey(l)) {
                label = vars.get(l);
            }
        }
        String key =
                vars.getOrDefault("<job_name>", "")
                        + '\u0000'
                        + metricName
                        + '\u0000'
                        + label
                        + '\u0000'
                        + vars.getOrDefault("<subtask_index>", "");
        int number = Integer.parseInt(vars.getOrDefault("<task_attempt_num>", "0"));
        COUNTERS.merge(
                key,
                new Attempt(number, counter),
                (old, now) -> now.number() >= old.number() ? now : old);
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
