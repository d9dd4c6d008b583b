package dev.veil.aggregate;

import dev.veil.dp.Zcdp;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * What one data subject can spend on a set of releases: ρ in zero-concentrated DP, the δ of their
 * thresholds (each release is δ-approximately ρ-zCDP), and, when every release is a pure ε-DP
 * discrete Laplace release, the ε of basic composition as well. Composition adds each part (Bun and
 * Steinke 2016, Lemma 1.7 and Section 8; Dwork and Roth 2014, Theorem 3.16). {@link #epsilonAt}
 * turns it into one (ε, δ) guarantee, taking the better of the two accountings. Immutable.
 *
 * @param rho ρ ≥ 0
 * @param delta δ of the thresholds, ≥ 0
 * @param basicEpsilon Σε when every release is pure ε-DP with thresholds, else null
 */
public record PrivacySpend(double rho, double delta, BigDecimal basicEpsilon)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Nothing spent. */
    public static final PrivacySpend NONE = new PrivacySpend(0, 0, BigDecimal.ZERO);

    /** The spend of one window of {@code release}. */
    public static PrivacySpend of(ReleaseSpec release) {
        return new PrivacySpend(release.rho(), release.delta(), release.epsilon());
    }

    /** Both spends together (sequential composition). */
    public PrivacySpend plus(PrivacySpend other) {
        return new PrivacySpend(
                rho + other.rho,
                delta + other.delta,
                basicEpsilon == null || other.basicEpsilon == null
                        ? null
                        : basicEpsilon.add(other.basicEpsilon));
    }

    /** This spend {@code n} times: n windows. */
    public PrivacySpend times(long n) {
        return new PrivacySpend(
                rho * n,
                delta * n,
                basicEpsilon == null ? null : basicEpsilon.multiply(BigDecimal.valueOf(n)));
    }

    /**
     * The ε of an (ε, totalDelta)-DP guarantee: the smaller of basic composition (when every
     * release is pure and the thresholds' δ fits in totalDelta) and the zCDP conversion of ρ at
     * totalDelta minus the thresholds' δ ({@link Zcdp#epsilon}); infinite when the thresholds alone
     * spend totalDelta or more.
     *
     * @param totalDelta δ of the guarantee, in (0, 1)
     */
    public double epsilonAt(double totalDelta) {
        double best = Double.POSITIVE_INFINITY;
        if (basicEpsilon != null && delta <= totalDelta) {
            best = basicEpsilon.doubleValue();
        }
        if (delta < totalDelta) {
            best = Math.min(best, Zcdp.epsilon(rho, totalDelta - delta));
        }
        return best;
    }

    /** Which accounting gives {@link #epsilonAt}: {@code "basic composition"} or {@code "zCDP"}. */
    public String methodAt(double totalDelta) {
        return basicEpsilon != null
                        && delta <= totalDelta
                        && basicEpsilon.doubleValue() <= epsilonAt(totalDelta)
                ? "basic composition"
                : "zCDP";
    }

    /** e.g. {@code "ρ 1.25, δ 7e-06"}, for messages and the startup log. */
    public String describe() {
        return String.format(Locale.ROOT, "ρ %.4g, thresholds δ %.3g", rho, delta);
    }
}
