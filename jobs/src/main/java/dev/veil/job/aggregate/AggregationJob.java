package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.job.FlinkSettings;
import dev.veil.job.JobLauncher;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Entry point of the heat map and usage jobs: {@code flink run -c
 * dev.veil.job.aggregate.AggregationJob veil-jobs-<v>-job.jar heatmap --config aggregates.yaml}.
 */
@Command(
        name = "veil-aggregates",
        mixinStandardHelpOptions = true,
        description =
                "Publishes differentially private heat maps or usage statistics from the anonymised topics.")
public final class AggregationJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AggregationJob.class);

    @Parameters(index = "0", description = "heatmap or usage")
    String job;

    @Option(
            names = "--config",
            required = true,
            description =
                    "Aggregates configuration (YAML), e.g. config/aggregates.yaml; its"
                            + " anonymisation_config names the anonymisation job's file (key epochs)")
    Path config;

    @Option(names = "--bootstrap-servers", description = "Overrides kafka.bootstrap_servers")
    String bootstrapServers;

    @Option(names = "--bounded", description = "Stop at the end offsets seen at start")
    boolean bounded;

    public static void main(String[] args) {
        JobLauncher.run(new AggregationJob(), args);
    }

    @Override
    public Integer call() throws Exception {
        AggregationTopology.Kind kind =
                switch (job) {
                    case "heatmap" -> AggregationTopology.Kind.HEATMAP;
                    case "usage" -> AggregationTopology.Kind.USAGE;
                    default ->
                            throw new IllegalArgumentException(
                                    "job must be 'heatmap' or 'usage', was '" + job + "'");
                };
        AggregatesConfig c = AggregatesConfig.load(config);
        if (bootstrapServers != null) {
            c = c.withOverrides(bootstrapServers, c.noiseKey, Map.of());
        }
        byte[] key = c.noiseKey.resolve();
        Arrays.fill(key, (byte) 0);
        Configuration conf = AggregationTopology.flinkConfiguration(c);
        FlinkSettings.logEffective(LOG, "veil-" + kind.id, c.describe(), conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        AggregationTopology.build(
                env,
                c,
                kind,
                AggregationTopology.source(c, kind, bounded),
                AggregationTopology.sink(c, kind));
        env.execute("veil-" + kind.id);
        return 0;
    }
}
