package dev.veil.tools.demo;

import dev.veil.privacy.KeyEpochs;
import dev.veil.rules.OutputRules;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The privacy lifecycle as the demo's summary shows it, tallied over the records read back: the
 * anonymised records by key epoch and policy version, the erasure notices, and whether a peer's
 * pseudonym ever equals a subject pseudonym. Not thread-safe.
 */
final class Lifecycle {
    /** The service output's peer account field in the shipped rules (config/rules.yaml). */
    static final String PEER_FIELD = "peer";

    /** Stands for a record whose policy_version is null (consent granted without a version). */
    static final String NO_POLICY = "(none)";

    private final Map<Long, Long> recordsByEpoch = new TreeMap<>();
    private final Map<String, Long> recordsByPolicy = new TreeMap<>();
    private final Set<String> subjects = new HashSet<>();
    private final Set<String> peers = new HashSet<>();
    private long unstamped;
    private long notices;
    private long noticePseudonyms;
    private long noticesOverEpochs;

    /**
     * Tallies one anonymised record.
     *
     * @param subjectField the output's key field, which holds the subject pseudonym
     */
    void published(JsonNode record, String subjectField) {
        JsonNode epoch = record.get(OutputRules.KEY_EPOCH_FIELD);
        JsonNode policy = record.get(OutputRules.POLICY_VERSION_FIELD);
        JsonNode rules = record.get(OutputRules.RULES_VERSION_FIELD);
        if (epoch == null
                || !epoch.isIntegralNumber()
                || policy == null
                || rules == null
                || rules.isNull()) {
            unstamped++;
        }
        if (epoch != null && epoch.isIntegralNumber()) {
            recordsByEpoch.merge(epoch.asLong(), 1L, Long::sum);
        }
        if (policy != null) {
            recordsByPolicy.merge(policy.isNull() ? NO_POLICY : policy.asText(), 1L, Long::sum);
        }
        if (record.hasNonNull(subjectField)) {
            subjects.add(record.get(subjectField).asText());
        }
        if (record.hasNonNull(PEER_FIELD)) {
            peers.add(record.get(PEER_FIELD).asText());
        }
    }

    /** Tallies one erasure notice (schemas/output/erasure.schema.json). */
    void notice(JsonNode notice) {
        notices++;
        int listed = notice.path("pseudonyms").size();
        noticePseudonyms += listed;
        if (listed > 1) {
            noticesOverEpochs++;
        }
    }

    /** Anonymised records by key_epoch, ascending. */
    Map<Long, Long> recordsByEpoch() {
        return recordsByEpoch;
    }

    /** Anonymised records by policy_version, {@link #NO_POLICY} for null. */
    Map<String, Long> recordsByPolicy() {
        return recordsByPolicy;
    }

    /** Anonymised records without rules_version, key_epoch or policy_version. */
    long unstamped() {
        return unstamped;
    }

    long notices() {
        return notices;
    }

    /** Distinct peer pseudonyms that are also the subject pseudonym of some record: should be 0. */
    long peersEqualToASubject() {
        return peers.stream().filter(subjects::contains).count();
    }

    /**
     * The summary's lines, each ending in a newline.
     *
     * @param epochs the key epochs the job ran with
     * @param erasuresIn erasures in the input (one per erased subject, each with a record published
     *     before it)
     * @param gateNotices the consent gate's erasure_notices counter
     * @param gateShredded the consent gate's subject_secrets_shredded counter
     */
    String summary(KeyEpochs epochs, long erasuresIn, long gateNotices, long gateShredded) {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        "erasure notices (veil.erasure, read_committed): %,d for %,d erasures in the"
                                + " input, listing %,d pseudonyms (%,d notices span two or more key"
                                + " epochs)%n",
                        notices, erasuresIn, noticePseudonyms, noticesOverEpochs));
        sb.append(
                String.format(
                        "  consent gate: erasure_notices %,d, subject_secrets_shredded %,d%n",
                        gateNotices, gateShredded));
        sb.append("records out by key_epoch (pseudonyms of one subject differ between epochs):\n");
        recordsByEpoch.forEach(
                (e, n) ->
                        sb.append(
                                String.format(
                                        "  %-32s %,10d%n",
                                        e
                                                + " (from "
                                                + Instant.ofEpochMilli(epochs.startOf(e))
                                                + ")",
                                        n)));
        sb.append("records out by policy_version (of the grant that let them through):\n");
        recordsByPolicy.forEach((p, n) -> sb.append(String.format("  %-32s %,10d%n", p, n)));
        sb.append(
                String.format(
                        "  without rules_version, key_epoch or policy_version: %,d%n", unstamped));
        sb.append(
                String.format(
                        "peers: %,d distinct peer pseudonyms (peer accounts are data subjects too);"
                                + " equal to a subject pseudonym: %d%n",
                        peers.size(), peersEqualToASubject()));
        return sb.toString();
    }
}
