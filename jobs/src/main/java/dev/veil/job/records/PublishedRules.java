package dev.veil.job.records;

import dev.veil.rules.RuleVersions;

/**
 * A published rules version that the control source accepted, on its way to every consent gate
 * subtask and kept in their broadcast state. A Flink POJO; it holds the rules file (no secret, no
 * identifier).
 */
public class PublishedRules {
    /** The rules version ({@code version:} of its file). */
    public String name;

    /** Event time from which it is in force, epoch ms UTC. */
    public long effectiveFrom;

    /** Kafka time of its control record, epoch ms UTC. */
    public long publishedAt;

    /** The whole rules file. */
    public String rulesYaml;

    public PublishedRules() {}

    /** The record of an accepted version. */
    public static PublishedRules of(RuleVersions.Version v) {
        PublishedRules p = new PublishedRules();
        p.name = v.name();
        p.effectiveFrom = v.effectiveFrom();
        p.publishedAt = v.publishedAt();
        p.rulesYaml = v.rulesYaml();
        return p;
    }

    /** This version as a control record value, for validation against the job's start rules. */
    public byte[] toJson() {
        return RuleVersions.toJson(name, effectiveFrom, rulesYaml, publishedAt);
    }
}
