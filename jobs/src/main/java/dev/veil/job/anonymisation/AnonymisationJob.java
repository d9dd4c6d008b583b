package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.job.FlinkSettings;
import dev.veil.job.JobLauncher;
import dev.veil.job.RulesText;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Entry point of the anonymisation job: {@code flink run veil-jobs-<v>-job.jar --config veil.yaml
 * --rules rules.yaml}. Everything is validated here, on the client, before the job graph is built:
 * a bad config or a missing key stops the submission with a message naming the file, the place and
 * the problem.
 */
@Command(
        name = "veil-anonymisation",
        mixinStandardHelpOptions = true,
        description =
                "Reads raw device, location, service and consent topics; publishes de-identified topics.")
public final class AnonymisationJob implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AnonymisationJob.class);

    @Option(
            names = "--config",
            required = true,
            description = "Job configuration (YAML), e.g. config/veil.yaml")
    Path config;

    @Option(
            names = "--rules",
            required = true,
            description = "Field rules (YAML), e.g. config/rules.yaml")
    Path rules;

    @Option(
            names = "--bootstrap-servers",
            description = "Overrides kafka.bootstrap_servers of the job configuration")
    String bootstrapServers;

    @Option(
            names = "--bounded",
            description =
                    "Stop at the end offsets seen at start (backfill) instead of running forever")
    boolean bounded;

    public static void main(String[] args) {
        JobLauncher.run(new AnonymisationJob(), args);
    }

    @Override
    public Integer call() throws Exception {
        JobConfig jobConfig = JobConfig.load(config);
        if (bootstrapServers != null) {
            jobConfig = jobConfig.withBootstrapServers(bootstrapServers);
        }
        RulesText rulesText = RulesText.read(rules);
        checkKey(jobConfig);
        Configuration conf = AnonymisationTopology.flinkConfiguration(jobConfig);
        List<String> runsWith = new ArrayList<>(jobConfig.describe());
        runsWith.addAll(rulesText.parse().describe());
        FlinkSettings.logEffective(LOG, AnonymisationTopology.JOB_NAME, runsWith, conf);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        AnonymisationTopology.build(
                env,
                jobConfig,
                rulesText,
                AnonymisationTopology.logSource(jobConfig, rulesText, bounded),
                AnonymisationTopology.consentSource(jobConfig, rulesText, bounded),
                AnonymisationTopology.sink(jobConfig));
        env.execute(AnonymisationTopology.JOB_NAME);
        return 0;
    }

    /**
     * Fails fast if the pseudonymisation key cannot be read here. Tasks read it again from their
     * own environment; on a cluster the variable or file must exist on every TaskManager.
     */
    static void checkKey(JobConfig jobConfig) {
        byte[] key = jobConfig.pseudonymisationKey.resolve();
        Arrays.fill(key, (byte) 0);
    }
}
