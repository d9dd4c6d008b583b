package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.NoisyRelease;
import dev.veil.aggregate.Observation;
import dev.veil.aggregate.ReleaseMechanism;
import dev.veil.job.FlinkSettings;
import dev.veil.job.kafka.KafkaConnections;
import dev.veil.job.records.OutRecord;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.util.ArrayList;
import java.util.List;

/**
 * Topology of the heat map and usage jobs (same shape, different inputs and releases):
 *
 * <pre>
 * anonymised topic(s) -&gt; observations (per-partition watermarks, idleness)
 *   -&gt; keyBy(subject): contribution bounding per window, released once after window end + allowed lateness
 *        (late observations -&gt; side output topic + metric)
 *   -&gt; keyBy(release|window|category): count, suppress (&lt; k), discrete Laplace noise, noisy threshold
 *   -&gt; release topic;   decisions -&gt; keyBy(window): budget line -&gt; budget topic
 * </pre>
 */
public final class AggregationTopology {
    private AggregationTopology() {}

    /** Which aggregate job. */
    public enum Kind {
        HEATMAP("heatmap"),
        USAGE("usage");

        public final String id;

        Kind(String id) {
            this.id = id;
        }
    }

    /** Releases of a job. */
    public static List<String> releases(AggregatesConfig config, Kind kind) {
        List<String> names = new ArrayList<>();
        if (kind == Kind.HEATMAP) {
            config.heatmapReleases().forEach(r -> names.add(r.name()));
        } else {
            names.addAll(config.usage.keySet());
        }
        return names;
    }

    /**
     * Adds the topology, releasing through {@link NoisyRelease} with the configured noise key.
     * Uids: veil-&lt;job&gt;-source, -bounding, -release, -budget-schedule, -sink. Observations
     * that come after their window was released are counted in the operator metric {@code
     * veil.late_observations} only: a topic of them would publish an exact, unbounded count.
     */
    public static void build(
            StreamExecutionEnvironment env,
            AggregatesConfig config,
            Kind kind,
            Source<Observation, ?, ?> source,
            Sink<OutRecord> sink) {
        build(env, config, kind, source, sink, NoisyRelease.factory(config.noiseKey));
    }

    /**
     * Adds the topology with another release mechanism. Package-private: only this package's tests
     * use it, to check exact counts through a mechanism without noise.
     */
    static void build(
            StreamExecutionEnvironment env,
            AggregatesConfig config,
            Kind kind,
            Source<Observation, ?, ?> source,
            Sink<OutRecord> sink,
            ReleaseMechanism.Factory mechanism) {
        String p = "veil-" + kind.id + "-";
        WatermarkStrategy<Observation> watermarks =
                WatermarkStrategy.<Observation>forBoundedOutOfOrderness(config.maxOutOfOrderness)
                        .withTimestampAssigner((o, ts) -> o.eventTime)
                        .withIdleness(config.sourceIdleness);
        SingleOutputStreamOperator<Contribution> bounded =
                env.fromSource(source, watermarks, kind.id + " observations")
                        .uid(p + "source")
                        .keyBy(new BySubject())
                        .process(new BoundContributions(config))
                        .uid(p + "bounding")
                        .name("contribution bounding");
        SingleOutputStreamOperator<OutRecord> released =
                bounded.keyBy(new ByCategory())
                        .process(new CountAndRelease(config, mechanism))
                        .uid(p + "release")
                        .name("suppress, noise, threshold");
        // One line per window on the watermark's schedule, not per window with data; a new uid,
        // since the keyed operator of 0.2 (veil-<job>-budget) kept other state.
        DataStream<OutRecord> budget =
                released.getSideOutput(CountAndRelease.DECISIONS)
                        .transform(
                                "budget lines",
                                TypeInformation.of(OutRecord.class),
                                new BudgetSchedule(config, kind.id, releases(config, kind)))
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .uid(p + "budget-schedule");
        released.union(budget).sinkTo(sink).uid(p + "sink").name("kafka sink");
    }

    static final class BySubject implements KeySelector<Observation, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Observation o) {
            return o.subject;
        }
    }

    static final class ByCategory implements KeySelector<Contribution, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Contribution c) {
            return c.key;
        }
    }

    /** The input topics of a job. */
    public static List<String> inputTopics(AggregatesConfig config, Kind kind) {
        return kind == Kind.HEATMAP
                ? List.of(config.heatmapInputTopic)
                : List.of(config.deviceTopic, config.serviceTopic);
    }

    /** Kafka source of a job's anonymised input topics (read_committed). */
    public static KafkaSource<Observation> source(
            AggregatesConfig config, Kind kind, boolean bounded) {
        var b =
                KafkaSource.<Observation>builder()
                        .setBootstrapServers(config.bootstrapServers)
                        .setGroupId(config.groupId + "-" + kind.id)
                        .setTopics(inputTopics(config, kind))
                        .setStartingOffsets(
                                KafkaConnections.startingOffsets(config.startingOffsets))
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new ObservationDeserializer(config));
        config.kafkaProperties.forEach(b::setProperty);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /** Kafka sink of releases, budget lines and late observations; exactly-once by default. */
    public static KafkaSink<OutRecord> sink(AggregatesConfig config, Kind kind) {
        return KafkaConnections.sink(
                config.bootstrapServers,
                config.kafkaProperties,
                config.guarantee,
                config.transactionalIdPrefix + "-" + kind.id,
                config.transactionTimeout);
    }

    /**
     * Flink settings ({@link FlinkSettings#forJob}): Veil's defaults where the cluster sets
     * nothing, then the flink: section of the config.
     *
     * @throws dev.veil.config.ConfigException when no checkpoint directory is set, in the config or
     *     on the cluster
     */
    public static Configuration flinkConfiguration(AggregatesConfig config) {
        return FlinkSettings.forJob(
                config.flink, FlinkSettings.cluster(), config.sourceFile, config.flinkLine);
    }
}
