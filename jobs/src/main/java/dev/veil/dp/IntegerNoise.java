package dev.veil.dp;

/**
 * Noise on the integers that a count is published with: the discrete Laplace ({@link
 * DiscreteLaplace}) or the discrete Gaussian ({@link DiscreteGaussian}) distribution, both
 * symmetric around 0 and sampled exactly from a {@link RandomBits} source. {@link
 * PartitionSelection} calibrates the publication threshold against {@link
 * #tailProbabilityAtLeast(long)}.
 *
 * <p><b>Thread-safety:</b> implementations are immutable and thread-safe.
 */
public interface IntegerNoise {

    /**
     * Draws one value.
     *
     * @param bits the random source; for released noise it should satisfy {@link
     *     RandomBits#isCryptographicallySecure(RandomBits)}
     * @return an integer, distributed as the implementation documents
     */
    long sample(RandomBits bits);

    /**
     * {@code P(X >= m)} for {@code m >= 1}, in double precision; for calibration, reporting and
     * tests, never for sampling.
     *
     * @param m at least 1
     * @throws IllegalArgumentException if {@code m < 1}
     */
    double tailProbabilityAtLeast(long m);

    /**
     * The distribution's scale parameter in count units, for reporting: the scale b of the discrete
     * Laplace (P(x) ∝ exp(−|x|/b)), the σ of the discrete Gaussian (P(x) ∝ exp(−x²/(2σ²))).
     */
    double scale();

    /**
     * The name published in release records: {@code "discrete_laplace"} or {@code
     * "discrete_gaussian"}.
     */
    String name();
}
