package dev.veil.tools.topics;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;
import dev.veil.job.RulesText;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.topics.VeilTopics.Topic;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./veil topics list|create}: the topics Veil reads and writes, from the configs, and their
 * creation on a cluster (existing topics are left as they are).
 */
@Command(
        name = "veil topics",
        mixinStandardHelpOptions = true,
        description = "Lists or creates every topic Veil's jobs read and write.")
public final class TopicsMain implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "list or create")
    String action;

    @Option(
            names = "--config",
            description = "Job configuration",
            defaultValue = "config/veil.yaml")
    Path config;

    @Option(names = "--rules", description = "Field rules", defaultValue = "config/rules.yaml")
    Path rules;

    @Option(
            names = "--aggregates",
            description = "Aggregates configuration",
            defaultValue = "config/aggregates.yaml")
    Path aggregates;

    @Option(names = "--bootstrap-servers", description = "Brokers (create); default: the config's")
    String bootstrapServers;

    @Option(
            names = "--command-config",
            description =
                    "Client properties file for the admin client (security settings), as for"
                            + " kafka-topics.sh")
    Path commandConfig;

    @Option(
            names = "--partitions",
            description = "Partitions of the raw, consent and anonymised topics",
            defaultValue = "6")
    int partitions;

    @Option(names = "--replication-factor", defaultValue = "3")
    short replicationFactor;

    public static void main(String[] args) {
        System.exit(Cli.execute(new TopicsMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        JobConfig job = JobConfig.load(config);
        List<Topic> topics =
                VeilTopics.of(
                        job,
                        RulesText.read(rules).parse(),
                        AggregatesConfig.load(aggregates),
                        partitions);
        switch (action) {
            case "list" -> {
                for (Topic t : topics) {
                    out().printf(
                                    "%-28s %-26s %3d partitions  %s%n",
                                    t.name(), t.role(), t.partitions(), t.configs());
                }
                return 0;
            }
            case "create" -> {
                create(topics, bootstrapServers != null ? bootstrapServers : job.bootstrapServers);
                return 0;
            }
            default -> {
                spec.commandLine()
                        .getErr()
                        .println("veil topics: the action is list or create, not '" + action + "'");
                return 2;
            }
        }
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private void create(List<Topic> topics, String servers) throws Exception {
        Properties admin = new Properties();
        if (commandConfig != null) {
            try (InputStream in = Files.newInputStream(commandConfig)) {
                admin.load(in);
            } catch (IOException e) {
                throw new IOException("cannot read --command-config " + commandConfig, e);
            }
        }
        admin.put("bootstrap.servers", servers);
        try (Admin a = Admin.create(admin)) {
            Set<String> existing = a.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (Topic t : topics) {
                if (existing.contains(t.name())) {
                    out().println("exists:  " + t.name());
                } else {
                    missing.add(
                            new NewTopic(t.name(), t.partitions(), replicationFactor)
                                    .configs(t.configs()));
                    out().println("create:  " + t.name() + " (" + t.role() + ")");
                }
            }
            a.createTopics(missing).all().get(60, TimeUnit.SECONDS);
        }
        out().println("done");
    }
}
