package dev.veil.dp;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The discrete Gaussian distribution on the integers, with an exact sampler.
 *
 * <p><b>Distribution.</b> For a variance parameter {@code σ² > 0}, a draw {@code X} takes the
 * integer value {@code x} with probability {@code exp(−x²/(2σ²)) / Σ_y exp(−y²/(2σ²))}. It is
 * symmetric around 0, and its variance is at most {@code σ²}. Adding independent draws to the
 * coordinates of an integer query of L2 sensitivity {@code Δ} gives {@code
 * ½(Δ/σ)²}-zero-concentrated differential privacy (Canonne, Kamath, Steinke 2020, "The Discrete
 * Gaussian for Differential Privacy", NeurIPS 2020, arXiv:2004.00010, Theorems 4 and 14; zCDP: Bun
 * and Steinke 2016, "Concentrated Differential Privacy: Simplifications, Extensions, and Lower
 * Bounds", TCC 2016-B, arXiv:1605.02065). {@link #forSensitivityAndRho} builds {@code σ² = Δ²/(2ρ)}
 * exactly.
 *
 * <p><b>Parameter.</b> {@code σ²} is a positive rational {@code p/q}, kept in lowest terms.
 *
 * <p><b>Sampling.</b> {@link #sample(RandomBits)} is Algorithm 3 of Canonne, Kamath and Steinke
 * (2020): with {@code t = ⌊σ⌋ + 1}, draw {@code Y} from the discrete Laplace of scale {@code t}
 * ({@link DiscreteLaplace}, their Algorithm 2) and accept it with probability {@code exp(−(|Y| −
 * σ²/t)²/(2σ²))} (their Algorithm 1, {@code Bernoulli(exp(−γ))} for rational {@code γ}); otherwise
 * repeat. Only integer arithmetic ({@link BigInteger} where a long could overflow): no floating
 * point in sampling, so the floating-point attack of Mironov (2012) does not apply. The expected
 * number of rounds is below a small constant for every {@code σ} (paper, Section 5).
 *
 * <p>{@link #scale()} and {@link #tailProbabilityAtLeast(long)} use doubles; they are for
 * reporting, threshold calibration and tests, never for sampling.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe.
 */
public final class DiscreteGaussian implements IntegerNoise {

    /** The largest σ accepted: the tail is summed term by term when a threshold is calibrated. */
    public static final double MAX_SIGMA = 1e5;

    private final long varianceNumerator;
    private final long varianceDenominator;
    private final DiscreteLaplace proposal;
    private final long t;

    /** Σ exp(−x²/(2σ²)) over |x| ≤ 40σ + 1, for {@link #tailProbabilityAtLeast}; 0 until needed. */
    private double normaliser;

    /**
     * The discrete Gaussian with {@code σ² = varianceNumerator / varianceDenominator}.
     *
     * @param varianceNumerator {@code p}, at least 1
     * @param varianceDenominator {@code q}, at least 1
     * @throws IllegalArgumentException if either is below 1 or {@code σ} exceeds {@link #MAX_SIGMA}
     *     (the message quotes the values)
     */
    public DiscreteGaussian(long varianceNumerator, long varianceDenominator) {
        if (varianceNumerator < 1 || varianceDenominator < 1) {
            throw new IllegalArgumentException(
                    "sigma^2 must be a positive fraction, was "
                            + varianceNumerator
                            + "/"
                            + varianceDenominator);
        }
        BigInteger p = BigInteger.valueOf(varianceNumerator);
        BigInteger q = BigInteger.valueOf(varianceDenominator);
        BigInteger g = p.gcd(q);
        this.varianceNumerator = p.divide(g).longValueExact();
        this.varianceDenominator = q.divide(g).longValueExact();
        if (scale() > MAX_SIGMA) {
            throw new IllegalArgumentException(
                    "sigma " + scale() + " is above the supported " + MAX_SIGMA);
        }
        // ⌊σ⌋ = ⌊√⌊p/q⌋⌋ exactly, since n ≤ √x iff n² ≤ ⌊x⌋ for integers n.
        this.t =
                BigInteger.valueOf(this.varianceNumerator / this.varianceDenominator)
                                .sqrt()
                                .longValueExact()
                        + 1;
        this.proposal = new DiscreteLaplace(t, 1);
    }

    /**
     * The distribution that makes a vector of integer counts with L2 sensitivity {@code Δ} (given
     * as {@code Δ²}) ρ-zCDP: {@code σ² = Δ²/(2ρ)}, exact. ρ is read as the rational {@code
     * unscaledValue / 10^scale} of its decimal form.
     *
     * @param sensitivitySquared {@code Δ²}, at least 1 (for a subject in L categories with at most
     *     C in each: L·C²)
     * @param rho ρ, positive, at most {@link DiscreteLaplace#MAX_EPSILON_DECIMAL_PLACES} decimal
     *     places
     * @throws IllegalArgumentException for values out of range, or a σ² that does not fit in longs
     */
    public static DiscreteGaussian forSensitivityAndRho(long sensitivitySquared, BigDecimal rho) {
        if (sensitivitySquared < 1) {
            throw new IllegalArgumentException(
                    "squared sensitivity must be at least 1, was " + sensitivitySquared);
        }
        if (rho == null || rho.signum() <= 0) {
            throw new IllegalArgumentException("rho must be positive, was " + rho);
        }
        BigDecimal r = rho.stripTrailingZeros();
        if (r.scale() > DiscreteLaplace.MAX_EPSILON_DECIMAL_PLACES) {
            throw new IllegalArgumentException(
                    "rho must have at most "
                            + DiscreteLaplace.MAX_EPSILON_DECIMAL_PLACES
                            + " decimal places, was "
                            + rho.toPlainString());
        }
        if (r.scale() < 0) {
            r = r.setScale(0);
        }
        // Δ² / (2 · u/10^s) = Δ² · 10^s / (2u)
        BigInteger num =
                BigInteger.valueOf(sensitivitySquared).multiply(BigInteger.TEN.pow(r.scale()));
        BigInteger den = r.unscaledValue().shiftLeft(1);
        BigInteger g = num.gcd(den);
        num = num.divide(g);
        den = den.divide(g);
        if (num.bitLength() > 63 || den.bitLength() > 63) {
            throw new IllegalArgumentException(
                    "sigma^2 = " + num + "/" + den + " does not fit in longs");
        }
        return new DiscreteGaussian(num.longValue(), den.longValue());
    }

    /**
     * Draws one value: Algorithm 3 of Canonne, Kamath and Steinke (2020).
     *
     * <pre>
     * t ← ⌊σ⌋ + 1
     * loop:
     *   Y ← Lap_Z(t)
     *   C ← Bernoulli(exp(−(|Y| − σ²/t)² / (2σ²)));  if C = 1, return Y
     * </pre>
     *
     * With {@code σ² = p/q}: {@code (|Y| − σ²/t)²/(2σ²) = (|Y|·q·t − p)² / (2·p·q·t²)}.
     */
    @Override
    public long sample(RandomBits bits) {
        BigInteger p = BigInteger.valueOf(varianceNumerator);
        BigInteger q = BigInteger.valueOf(varianceDenominator);
        BigInteger bt = BigInteger.valueOf(t);
        BigInteger den = p.multiply(q).multiply(bt).multiply(bt).shiftLeft(1);
        while (true) {
            long y = proposal.sample(bits);
            BigInteger diff = BigInteger.valueOf(Math.abs(y)).multiply(q).multiply(bt).subtract(p);
            if (DiscreteLaplace.bernoulliExpMinus(diff.multiply(diff), den, bits)) {
                return y;
            }
        }
    }

    /** σ² as a double. */
    public double variance() {
        return (double) varianceNumerator / varianceDenominator;
    }

    /** The numerator p of σ² = p/q, in lowest terms. */
    public long varianceNumerator() {
        return varianceNumerator;
    }

    /** The denominator q of σ² = p/q, in lowest terms. */
    public long varianceDenominator() {
        return varianceDenominator;
    }

    /** σ, the square root of the variance parameter, in count units (for reporting). */
    @Override
    public double scale() {
        return Math.sqrt(variance());
    }

    /**
     * {@code P(X >= m)}, summed term by term in double precision: the normaliser over {@code |x| ≤
     * 40σ + 1} (every term beyond is below {@code e^-800}), the tail from {@code m} until a term no
     * longer changes the sum.
     */
    @Override
    public double tailProbabilityAtLeast(long m) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be at least 1, but was " + m);
        }
        double twoVar = 2.0 * variance();
        double norm = normaliser;
        if (norm == 0) {
            long bound = (long) Math.ceil(40.0 * scale()) + 1;
            norm = 1.0;
            for (long x = 1; x <= bound; x++) {
                norm += 2.0 * Math.exp(-(double) x * x / twoVar);
            }
            // a benign race: every thread computes the same value
            normaliser = norm;
        }
        double tail = 0.0;
        for (long x = m; ; x++) {
            double term = Math.exp(-(double) x * x / twoVar);
            if (term == 0.0 || term < tail * 1e-17) {
                break;
            }
            tail += term;
        }
        return tail / norm;
    }

    /** {@code "discrete_gaussian"}. */
    @Override
    public String name() {
        return "discrete_gaussian";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DiscreteGaussian d
                && d.varianceNumerator == varianceNumerator
                && d.varianceDenominator == varianceDenominator;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(varianceNumerator) * 31 + Long.hashCode(varianceDenominator);
    }

    /** e.g. {@code "DiscreteGaussian[sigma^2=25/2]"}. */
    @Override
    public String toString() {
        return "DiscreteGaussian[sigma^2=" + varianceNumerator + "/" + varianceDenominator + "]";
    }
}
