package dev.veil.tools.topics;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every topic Veil's jobs read and write, named by the configs, with the partitions, cleanup policy
 * and retention docs/operations.md recommends. Raw topics hold personal data: short retention.
 */
public final class VeilTopics {
    private VeilTopics() {}

    /** One topic: name, role, partitions, and its topic-level configs. */
    public record Topic(String name, String role, int partitions, Map<String, String> configs) {}

    private static Map<String, String> delete(Duration retention) {
        return Map.of(
                "cleanup.policy", "delete", "retention.ms", Long.toString(retention.toMillis()));
    }

    // Consent changes are deltas (a grant of one purpose, a revocation of another): a replay that
    // rebuilds consent needs every change, so neither compaction (it keeps each key's last record)
    // nor a time limit.
    private static final Map<String, String> KEEP_ALL =
            Map.of("cleanup.policy", "delete", "retention.ms", "-1");

    /**
     * The rules control topic's configs: every version kept, and record times set by the broker
     * (LogAppendTime), so that the lead a job counts from a version's publication does not depend
     * on the publisher's clock.
     */
    public static final Map<String, String> CONTROL_RULES =
            Map.of(
                    "cleanup.policy",
                    "delete",
                    "retention.ms",
                    "-1",
                    "message.timestamp.type",
                    "LogAppendTime");

    /**
     * The topics of all three jobs.
     *
     * @param partitions partitions of the raw, consent and anonymised topics (the high-volume ones)
     */
    public static List<Topic> of(
            JobConfig job, RuleSet rules, AggregatesConfig agg, int partitions) {
        List<Topic> t = new ArrayList<>();
        job.inputTopics.forEach(
                (stream, name) ->
                        t.add(
                                new Topic(
                                        name,
                                        "raw " + stream,
                                        partitions,
                                        delete(Duration.ofDays(7)))));
        t.add(new Topic(job.consentTopic, "consent changes", partitions, KEEP_ALL));
        t.add(new Topic(job.deadLetterTopic, "dead letters", 1, delete(Duration.ofDays(30))));
        // A notice tells downstream stores which pseudonyms to delete: it must outlive the
        // anonymised records it names, and a store that was down for months must still find it.
        t.add(new Topic(job.erasureTopic, "erasure notices", 1, delete(Duration.ofDays(365))));
        t.add(
                new Topic(
                        job.riskTopic,
                        "re-identification risk per output and window",
                        1,
                        delete(Duration.ofDays(365))));
        if (job.controlRulesTopic != null) {
            // One partition: one order of versions for every reader. Every version is kept, so a
            // job started without a checkpoint learns them all (compaction would keep only the
            // last record of a version name). The broker's time is the publication time.
            t.add(new Topic(job.controlRulesTopic, "rules versions", 1, CONTROL_RULES));
        }
        for (OutputRules o : rules.outputs().values()) {
            t.add(
                    new Topic(
                            o.topic(),
                            "anonymised " + o.name(),
                            partitions,
                            delete(Duration.ofDays(30))));
        }
        t.add(
                new Topic(
                        agg.heatmapOutputTopic,
                        "heat map releases",
                        1,
                        delete(Duration.ofDays(365))));
        t.add(new Topic(agg.usageOutputTopic, "usage releases", 1, delete(Duration.ofDays(365))));
        t.add(new Topic(agg.budgetTopic, "privacy budget lines", 1, delete(Duration.ofDays(365))));
        return t;
    }

    /**
     * Topic name to the configs a local run must set too (the record time type; retention is left
     * to the broker's defaults there): only the topics that need any.
     */
    public static Map<String, Map<String, String>> localConfigsByName(List<Topic> topics) {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Topic t : topics) {
            String type = t.configs().get("message.timestamp.type");
            if (type != null) {
                out.put(t.name(), Map.of("message.timestamp.type", type));
            }
        }
        return out;
    }

    /** Topic name to partitions, in the order of {@code topics}: what a local run creates. */
    public static Map<String, Integer> partitionsByName(List<Topic> topics) {
        Map<String, Integer> out = new LinkedHashMap<>();
        topics.forEach(t -> out.put(t.name(), t.partitions()));
        return out;
    }
}
