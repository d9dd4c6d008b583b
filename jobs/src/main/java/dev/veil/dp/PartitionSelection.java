package dev.veil.dp;

/**
 * Calibrates the publication threshold that, together with small-count suppression, makes the
 * <em>set</em> of published categories differentially private, not only their values.
 *
 * <p><b>Mechanism.</b> Each data subject contributes to at most {@code L = maxPartitions}
 * categories and at most {@code C = maxPerPartition} to each category's count (both enforced
 * upstream by contribution bounding). For every category with true count {@code c}:
 *
 * <ol>
 *   <li>if fewer than {@code k} distinct subjects contributed, the category is never published;
 *   <li>otherwise draw {@code Z ~ DiscreteLaplace(scale = L·C/ε)}, independently per category, and
 *       publish {@code c + Z} only if {@code c + Z >= τ} (the threshold computed here).
 * </ol>
 *
 * <p><b>Derivation of δ.</b> Neighbouring datasets {@code D} (with subject {@code u}) and {@code
 * D'} (without) differ only in the at most {@code L} categories {@code u} contributes to; each of
 * their counts differs by at most {@code C}. Split those categories:
 *
 * <ul>
 *   <li><em>Type (i)</em>: at least {@code k} subjects in both datasets. Both publish a
 *       post-processing of {@code c + Z}; the vector of these counts has L1 sensitivity at most
 *       {@code L·C}, so discrete Laplace noise of scale {@code L·C/ε} makes this part {@code ε}-DP
 *       (the pmf ratio at distance {@code Δ} is {@code a^-Δ = exp(Δ/scale)}).
 *   <li><em>Type (ii)</em>: at least {@code k} subjects in {@code D} but {@code k-1} in {@code D'}
 *       (a subject changes a distinct-subject count by exactly one). Without {@code u} the category
 *       is suppressed with certainty; with {@code u} it has exactly {@code k} subjects, so its
 *       count is at most {@code k·C} and it is published with probability at most {@code P(Z >= τ -
 *       k·C)}. This is the worst case: no ratio bound holds for it, so it goes into δ.
 * </ul>
 *
 * Let {@code E} be the event that some type (ii) category is published under {@code D}. With {@code
 * m = τ - k·C >= 1} and the tail {@code P(Z >= m) = a^m/(1+a)}, {@code a = exp(-1/scale)}, the
 * union bound over at most {@code L} categories gives {@code P(E) <= δ = L · a^m / (1 + a)}. For
 * any output set {@code S}, using that the noise is independent per category: {@code P_D(S) <=
 * P_D(S ∩ ¬E) + P(E) <= e^ε P_D'(S) + δ}, and {@code P_D'(S) <= e^ε P_D(S) + δ} as well, so the
 * whole release is {@code (ε, δ)}-DP for add/remove-one-subject neighbours. With a {@link
 * KeyedRandomBits} noise source the guarantee is computational (it holds against adversaries who
 * cannot distinguish HMAC-SHA256 from a random function).
 *
 * <p><b>Other noise.</b> The derivation of δ uses only that the noise is independent per category
 * and its tail {@link IntegerNoise#tailProbabilityAtLeast}; it holds as written for the discrete
 * Gaussian ({@link DiscreteGaussian}). Type (i) categories are then not ε-DP but ρ-zCDP with ρ =
 * Δ₂²/(2σ²), and the whole release is δ-approximately ρ-zCDP (Bun and Steinke 2016, Section 8:
 * outside the event E, of probability at most δ, the outputs are those of the Gaussian mechanism);
 * the accounting is {@link Zcdp}'s.
 *
 * <p>{@link #threshold} returns the smallest {@code τ} with {@code m >= 1} and {@code L · P(Z >= m)
 * <= δ}; {@link #delta} returns the {@code δ} a given {@code τ} achieves. The noise distribution
 * must be the one actually used for the counts, with scale {@code L·C/ε}; this class cannot check
 * {@code ε}.
 *
 * <p><b>Arithmetic.</b> The threshold is a public parameter, not a random draw, so it is calibrated
 * with doubles ({@link DiscreteLaplace#tailProbabilityAtLeast(long)}); relative error in δ is of
 * the order of {@code 10^-15}. {@code threshold} and {@code delta} use the same function, so {@code
 * delta(threshold(...)) <= δ} holds exactly as computed.
 *
 * <p><b>Sources.</b> Thresholding of noisy per-partition counts with bounded user contribution:
 * Wilson, Zhang, Lam, Desfontaines, Simmons-Marengo, Gipson 2020, "Differentially Private SQL with
 * Bounded User Contribution", Proceedings on Privacy Enhancing Technologies 2020(2), pp. 230-250,
 * doi:10.2478/popets-2020-0025; threshold-based selection of which items (queries) to release:
 * Korolova, Kenthapadi, Mishra, Ntoulas 2009, "Releasing Search Queries and Clicks Privately", WWW
 * 2009. Discrete Laplace tail: see {@link DiscreteLaplace}.
 *
 * <p><b>Thread-safety:</b> stateless; all methods are static and thread-safe.
 */
public final class PartitionSelection {

    private PartitionSelection() {}

    /**
     * The smallest threshold {@code τ} such that {@code m = τ - k·C >= 1} and {@code L · P(Z >= m)
     * = L · a^m/(1+a) <= delta}.
     *
     * @param k the minimum number of distinct subjects for a category to be publishable; at least 1
     * @param maxPartitions {@code L}, the most categories one subject contributes to; at least 1
     * @param maxPerPartition {@code C}, the most one subject adds to one category's count; at least
     *     1
     * @param noise the noise added to each count, which must have scale {@code L·C/ε}; not null
     * @param delta the target δ, a probability; {@code 0 < delta < 1}
     * @return the threshold {@code τ}, in count units; published values are at least {@code τ}
     * @throws IllegalArgumentException if a parameter is out of range (the message quotes the
     *     value), or if {@code k·C} or {@code τ} does not fit in a long
     */
    public static long threshold(
            long k, long maxPartitions, long maxPerPartition, IntegerNoise noise, double delta) {
        long kc = validateAndKc(k, maxPartitions, maxPerPartition, noise);
        if (!(delta > 0.0 && delta < 1.0)) {
            throw new IllegalArgumentException("delta must be in (0, 1), but was " + delta);
        }
        long m =
                noise instanceof DiscreteLaplace laplace
                        ? laplaceEstimate(maxPartitions, laplace, delta)
                        : searchEstimate(maxPartitions, noise, delta);
        // Correct any rounding in the estimate against the exact function that delta() reports.
        while (m > 1 && deltaForMargin(m - 1, maxPartitions, noise) <= delta) {
            m--;
        }
        while (deltaForMargin(m, maxPartitions, noise) > delta) {
            m++;
        }
        try {
            return Math.addExact(kc, m);
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException(
                    "threshold k*C + m = " + kc + " + " + m + " does not fit in a long", overflow);
        }
    }

    /**
     * The smallest threshold {@code τ} for selection <em>without</em> exact small-count
     * suppression: every category with at least one contribution is a candidate, and only the noisy
     * count decides ({@link PartitionSelection class comment}, step 1 left out). Returns {@code
     * max(C + m, k·C)} with {@code m} the smallest margin {@code >= 1} such that {@code L · P(Z >=
     * m) <= delta}.
     *
     * <p><b>Derivation.</b> Without exact suppression the worst case of type (ii) changes: a
     * category that is published under {@code D} but not a candidate under {@code D'} is one that
     * exists <em>only</em> because of {@code u}, so its count is at most {@code C}, not {@code
     * k·C}; it is published with probability at most {@code P(Z >= τ - C)}. Categories that exist
     * in both datasets are type (i) whatever their counts. The rest of the argument is unchanged:
     * {@code δ = L · P(Z >= τ - C)} by the union bound over {@code u}'s at most {@code L}
     * categories. This is the thresholding of Wilson et al. 2020 and of partition selection as
     * Desfontaines, Voss, Gipson, Mandayam 2022 analyse it ("Differentially Private Partition
     * Selection", PoPETs 2022(1)), which need no {@code k}. The floor {@code k·C} keeps the promise
     * that no published value is below {@code k·C} (k people for a distinct count); it only raises
     * {@code τ}, which lowers δ. What is lost is the guarantee on the <em>true</em> count: a
     * category with fewer than {@code k} people is published when its noise is at least {@code τ -
     * c}, with probability {@code P(Z >= τ - c)} (for {@code c = k - 1}, C = 1, scale 2 and δ =
     * 10^-6: about 10^-5).
     *
     * @param k the published values' floor is {@code k·C}; at least 1
     * @param maxPartitions {@code L}; at least 1
     * @param maxPerPartition {@code C}; at least 1
     * @param noise the noise added to each count, which must have scale {@code L·C/ε}; not null
     * @param delta the target δ, a probability; {@code 0 < delta < 1}
     * @return the threshold {@code τ}, in count units
     * @throws IllegalArgumentException if a parameter is out of range (the message quotes the
     *     value), or if {@code k·C} or {@code τ} does not fit in a long
     */
    public static long thresholdWithoutExactSuppression(
            long k, long maxPartitions, long maxPerPartition, IntegerNoise noise, double delta) {
        long kc = validateAndKc(k, maxPartitions, maxPerPartition, noise);
        // The analysis of threshold() with one subject in place of k: a category present only
        // because of u has at most one contributing subject.
        return Math.max(threshold(1, maxPartitions, maxPerPartition, noise, delta), kc);
    }

    /**
     * The δ that a threshold achieves without exact small-count suppression: {@code min(1, L · P(Z
     * >= τ - C))} ({@link #thresholdWithoutExactSuppression}).
     *
     * @param threshold {@code τ}, in count units
     * @param maxPartitions {@code L}; at least 1
     * @param maxPerPartition {@code C}; at least 1
     * @param noise the noise added to each count; not null
     * @return δ, a probability in {@code [0, 1]}
     * @throws IllegalArgumentException if a parameter is out of range (the message quotes the
     *     value)
     */
    public static double deltaWithoutExactSuppression(
            long threshold, long maxPartitions, long maxPerPartition, IntegerNoise noise) {
        return delta(threshold, 1, maxPartitions, maxPerPartition, noise);
    }

    /**
     * The δ that a threshold achieves: {@code min(1, L · P(Z >= τ - k·C))}. For {@code m = τ - k·C
     * >= 1} this is {@code min(1, L · a^m/(1+a))}; for {@code m <= 0} it uses {@code P(Z >= m) = 1
     * - a^(1-m)/(1+a)} (such thresholds give no useful guarantee, and {@link #threshold} never
     * returns them).
     *
     * @param threshold {@code τ}, in count units
     * @param k the minimum number of distinct subjects; at least 1
     * @param maxPartitions {@code L}; at least 1
     * @param maxPerPartition {@code C}; at least 1
     * @param noise the noise added to each count; not null
     * @return δ, a probability in {@code [0, 1]}
     * @throws IllegalArgumentException if a parameter is out of range (the message quotes the
     *     value), or if {@code k·C} or {@code τ - k·C} does not fit in a long
     */
    public static double delta(
            long threshold, long k, long maxPartitions, long maxPerPartition, IntegerNoise noise) {
        long kc = validateAndKc(k, maxPartitions, maxPerPartition, noise);
        long m;
        try {
            m = Math.subtractExact(threshold, kc);
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException(
                    "threshold - k*C = " + threshold + " - " + kc + " does not fit in a long",
                    overflow);
        }
        if (m >= 1) {
            return deltaForMargin(m, maxPartitions, noise);
        }
        // P(Z >= m) = 1 - P(Z <= m - 1) = 1 - P(Z >= 1 - m) by symmetry, with 1 - m >= 1. For m =
        // Long.MIN_VALUE,
        // 1 - m overflows; P(Z >= Long.MAX_VALUE) is used instead (both are 0 to double precision
        // for any scale
        // below 10^16, and the result is capped at 1 anyway).
        long mirrored = m == Long.MIN_VALUE ? Long.MAX_VALUE : 1 - m;
        double tail = 1.0 - noise.tailProbabilityAtLeast(mirrored);
        return Math.min(1.0, maxPartitions * tail);
    }

    /** First guess from the closed form: L·exp(-m/scale)/(1+a) <= δ. */
    private static long laplaceEstimate(long maxPartitions, DiscreteLaplace noise, double delta) {
        //   <=>  m >= scale · ln(L / (delta·(1+a))).
        double estimate =
                noise.scale() * (Math.log((double) maxPartitions / delta) - Math.log1p(noise.a()));
        if (!(estimate < 0x1p62)) {
            throw new IllegalArgumentException(
                    "threshold margin "
                            + estimate
                            + " for maxPartitions="
                            + maxPartitions
                            + ", delta="
                            + delta
                            + ", "
                            + noise
                            + " does not fit in a long");
        }
        return Math.max(1L, (long) Math.ceil(estimate));
    }

    /**
     * Any noise: the smallest margin by doubling and bisection over the tail, which falls as m
     * grows.
     */
    private static long searchEstimate(long maxPartitions, IntegerNoise noise, double delta) {
        long hi = 1;
        while (deltaForMargin(hi, maxPartitions, noise) > delta) {
            if (hi > Long.MAX_VALUE / 4) {
                throw new IllegalArgumentException(
                        "no threshold margin reaches delta=" + delta + " for " + noise);
            }
            hi *= 2;
        }
        long lo = hi / 2;
        while (lo + 1 < hi) {
            long mid = lo + (hi - lo) / 2;
            if (deltaForMargin(mid, maxPartitions, noise) > delta) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    private static double deltaForMargin(long m, long maxPartitions, IntegerNoise noise) {
        return Math.min(1.0, maxPartitions * noise.tailProbabilityAtLeast(m));
    }

    private static long validateAndKc(
            long k, long maxPartitions, long maxPerPartition, IntegerNoise noise) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, but was " + k);
        }
        if (maxPartitions < 1) {
            throw new IllegalArgumentException(
                    "maxPartitions must be at least 1, but was " + maxPartitions);
        }
        if (maxPerPartition < 1) {
            throw new IllegalArgumentException(
                    "maxPerPartition must be at least 1, but was " + maxPerPartition);
        }
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        try {
            return Math.multiplyExact(k, maxPerPartition);
        } catch (ArithmeticException overflow) {
            throw new IllegalArgumentException(
                    "k*maxPerPartition = " + k + "*" + maxPerPartition + " does not fit in a long",
                    overflow);
        }
    }
}
