package dev.veil.rules;

import dev.veil.privacy.IdentifierScope;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;

import org.apache.commons.codec.binary.Hex;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a rule needs at run time beyond its own parameters: this task's keys, and the record being
 * anonymised (its key epoch, and the placeholders it leaves for the consent gate). One per Flink
 * subtask; not thread-safe.
 *
 * <p>A subject- or record-scoped pseudonym needs the data subject's secret, which only the consent
 * gate holds. So the rule writes a <em>placeholder</em> instead: the internal identifier h =
 * HMAC(master key, normalised identifier) in 64 hex characters (for record scope, of the identifier
 * with a record prefix, so the two never share a placeholder). The gate writes the pseudonym over
 * it ({@code dev.veil.privacy.PseudonymKeys}). h is never published.
 */
public final class RuleContext {
    /** A placeholder in the record being built. */
    public record Placeholder(String hex, IdentifierScope scope) {}

    private static final String RECORD_PREFIX = "\u0000record\u0000";

    private final Pseudonymiser internal;
    private final PseudonymKeys keys;
    private final List<Placeholder> placeholders = new ArrayList<>(4);
    private long epoch;

    /**
     * @param internal HMAC-SHA256 under the master key: the internal identifiers
     * @param keys the published pseudonyms' keys, derived from the same master key
     */
    public RuleContext(Pseudonymiser internal, PseudonymKeys keys) {
        this.internal = internal;
        this.keys = keys;
    }

    /** Starts one output record of an event in key epoch {@code epoch}. */
    public void start(long epoch) {
        this.epoch = epoch;
        placeholders.clear();
    }

    /** The key epoch of the record being built. */
    public long epoch() {
        return epoch;
    }

    /** The placeholders written into the record being built, in order; do not modify. */
    public List<Placeholder> placeholders() {
        return placeholders;
    }

    /**
     * The value of a pseudonymised identifier in the record being built: the global pseudonym, or a
     * placeholder for the gate.
     *
     * @param normalisedId the identifier, canonicalised
     */
    String pseudonym(String normalisedId, IdentifierScope scope) {
        switch (scope) {
            case GLOBAL:
                return keys.global(epoch, normalisedId);
            case RECORD:
                return placeholder(internal.hmac(bytes(RECORD_PREFIX + normalisedId)), scope);
            default:
                return placeholder(internal.hmac(bytes(normalisedId)), scope);
        }
    }

    private String placeholder(byte[] h, IdentifierScope scope) {
        String hex = Hex.encodeHexString(h);
        placeholders.add(new Placeholder(hex, scope));
        return hex;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
