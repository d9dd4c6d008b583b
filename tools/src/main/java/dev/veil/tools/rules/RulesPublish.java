package dev.veil.tools.rules;

import dev.veil.config.ConfigException;
import dev.veil.config.YamlDocument;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.rules.RuleVersions;
import dev.veil.tools.cli.Cli;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./veil rules publish FILE}: hands a new rules version to a running anonymisation job
 * through its control topic (docs/rules.md, "Rolling out a rules change"). The file is validated
 * first, as {@code rules check} does; an effective time sooner than now plus the lead is refused,
 * since records of that time may already be anonymised. The record is sent without a time: the
 * control topic's broker stamps it (LogAppendTime). A control topic of more than one partition is
 * refused. Exit 0 once the broker has the record, 2 for a refusal (nothing is written), 1 when the
 * broker cannot be written to.
 */
@Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description = {
            "Publishes a rules file as a new rules version on the control topic. A running"
                    + " anonymisation job with topics.control_rules applies it to events from the"
                    + " effective time on (event time) and stamps their records with its version.",
            "The file is validated first (as rules check does; exit 2 with file:line:col for each"
                    + " problem), and the effective time must be at least --lead from now."
                    + " Changes to subject_id, phone_region or an output's stream, topic or"
                    + " key_field are refused by the job (a dead letter): they need a savepoint"
                    + " restart."
        })
public final class RulesPublish implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The rules file")
    Path file;

    static final class When {
        @Option(
                names = "--effective-from",
                description = "Event time the version takes effect from (RFC 3339 instant)")
        Instant effectiveFrom;

        @Option(
                names = "--in",
                description = "Takes effect this long from now (ISO-8601 duration, e.g. PT10M)")
        Duration in;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka brokers, host:port[,host:port...]")
    String bootstrapServers;

    @Option(
            names = "--topic",
            defaultValue = "veil.control.rules",
            description =
                    "The control topic (topics.control_rules of the job; default ${DEFAULT-VALUE})")
    String topic;

    @Option(
            names = "--lead",
            defaultValue = "PT5M",
            description =
                    "Least time from now to the effective time: time.rules_lead of the job"
                            + " (default ${DEFAULT-VALUE})")
    Duration lead;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        YamlDocument doc;
        RuleSet rules;
        try {
            doc = YamlDocument.read(file);
            rules = RuleSetLoader.load(doc);
        } catch (ConfigException e) {
            for (ConfigException p : e.all()) {
                out.println(p.getMessage());
            }
            out.flush();
            err.println("not published: " + file + " is not a valid rules file");
            err.flush();
            return Cli.USER_ERROR;
        }
        long now = System.currentTimeMillis();
        long effective =
                when.effectiveFrom != null
                        ? when.effectiveFrom.toEpochMilli()
                        : now + when.in.toMillis();
        if (effective < now + lead.toMillis()) {
            err.println(
                    "not published: effective time "
                            + Instant.ofEpochMilli(effective)
                            + " is less than "
                            + lead
                            + " (--lead, the job's time.rules_lead) from now ("
                            + Instant.ofEpochMilli(now)
                            + "): records of that time may already be anonymised by the old rules."
                            + " Choose a later --effective-from.");
            err.flush();
            return Cli.USER_ERROR;
        }
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        // at least linger.ms + request.timeout.ms, or the producer refuses to start
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            int partitions = producer.partitionsFor(topic).size();
            if (partitions > 1) {
                err.println(
                        "not published: the control topic "
                                + topic
                                + " has "
                                + partitions
                                + " partitions; it must have exactly one, so that every reader"
                                + " sees the versions in one order (the job refuses it too)."
                                + " Recreate it with one partition (./veil topics create).");
                err.flush();
                return Cli.USER_ERROR;
            }
            // No record time: the broker sets it (the topic has message.timestamp.type
            // LogAppendTime), and the job counts the lead from it, not from this machine's clock.
            RecordMetadata m =
                    producer.send(
                                    new ProducerRecord<>(
                                            topic,
                                            null,
                                            null,
                                            rules.version(),
                                            RuleVersions.toJson(
                                                    rules.version(), effective, doc.text(), now)))
                            .get(60, TimeUnit.SECONDS);
            out.println(
                    "published rules version "
                            + rules.version()
                            + " effective from "
                            + Instant.ofEpochMilli(effective)
                            + " (event time) to "
                            + m.topic()
                            + "-"
                            + m.partition()
                            + "@"
                            + m.offset());
            out.flush();
            return 0;
        } catch (Exception e) {
            err.println(
                    "not published: cannot write to "
                            + topic
                            + ": "
                            + e.getMessage()
                            + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
            err.flush();
            return 1;
        }
    }
}
