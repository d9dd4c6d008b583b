package dev.veil.tools.local;

import dev.veil.job.VeilMetrics;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo's summary figures: Veil's labelled counters of a finished local job, summed over
 * subtasks.
 */
class LocalMetricsTest {

    /**
     * Counts each number as dropped for being "odd" or "even", like the gate counts its reasons.
     */
    static final class Parity extends RichMapFunction<Long, Long> {
        private transient VeilMetrics metrics;

        @Override
        public void open(OpenContext openContext) {
            metrics = new VeilMetrics(getRuntimeContext().getMetricGroup());
        }

        @Override
        public Long map(Long n) {
            metrics.counter("dropped", "reason", n % 2 == 0 ? "even" : "odd").inc();
            return n;
        }
    }

    /**
     * Counts multiples of ten in an unlabelled counter of group {@code veil}, as the consent gate
     * registers erasure_notices and subject_secrets_shredded.
     */
    static final class Tens extends RichMapFunction<Long, Long> {
        private transient Counter tens;

        @Override
        public void open(OpenContext openContext) {
            tens = getRuntimeContext().getMetricGroup().addGroup("veil").counter("tens");
        }

        @Override
        public Long map(Long n) {
            if (n % 10 == 0) {
                tens.inc();
            }
            return n;
        }
    }

    @Test
    void finishedJob_totalsByLabelOverAllSubtasks() throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        Configuration.fromMap(LocalMetrics.flinkOptions()));
        env.setParallelism(2);
        env.fromSequence(1, 101)
                .rebalance()
                .map(new Parity())
                .map(new Tens())
                .sinkTo(new DiscardingSink<>());

        env.execute("local-metrics-test");

        assertThat(LocalMetrics.totals("local-metrics-test", "dropped"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("odd", 51L, "even", 50L));
        assertThat(LocalMetrics.totals("another-job", "dropped")).isEmpty();
        assertThat(LocalMetrics.total("local-metrics-test", "dropped")).isEqualTo(101);
        assertThat(LocalMetrics.totals("local-metrics-test", "tens"))
                .as("a counter without a label: key \"\"")
                .containsExactlyInAnyOrderEntriesOf(Map.of("", 10L));
        assertThat(LocalMetrics.total("local-metrics-test", "tens")).isEqualTo(10);
        assertThat(LocalMetrics.total("another-job", "tens")).isZero();
    }
}
