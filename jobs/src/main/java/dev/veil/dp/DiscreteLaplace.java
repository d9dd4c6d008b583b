package dev.veil.dp;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The discrete Laplace distribution (two-sided geometric distribution) on the integers, with an
 * exact sampler.
 *
 * <p><b>Distribution.</b> For a scale {@code σ > 0} and {@code a = exp(-1/σ)}, a draw {@code X}
 * takes the integer value {@code x} with probability {@code P(X = x) = (1 - a) / (1 + a) · a^|x|}.
 * It is symmetric around 0 with mean 0, variance {@code 2a / (1 - a)^2} and tail {@code P(X >= m) =
 * a^m / (1 + a)} for {@code m >= 1}. Adding it to an integer query of L1 sensitivity {@code Δ} with
 * {@code σ = Δ / ε} gives {@code ε}-differential privacy, since {@code P(X = x) / P(X = x + Δ) <=
 * a^{-Δ} = exp(ε)} (Ghosh, Roughgarden, Sundararajan 2009, "Universally Utility-Maximizing Privacy
 * Mechanisms", STOC; Canonne, Kamath, Steinke 2020, section 2).
 *
 * <p><b>Scale.</b> The scale is a positive rational {@code σ = t / s} given as two longs, numerator
 * {@code t} and denominator {@code s}, both at least 1; they are kept in lowest terms (so {@code
 * new DiscreteLaplace(4, 2)} reports numerator 2 and denominator 1). {@link
 * #forSensitivityAndEpsilon(long, BigDecimal)} builds {@code σ = Δ / ε} exactly from a decimal
 * {@code ε}.
 *
 * <p><b>Sampling.</b> {@link #sample(RandomBits)} implements exactly Algorithm 2 of Canonne,
 * Kamath, Steinke (2020), "The Discrete Gaussian for Differential Privacy", NeurIPS 2020,
 * arXiv:2004.00010, which samples {@code Lap_Z(t/s)} for integers {@code s, t >= 1}; it uses their
 * Algorithm 1 for {@code Bernoulli(exp(-γ))} with rational {@code γ}, and {@code Bernoulli(n/d)} as
 * "a uniform integer in {@code [0, d)} is below {@code n}", with uniform integers from {@link
 * RandomBits#uniform(long)} (rejection sampling, exact). Only integer arithmetic is used: no
 * floating point is involved anywhere in sampling, so the output distribution is exactly the one
 * above (given ideal random bits) and the Mironov (2012, "On Significance of the Least Significant
 * Bits for Differential Privacy", ACM CCS) floating-point attack does not apply. Products that
 * could overflow a long are computed with {@link Math#multiplyExact(long, long)} and fall back to
 * {@link BigInteger}. The expected number of random draws per sample is bounded by a constant
 * independent of the scale, so large scales (e.g. {@code 10^4} and far beyond) cost the same as
 * small ones. The running time, but not the output, depends on the random bits; samplers of this
 * kind are not constant-time (paper, section 5.3).
 *
 * <p>{@link #a()}, {@link #variance()}, {@link #scale()} and {@link #tailProbabilityAtLeast(long)}
 * use doubles; they are for reporting, threshold calibration and tests, never for sampling.
 *
 * <p><b>Thread-safety:</b> immutable and thread-safe. The {@link RandomBits} passed to {@link
 * #sample(RandomBits)} belongs to the caller, and its own thread-safety rules apply.
 */
public final class DiscreteLaplace implements IntegerNoise {

    /**
     * The largest number of decimal places accepted for epsilon by {@link
     * #forSensitivityAndEpsilon}.
     */
    public static final int MAX_EPSILON_DECIMAL_PLACES = 9;

    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private final long numerator;
    private final long denominator;

    /**
     * Creates the discrete Laplace distribution with scale {@code scaleNumerator /
     * scaleDenominator}.
     *
     * @param scaleNumerator {@code t} in the paper's {@code Lap_Z(t/s)}; must be at least 1
     * @param scaleDenominator {@code s} in the paper's {@code Lap_Z(t/s)}; must be at least 1
     * @throws IllegalArgumentException if either argument is below 1 (the message quotes the value)
     */
    public DiscreteLaplace(long scaleNumerator, long scaleDenominator) {
        if (scaleNumerator < 1) {
            throw new IllegalArgumentException(
                    "scaleNumerator must be at least 1, but was " + scaleNumerator);
        }
        if (scaleDenominator < 1) {
            throw new IllegalArgumentException(
                    "scaleDenominator must be at least 1, but was " + scaleDenominator);
        }
        long g = gcd(scaleNumerator, scaleDenominator);
        this.numerator = scaleNumerator / g;
        this.denominator = scaleDenominator / g;
    }

    /**
     * Creates the distribution that makes a count or sum with L1 sensitivity {@code sensitivity}
     * {@code ε}-DP: scale {@code sensitivity / epsilon}, computed exactly. Epsilon is read as the
     * rational {@code unscaledValue / 10^scale} of its {@link BigDecimal} form after trailing zeros
     * are stripped (so {@code 0.5} is {@code 5/10} and {@code sensitivity / 0.5 =
     * 10·sensitivity/5}); the fraction is then reduced. Example: {@code forSensitivityAndEpsilon(3,
     * new BigDecimal("0.5"))} has scale 6.
     *
     * @param sensitivity the L1 sensitivity {@code Δ} of the query (an integer, e.g. contributions
     *     per subject); must be at least 1
     * @param epsilon the privacy parameter {@code ε}, a decimal; must be positive with at most
     *     {@value #MAX_EPSILON_DECIMAL_PLACES} decimal places after trailing zeros are removed
     * @return the distribution with scale {@code sensitivity / epsilon}
     * @throws IllegalArgumentException if {@code sensitivity < 1}, {@code epsilon} is null, zero,
     *     negative or has more than {@value #MAX_EPSILON_DECIMAL_PLACES} decimal places, or the
     *     reduced scale's numerator or denominator does not fit in a long (the message quotes the
     *     values)
     */
    public static DiscreteLaplace forSensitivityAndEpsilon(long sensitivity, BigDecimal epsilon) {
        if (sensitivity < 1) {
            throw new IllegalArgumentException(
                    "sensitivity must be at least 1, but was " + sensitivity);
        }
        if (epsilon == null) {
            throw new IllegalArgumentException("epsilon must not be null");
        }
        if (epsilon.signum() <= 0) {
            throw new IllegalArgumentException(
                    "epsilon must be positive, but was " + epsilon.toPlainString());
        }
        BigDecimal eps = epsilon.stripTrailingZeros();
        if (eps.scale() > MAX_EPSILON_DECIMAL_PLACES) {
            throw new IllegalArgumentException(
                    "epsilon must have at most "
                            + MAX_EPSILON_DECIMAL_PLACES
                            + " decimal places, but was "
                            + epsilon.toPlainString());
        }
        if (eps.scale() < 0) {
            eps = eps.setScale(0);
        }
        // sensitivity / (u / 10^k) = sensitivity * 10^k / u
        BigInteger num = BigInteger.valueOf(sensitivity).multiply(BigInteger.TEN.pow(eps.scale()));
        BigInteger den = eps.unscaledValue();
        BigInteger g = num.gcd(den);
        num = num.divide(g);
        den = den.divide(g);
        if (num.compareTo(LONG_MAX) > 0 || den.compareTo(LONG_MAX) > 0) {
            throw new IllegalArgumentException(
                    "scale sensitivity/epsilon = "
                            + sensitivity
                            + "/"
                            + epsilon.toPlainString()
                            + " = "
                            + num
                            + "/"
                            + den
                            + " does not fit in longs");
        }
        return new DiscreteLaplace(num.longValue(), den.longValue());
    }

    /**
     * Draws one sample: Algorithm 2 of Canonne, Kamath, Steinke (2020), with {@code t =
     * scaleNumerator()} and {@code s = scaleDenominator()}:
     *
     * <pre>
     * loop:
     *   U ← uniform {0, ..., t-1}
     *   D ← Bernoulli(exp(-U/t));        if D = 0, restart
     *   V ← 0; while Bernoulli(exp(-1)) = 1: V ← V + 1
     *   X ← U + t·V
     *   Y ← ⌊X / s⌋
     *   B ← Bernoulli(1/2);              if B = 1 and Y = 0, restart
     *   return (1 - 2B)·Y
     * </pre>
     *
     * @param bits the random source; must not be null; for released noise it should satisfy {@link
     *     RandomBits#isCryptographicallySecure(RandomBits)}
     * @return an integer distributed as described in the class documentation
     * @throws NullPointerException if {@code bits} is null
     * @throws ArithmeticException if the drawn value's magnitude exceeds {@link Long#MAX_VALUE};
     *     this has probability below {@code 2·a^(2^63) = 2·exp(-2^63/σ)}, which is below {@code
     *     10^-300} for every scale up to {@code 10^16}
     */
    @Override
    public long sample(RandomBits bits) {
        final long t = numerator;
        final long s = denominator;
        while (true) {
            long u = bits.uniform(t);
            if (!bernoulliExpMinus(u, t, bits)) {
                continue;
            }
            long v = 0;
            while (bernoulliExpMinus(1, 1, bits)) {
                v++;
            }
            long y = floorOfAffineQuotient(u, t, v, s);
            boolean b = bernoulli(1, 2, bits);
            if (b && y == 0) {
                continue;
            }
            return b ? -y : y;
        }
    }

    /** Returns ⌊(u + t·v) / s⌋ for non-negative arguments, exactly. */
    private static long floorOfAffineQuotient(long u, long t, long v, long s) {
        try {
            return Math.addExact(u, Math.multiplyExact(t, v)) / s;
        } catch (ArithmeticException overflow) {
            BigInteger x =
                    BigInteger.valueOf(t)
                            .multiply(BigInteger.valueOf(v))
                            .add(BigInteger.valueOf(u));
            BigInteger y = x.divide(BigInteger.valueOf(s));
            if (y.compareTo(LONG_MAX) > 0) {
                throw new ArithmeticException(
                        "discrete Laplace sample " + y + " exceeds the long range");
            }
            return y.longValue();
        }
    }

    /**
     * Samples {@code Bernoulli(exp(-γ))} for a rational {@code γ = gammaNumerator /
     * gammaDenominator >= 0}: Algorithm 1 of Canonne, Kamath, Steinke (2020), exactly, with integer
     * arithmetic only.
     *
     * <pre>
     * if γ ≤ 1:  K ← 1; while Bernoulli(γ/K) = 1: K ← K + 1;  return K is odd
     * else:      repeat ⌊γ⌋ times: if Bernoulli(exp(-1)) = 0, return false
     *            return Bernoulli(exp(⌊γ⌋ - γ))
     * </pre>
     *
     * @param gammaNumerator numerator of {@code γ}; must be at least 0
     * @param gammaDenominator denominator of {@code γ}; must be at least 1
     * @param bits the random source; must not be null
     * @return true with probability exactly {@code exp(-γ)}
     * @throws IllegalArgumentException if {@code gammaNumerator < 0} or {@code gammaDenominator <
     *     1}
     */
    static boolean bernoulliExpMinus(long gammaNumerator, long gammaDenominator, RandomBits bits) {
        if (gammaNumerator < 0) {
            throw new IllegalArgumentException(
                    "gammaNumerator must be at least 0, but was " + gammaNumerator);
        }
        if (gammaDenominator < 1) {
            throw new IllegalArgumentException(
                    "gammaDenominator must be at least 1, but was " + gammaDenominator);
        }
        if (gammaNumerator <= gammaDenominator) {
            return bernoulliExpMinusAtMostOne(gammaNumerator, gammaDenominator, bits);
        }
        long whole = gammaNumerator / gammaDenominator;
        for (long i = 0; i < whole; i++) {
            if (!bernoulliExpMinusAtMostOne(1, 1, bits)) {
                return false;
            }
        }
        return bernoulliExpMinusAtMostOne(
                gammaNumerator - whole * gammaDenominator, gammaDenominator, bits);
    }

    /**
     * {@link #bernoulliExpMinus(long, long, RandomBits)} for a {@code γ} whose numerator or
     * denominator does not fit in a long (the discrete Gaussian's acceptance test): the same
     * Algorithm 1, with uniform integers below a {@link BigInteger} bound.
     *
     * @param gammaNumerator at least 0
     * @param gammaDenominator at least 1
     * @return true with probability exactly {@code exp(-γ)}
     */
    static boolean bernoulliExpMinus(
            BigInteger gammaNumerator, BigInteger gammaDenominator, RandomBits bits) {
        if (gammaNumerator.signum() < 0 || gammaDenominator.signum() <= 0) {
            throw new IllegalArgumentException(
                    "gamma must be a non-negative fraction, was "
                            + gammaNumerator
                            + "/"
                            + gammaDenominator);
        }
        if (gammaNumerator.bitLength() < 63 && gammaDenominator.bitLength() < 62) {
            return bernoulliExpMinus(
                    gammaNumerator.longValueExact(), gammaDenominator.longValueExact(), bits);
        }
        BigInteger[] wholeAndRest = gammaNumerator.divideAndRemainder(gammaDenominator);
        // Each round survives with probability 1/e: a whole part beyond the long range is never
        // reached in practice, and capping the count there changes nothing observable.
        long whole =
                wholeAndRest[0].bitLength() < 63 ? wholeAndRest[0].longValue() : Long.MAX_VALUE;
        for (long i = 0; i < whole; i++) {
            if (!bernoulliExpMinusAtMostOne(1, 1, bits)) {
                return false;
            }
        }
        BigInteger n = wholeAndRest[1];
        long k = 1;
        while (n.signum() > 0
                && uniform(gammaDenominator.multiply(BigInteger.valueOf(k)), bits).compareTo(n)
                        < 0) {
            k++;
        }
        return (k & 1L) == 1L;
    }

    /** Algorithm 1, first branch: {@code γ = n/d ∈ [0, 1]}. */
    private static boolean bernoulliExpMinusAtMostOne(long n, long d, RandomBits bits) {
        long k = 1;
        while (bernoulliOfProduct(n, d, k, bits)) {
            k++;
        }
        return (k & 1L) == 1L;
    }

    /** Bernoulli(n / (d·k)) for {@code 0 <= n <= d·k}, overflow-safe. */
    private static boolean bernoulliOfProduct(long n, long d, long k, RandomBits bits) {
        long m;
        try {
            m = Math.multiplyExact(d, k);
        } catch (ArithmeticException overflow) {
            if (n == 0) {
                return false;
            }
            BigInteger bound = BigInteger.valueOf(d).multiply(BigInteger.valueOf(k));
            return uniform(bound, bits).compareTo(BigInteger.valueOf(n)) < 0;
        }
        return bernoulli(n, m, bits);
    }

    /**
     * Samples {@code Bernoulli(n/m)} exactly: true iff a uniform integer in {@code [0, m)} is below
     * {@code n}.
     *
     * @param n numerator; {@code 0 <= n <= m}
     * @param m denominator; at least 1
     * @param bits the random source
     * @return true with probability exactly {@code n/m}
     */
    static boolean bernoulli(long n, long m, RandomBits bits) {
        if (n <= 0) {
            return false;
        }
        if (n >= m) {
            return true;
        }
        return bits.uniform(m) < n;
    }

    /**
     * A uniform integer in {@code [0, bound)} for a bound beyond the long range, by rejection
     * sampling on bits.
     */
    private static BigInteger uniform(BigInteger bound, RandomBits bits) {
        int bitLength = bound.subtract(BigInteger.ONE).bitLength();
        int longs = (bitLength + 63) / 64;
        while (true) {
            BigInteger candidate = BigInteger.ZERO;
            for (int i = 0; i < longs; i++) {
                candidate =
                        candidate.shiftLeft(64).or(new BigInteger(1, longBytes(bits.nextLong())));
            }
            candidate = candidate.and(BigInteger.ONE.shiftLeft(bitLength).subtract(BigInteger.ONE));
            if (candidate.compareTo(bound) < 0) {
                return candidate;
            }
        }
    }

    private static byte[] longBytes(long value) {
        byte[] out = new byte[Long.BYTES];
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            out[i] = (byte) value;
            value >>>= 8;
        }
        return out;
    }

    private static long gcd(long x, long y) {
        while (y != 0) {
            long r = x % y;
            x = y;
            y = r;
        }
        return x;
    }

    /**
     * The numerator {@code t} of the scale {@code t/s}, in lowest terms.
     *
     * @return at least 1
     */
    public long scaleNumerator() {
        return numerator;
    }

    /**
     * The denominator {@code s} of the scale {@code t/s}, in lowest terms.
     *
     * @return at least 1
     */
    public long scaleDenominator() {
        return denominator;
    }

    /**
     * The scale {@code σ = t/s} as a double (for reporting only).
     *
     * @return {@code (double) t / s}, positive
     */
    @Override
    public double scale() {
        return (double) numerator / denominator;
    }

    /**
     * The ratio {@code a = exp(-1/σ) = exp(-s/t)} of successive probabilities (for reporting and
     * tests only).
     *
     * @return a double in {@code [0, 1)}
     */
    public double a() {
        return Math.exp(-(double) denominator / numerator);
    }

    /**
     * The variance {@code 2a / (1 - a)^2} (for reporting and tests only). {@code 1 - a} is computed
     * as {@code -expm1(-s/t)} to keep precision at large scales.
     *
     * @return the variance in squared output units, non-negative
     */
    public double variance() {
        double a = a();
        double oneMinusA = -Math.expm1(-(double) denominator / numerator);
        return 2.0 * a / (oneMinusA * oneMinusA);
    }

    /**
     * The tail probability {@code P(X >= m) = a^m / (1 + a)} for {@code m >= 1}; by symmetry it is
     * also {@code P(X <= -m)}. Double precision, for calibration and tests only.
     *
     * @param m the threshold; must be at least 1
     * @return a probability in {@code [0, 1/2)}
     * @throws IllegalArgumentException if {@code m < 1} (the message quotes the value)
     */
    @Override
    public double tailProbabilityAtLeast(long m) {
        if (m < 1) {
            throw new IllegalArgumentException("m must be at least 1, but was " + m);
        }
        return Math.exp(-(double) m * denominator / numerator) / (1.0 + a());
    }

    /** {@code "discrete_laplace"}. */
    @Override
    public String name() {
        return "discrete_laplace";
    }

    /**
     * Two distributions are equal iff their scales are equal as rationals.
     *
     * @param other any object
     * @return whether {@code other} is a {@code DiscreteLaplace} with the same scale
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof DiscreteLaplace d
                && d.numerator == numerator
                && d.denominator == denominator;
    }

    /**
     * Consistent with {@link #equals(Object)}.
     *
     * @return a hash of the reduced scale
     */
    @Override
    public int hashCode() {
        return Long.hashCode(numerator) * 31 + Long.hashCode(denominator);
    }

    /**
     * Describes the distribution.
     *
     * @return e.g. {@code "DiscreteLaplace[scale=5/2]"}
     */
    @Override
    public String toString() {
        return "DiscreteLaplace[scale=" + numerator + "/" + denominator + "]";
    }
}
