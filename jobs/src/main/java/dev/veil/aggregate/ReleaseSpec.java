package dev.veil.aggregate;

import dev.veil.dp.DiscreteLaplace;
import dev.veil.dp.PartitionSelection;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * The privacy parameters of one release (the heat map, or one usage table): epsilon, delta, k, the
 * contribution bounds L and C, the discrete Laplace noise of scale L·C/ε that follows from them,
 * and the noisy threshold τ that makes the choice of published categories (ε, δ)-differentially
 * private. Immutable.
 */
public final class ReleaseSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final BigDecimal epsilon;
    private final double delta;
    private final long k;
    private final long maxContributions;
    private final long maxPerCategory;
    private final long threshold;
    private transient DiscreteLaplace laplace;

    /**
     * @param name release name, e.g. "heatmap", "app_version"
     * @param epsilon ε of this release, > 0
     * @param delta δ of this release, in (0, 1)
     * @param k small-count suppression: fewer distinct subjects (before noise) are never published
     * @param maxContributions L: categories one subject can add to per window
     * @param maxPerCategory C: 1 for distinct counts, the per-subject cap for event counts
     * @throws IllegalArgumentException quoting a bad value
     */
    public ReleaseSpec(
            String name,
            BigDecimal epsilon,
            double delta,
            long k,
            long maxContributions,
            long maxPerCategory) {
        this.name = name;
        this.epsilon = epsilon;
        this.delta = delta;
        this.k = k;
        this.maxContributions = maxContributions;
        this.maxPerCategory = maxPerCategory;
        this.threshold =
                PartitionSelection.threshold(k, maxContributions, maxPerCategory, laplace(), delta);
    }

    /** The noise distribution: discrete Laplace with scale L·C/ε. */
    public DiscreteLaplace laplace() {
        if (laplace == null) {
            laplace =
                    DiscreteLaplace.forSensitivityAndEpsilon(
                            Math.multiplyExact(maxContributions, maxPerCategory), epsilon);
        }
        return laplace;
    }

    public String name() {
        return name;
    }

    public BigDecimal epsilon() {
        return epsilon;
    }

    public double delta() {
        return delta;
    }

    public long k() {
        return k;
    }

    public long maxContributions() {
        return maxContributions;
    }

    public long maxPerCategory() {
        return maxPerCategory;
    }

    /** τ: a noisy count below it is not published. */
    public long threshold() {
        return threshold;
    }
}
