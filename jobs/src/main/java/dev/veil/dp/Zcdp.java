package dev.veil.dp;

/**
 * Accounting in zero-concentrated differential privacy (zCDP; Bun and Steinke 2016, "Concentrated
 * Differential Privacy: Simplifications, Extensions, and Lower Bounds", TCC 2016-B,
 * arXiv:1605.02065), as the privacy ledger uses it:
 *
 * <ul>
 *   <li>an ε-DP mechanism is ½ε²-zCDP (Proposition 1.4), so a discrete Laplace release of ε costs ρ
 *       = ε²/2;
 *   <li>the Gaussian mechanism with L2 sensitivity Δ and variance σ² is Δ²/(2σ²)-zCDP (Proposition
 *       1.6; for the discrete Gaussian, Canonne, Kamath and Steinke 2020, Theorem 4);
 *   <li>composition adds ρ (Lemma 1.7), and for δ-approximate zCDP it adds the δs as well (Section
 *       8): a release with a thresholded set of categories is δ-approximately ρ-zCDP (see {@link
 *       PartitionSelection});
 *   <li>ρ-zCDP implies (ε, δ)-DP for every δ > 0 with {@link #epsilon(double, double)}.
 * </ul>
 *
 * <p>Stateless; every method is a pure function of doubles, and thread-safe. The results are public
 * parameters reported to people and checked against a cap, never used for sampling.
 */
public final class Zcdp {
    private Zcdp() {}

    /**
     * ρ of an ε-DP mechanism: ε²/2 (Bun and Steinke 2016, Proposition 1.4).
     *
     * @param epsilon ε ≥ 0
     */
    public static double rhoOfPureDp(double epsilon) {
        if (!(epsilon >= 0)) {
            throw new IllegalArgumentException("epsilon must be at least 0, was " + epsilon);
        }
        return epsilon * epsilon / 2;
    }

    /**
     * The smallest ε such that ρ-zCDP implies (ε, δ)-DP, by the conversion of Canonne, Kamath and
     * Steinke 2020 ("The Discrete Gaussian for Differential Privacy", arXiv:2004.00010, Section
     * 2.3, Corollary 13):
     *
     * <pre>
     * δ(ε) = inf over α > 1 of  exp((α − 1)(αρ − ε)) / (α − 1) · (1 − 1/α)^α
     * </pre>
     *
     * solved for ε by bisection, and never more than the simpler bound ρ + 2·√(ρ·ln(1/δ)) of Bun
     * and Steinke 2016, Proposition 1.3 (both are valid; the first is tighter for every ρ and δ
     * used here). The bisection ends within 1e-9 of the exact value, rounding up.
     *
     * @param rho ρ ≥ 0
     * @param delta δ in (0, 1)
     * @return ε ≥ 0; 0 when ρ is 0
     * @throws IllegalArgumentException for values out of range
     */
    public static double epsilon(double rho, double delta) {
        if (!(rho >= 0) || Double.isInfinite(rho)) {
            throw new IllegalArgumentException("rho must be at least 0 and finite, was " + rho);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), was " + delta);
        }
        if (rho == 0) {
            return 0;
        }
        double simple = rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
        double lo = 0;
        double hi = simple;
        if (logDelta(rho, hi) > Math.log(delta)) {
            return simple;
        }
        while (hi - lo > 1e-9 * Math.max(1, hi)) {
            double mid = (lo + hi) / 2;
            if (logDelta(rho, mid) <= Math.log(delta)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    /**
     * ln δ(ε) of Canonne, Kamath and Steinke's conversion: the infimum over α > 1, found on a
     * logarithmic grid of α − 1 from 1e-6 to 1e6 and refined by golden-section search around the
     * best grid point. Any α gives a valid δ, so an approximate minimiser errs on the safe side.
     */
    static double logDelta(double rho, double epsilon) {
        double bestX = -6;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= 1200; i++) {
            double x = -6 + i * 0.01;
            double v = logDeltaAt(rho, epsilon, 1 + Math.pow(10, x));
            if (v < best) {
                best = v;
                bestX = x;
            }
        }
        double a = bestX - 0.01;
        double b = bestX + 0.01;
        double phi = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 60; i++) {
            double c = b - phi * (b - a);
            double d = a + phi * (b - a);
            if (logDeltaAt(rho, epsilon, 1 + Math.pow(10, c))
                    < logDeltaAt(rho, epsilon, 1 + Math.pow(10, d))) {
                b = d;
            } else {
                a = c;
            }
        }
        return Math.min(best, logDeltaAt(rho, epsilon, 1 + Math.pow(10, (a + b) / 2)));
    }

    private static double logDeltaAt(double rho, double epsilon, double alpha) {
        return (alpha - 1) * (alpha * rho - epsilon)
                - Math.log(alpha - 1)
                + alpha * Math.log1p(-1 / alpha);
    }
}
