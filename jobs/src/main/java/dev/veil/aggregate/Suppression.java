package dev.veil.aggregate;

import java.util.Locale;

/**
 * How a release decides which categories are candidates for publication ({@code
 * privacy.suppression} in config/aggregates.yaml; docs/aggregates.md, "Utility").
 */
public enum Suppression {
    /**
     * A category needs at least k people (in pseudonyms: {@link ReleaseSpec#minPseudonyms()}),
     * counted exactly before noise, and then a noisy count of at least τ = k·g·C + m. No category
     * with fewer than k people is ever published.
     */
    EXACT,

    /**
     * Only the noisy count decides: published if it is at least τ = max(g·C + m, k·C) (the
     * threshold of {@link dev.veil.dp.PartitionSelection#thresholdWithoutExactSuppression}, for a
     * person who is g pseudonyms). Same ε and δ with a lower threshold; no published value is below
     * k·C, but a category with fewer than k people is published with a small probability.
     */
    NOISY;

    /** The name in configuration files and release records: "exact", "noisy". */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
