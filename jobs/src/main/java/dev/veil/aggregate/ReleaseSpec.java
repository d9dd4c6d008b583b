package dev.veil.aggregate;

import dev.veil.dp.DiscreteLaplace;
import dev.veil.dp.PartitionSelection;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * The privacy parameters of one release (the heat map, or one usage table) in windows that overlap
 * a given number g of key epochs: epsilon, delta, k, the contribution bounds L and C that
 * contribution bounding applies to each subject pseudonym, the discrete Laplace noise of scale
 * g·L·C/ε that follows from them, and the noisy threshold τ that makes the choice of published
 * categories (ε, δ)-differentially private. Immutable.
 *
 * <p><b>Key epochs.</b> A data subject's {@code subject} pseudonym changes at every key-epoch
 * boundary (config/veil.yaml {@code key_epochs}), and contribution bounding is per pseudonym, so in
 * a window that overlaps g epochs one person is up to g pseudonyms, each bounded to L categories
 * and C per category. Per person that is at most g·L categories and an L1 contribution of at most
 * g·L·C (the sensitivity of the bounded sum; Wilson et al. 2020, "Differentially Private SQL with
 * Bounded User Contribution", PoPETs 2020(2)): the noise scale is g·L·C/ε. A person also moves a
 * category's distinct-pseudonym count by up to g, so suppression asks for {@link #minPseudonyms()}
 * = (k − 1)·g + 1 pseudonyms, which fewer than k people cannot have. A category suppressed without
 * the person then has at most (k − 1)·g pseudonyms and at most k·g with them, so its sum is at most
 * k·g·C; over the person's at most g·L categories the δ of partition selection is g·L·P(Z ≥ τ −
 * k·g·C). That is {@link PartitionSelection}'s analysis with k·g for k and g·L for L, so τ is
 * {@code PartitionSelection.threshold(k·g, g·L, C, noise, δ)}. With g = 1 every formula is the one
 * of a single epoch. The ε and δ of the release are the same for every g. (A person is one consent
 * generation: after an erasure a returning person has unrelated pseudonyms; docs/aggregates.md.)
 *
 * <p><b>Suppression.</b> With {@link Suppression#NOISY} there is no exact count of pseudonyms: a
 * category that exists only because of the person holds at most g of their pseudonyms and a sum of
 * at most g·C, so τ is {@code PartitionSelection.thresholdWithoutExactSuppression(k, g·L, g·C,
 * noise, δ)}, that is max(g·C + m, k·C) with the same margin m as above (g·C for C: the person's
 * contribution to one category, which the margin's analysis needs as one subject's).
 */
public final class ReleaseSpec implements Serializable {
    private static final long serialVersionUID = 3L;

    private final String name;
    private final BigDecimal epsilon;
    private final double delta;
    private final long k;
    private final long maxContributions;
    private final long maxPerCategory;
    private final int keyEpochs;
    private final Suppression suppression;
    private final long threshold;
    private transient DiscreteLaplace laplace;

    /**
     * The parameters of windows within one key epoch.
     *
     * @param name release name, e.g. "heatmap", "app_version"
     * @param epsilon ε of this release, > 0
     * @param delta δ of this release, in (0, 1)
     * @param k small-count suppression: fewer distinct data subjects (before noise) are never
     *     published
     * @param maxContributions L: categories one subject pseudonym can add to per window
     * @param maxPerCategory C: 1 for distinct counts, the per-pseudonym cap for event counts
     * @throws IllegalArgumentException quoting a bad value
     */
    public ReleaseSpec(
            String name,
            BigDecimal epsilon,
            double delta,
            long k,
            long maxContributions,
            long maxPerCategory) {
        this(name, epsilon, delta, k, maxContributions, maxPerCategory, Suppression.EXACT);
    }

    /**
     * The parameters of windows within one key epoch, with a choice of suppression.
     *
     * @param suppression {@link Suppression#EXACT} (at least k people before noise, then τ) or
     *     {@link Suppression#NOISY} (the noisy threshold alone, with its lower τ)
     * @throws IllegalArgumentException quoting a bad value
     * @see #ReleaseSpec(String, BigDecimal, double, long, long, long)
     */
    public ReleaseSpec(
            String name,
            BigDecimal epsilon,
            double delta,
            long k,
            long maxContributions,
            long maxPerCategory,
            Suppression suppression) {
        this(name, epsilon, delta, k, maxContributions, maxPerCategory, 1, suppression);
    }

    private ReleaseSpec(
            String name,
            BigDecimal epsilon,
            double delta,
            long k,
            long maxContributions,
            long maxPerCategory,
            int keyEpochs,
            Suppression suppression) {
        if (keyEpochs < 1) {
            throw new IllegalArgumentException(
                    "a window overlaps at least one key epoch, was " + keyEpochs);
        }
        this.name = name;
        this.epsilon = epsilon;
        this.delta = delta;
        this.k = k;
        this.maxContributions = maxContributions;
        this.maxPerCategory = maxPerCategory;
        this.keyEpochs = keyEpochs;
        this.suppression = suppression;
        this.threshold =
                suppression == Suppression.EXACT
                        ? PartitionSelection.threshold(
                                Math.multiplyExact(k, keyEpochs),
                                Math.multiplyExact(maxContributions, keyEpochs),
                                maxPerCategory,
                                laplace(),
                                delta)
                        : noisyThreshold();
    }

    /**
     * The same release in a window that overlaps {@code keyEpochs} key epochs, where one data
     * subject can appear as that many pseudonyms: same ε, δ, k, L and C, noise and threshold for
     * the larger sensitivity (see the class comment).
     *
     * @param keyEpochs g, at least 1
     * @throws IllegalArgumentException if {@code keyEpochs} is below 1 or the scaled bounds do not
     *     fit in a long
     * @throws ArithmeticException if the scaled sensitivity does not fit in a long
     */
    public ReleaseSpec acrossKeyEpochs(int keyEpochs) {
        if (keyEpochs == this.keyEpochs) {
            return this;
        }
        return new ReleaseSpec(
                name, epsilon, delta, k, maxContributions, maxPerCategory, keyEpochs, suppression);
    }

    /**
     * τ without exact suppression for a person who is g pseudonyms: at most g·L categories, at most
     * g·C in each; the floor k·C of published values does not scale with g (it is about the
     * published value, not about people).
     */
    private long noisyThreshold() {
        long perPerson =
                PartitionSelection.thresholdWithoutExactSuppression(
                        1,
                        Math.multiplyExact(maxContributions, keyEpochs),
                        Math.multiplyExact(maxPerCategory, keyEpochs),
                        laplace(),
                        delta);
        return Math.max(perPerson, Math.multiplyExact(k, maxPerCategory));
    }

    /** The noise distribution: discrete Laplace with scale g·L·C/ε. */
    public DiscreteLaplace laplace() {
        if (laplace == null) {
            laplace = DiscreteLaplace.forSensitivityAndEpsilon(sensitivity(), epsilon);
        }
        return laplace;
    }

    /** The L1 sensitivity of the release to one data subject: g·L·C, in counts. */
    public long sensitivity() {
        return Math.multiplyExact(
                Math.multiplyExact(maxContributions, maxPerCategory), (long) keyEpochs);
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

    /** k: categories with fewer distinct data subjects (people) are never published. */
    public long k() {
        return k;
    }

    /** L: categories one subject pseudonym can add to per window. */
    public long maxContributions() {
        return maxContributions;
    }

    /** C: what one subject pseudonym can add to one category per window. */
    public long maxPerCategory() {
        return maxPerCategory;
    }

    /** g: key epochs the window overlaps, the most pseudonyms one data subject can have in it. */
    public int keyEpochs() {
        return keyEpochs;
    }

    /**
     * The fewest distinct subject pseudonyms a category needs to be published: (k − 1)·g + 1, so
     * that it always holds at least k data subjects; k when g = 1.
     */
    public long minPseudonyms() {
        return Math.addExact(Math.multiplyExact(k - 1, (long) keyEpochs), 1);
    }

    /** How candidates for publication are chosen: exact k-suppression, or the noisy count alone. */
    public Suppression suppression() {
        return suppression;
    }

    /** τ: a noisy count below it is not published. */
    public long threshold() {
        return threshold;
    }
}
