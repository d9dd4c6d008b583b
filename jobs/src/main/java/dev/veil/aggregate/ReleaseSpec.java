package dev.veil.aggregate;

import dev.veil.dp.DiscreteGaussian;
import dev.veil.dp.DiscreteLaplace;
import dev.veil.dp.IntegerNoise;
import dev.veil.dp.PartitionSelection;
import dev.veil.dp.Zcdp;

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
 * <p><b>Noise.</b> A release is either ε-DP with discrete Laplace noise (above), or ρ-zCDP with
 * discrete Gaussian noise ({@link #gaussian}): σ² = Δ₂²/(2ρ), where the L2 sensitivity of a person
 * who is g pseudonyms of L categories and C per category is Δ₂ = g·C·√L (the worst case puts all g
 * pseudonyms in the same L categories). Either way the threshold τ comes from the noise's tail, and
 * the release is δ-approximately ρ-zCDP with ρ = {@link #rho()} (ε²/2 for the Laplace; Bun and
 * Steinke 2016, Proposition 1.4), which is what the privacy ledger adds up ({@link Zcdp}).
 *
 * <p><b>Suppression.</b> With {@link Suppression#NOISY} there is no exact count of pseudonyms: a
 * category that exists only because of the person holds at most g of their pseudonyms and a sum of
 * at most g·C, so τ is {@code PartitionSelection.thresholdWithoutExactSuppression(1, g·L, g·C,
 * noise, δ)}, floored at k·C, that is max(g·C + m, k·C) with the same margin m as above (g·C for C:
 * the person's contribution to one category, which the margin's analysis needs as one subject's).
 */
public final class ReleaseSpec implements Serializable {
    private static final long serialVersionUID = 3L;

    private final String name;

    /** ε of a discrete Laplace release; null for a discrete Gaussian one. */
    private final BigDecimal epsilon;

    /** ρ of a discrete Gaussian release; null for a discrete Laplace one. */
    private final BigDecimal rho;

    private final double delta;
    private final long k;
    private final long maxContributions;
    private final long maxPerCategory;
    private final int keyEpochs;
    private final Suppression suppression;
    private final long threshold;
    private transient IntegerNoise noise;

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
     * A discrete Laplace release of windows within one key epoch, with a choice of suppression.
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
        this(name, epsilon, null, delta, k, maxContributions, maxPerCategory, 1, suppression);
    }

    /**
     * A discrete Gaussian release of windows within one key epoch: ρ-zCDP for the noisy counts.
     *
     * @param rho ρ of this release, > 0, at most 9 decimal places
     * @throws IllegalArgumentException quoting a bad value
     */
    public static ReleaseSpec gaussian(
            String name,
            BigDecimal rho,
            double delta,
            long k,
            long maxContributions,
            long maxPerCategory,
            Suppression suppression) {
        return new ReleaseSpec(
                name, null, rho, delta, k, maxContributions, maxPerCategory, 1, suppression);
    }

    private ReleaseSpec(
            String name,
            BigDecimal epsilon,
            BigDecimal rho,
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
        if ((epsilon == null) == (rho == null)) {
            throw new IllegalArgumentException("a release has either epsilon or rho");
        }
        this.name = name;
        this.epsilon = epsilon;
        this.rho = rho;
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
                                noise(),
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
                name,
                epsilon,
                rho,
                delta,
                k,
                maxContributions,
                maxPerCategory,
                keyEpochs,
                suppression);
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
                        noise(),
                        delta);
        return Math.max(perPerson, Math.multiplyExact(k, maxPerCategory));
    }

    /**
     * The noise distribution: discrete Laplace with scale g·L·C/ε, or discrete Gaussian with σ² =
     * g²·L·C²/(2ρ).
     */
    public IntegerNoise noise() {
        if (noise == null) {
            noise =
                    epsilon != null
                            ? DiscreteLaplace.forSensitivityAndEpsilon(sensitivity(), epsilon)
                            : DiscreteGaussian.forSensitivityAndRho(l2SensitivitySquared(), rho);
        }
        return noise;
    }

    /** The squared L2 sensitivity to one data subject, g²·L·C² (see the class comment). */
    public long l2SensitivitySquared() {
        long gc = Math.multiplyExact((long) keyEpochs, maxPerCategory);
        return Math.multiplyExact(Math.multiplyExact(gc, gc), maxContributions);
    }

    /** Whether the noise is the discrete Gaussian (the release configured by ρ). */
    public boolean gaussian() {
        return rho != null;
    }

    /**
     * ρ of this release per window, in zCDP: ε²/2 for a discrete Laplace release (Bun and Steinke
     * 2016, Proposition 1.4), the configured ρ for a discrete Gaussian one. The same for every g.
     */
    public double rho() {
        return rho != null ? rho.doubleValue() : Zcdp.rhoOfPureDp(epsilon.doubleValue());
    }

    /** The configured ρ of a discrete Gaussian release, or null for a discrete Laplace one. */
    public BigDecimal configuredRho() {
        return rho;
    }

    /**
     * What this release spends, as its noise label and records state it: {@code "1.0"} (ε of a
     * discrete Laplace release) or {@code "rho0.125"} (ρ of a discrete Gaussian release).
     */
    public String budgetLabel() {
        return epsilon != null ? epsilon.toPlainString() : "rho" + rho.toPlainString();
    }

    /**
     * The L1 sensitivity of the release to one data subject: g·L·C, in counts. (The squared L2
     * sensitivity of a Gaussian release is this squared over L: g²·L·C².)
     */
    public long sensitivity() {
        return Math.multiplyExact(
                Math.multiplyExact(maxContributions, maxPerCategory), (long) keyEpochs);
    }

    public String name() {
        return name;
    }

    /** ε of a discrete Laplace release; null for a discrete Gaussian one ({@link #rho()}). */
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
