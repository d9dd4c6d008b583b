package dev.veil.dp;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The discrete Gaussian: parameters built exactly, the sampler's distribution against the exact pmf
 * (fixed key and label, so every build draws the same samples), the tail used for thresholds.
 */
class DiscreteGaussianTest {
    private static final byte[] KEY = "discrete gaussian test key, 32 bytes or more".getBytes();

    private static KeyedRandomBits bits(String label) {
        return new KeyedRandomBits(KEY, label.getBytes(StandardCharsets.UTF_8));
    }

    /** The exact pmf, normalised over a wide range. */
    private static double pmf(double variance, long x) {
        double norm = 0;
        for (long y = -2000; y <= 2000; y++) {
            norm += Math.exp(-(double) y * y / (2 * variance));
        }
        return Math.exp(-(double) x * x / (2 * variance)) / norm;
    }

    @Test
    void varianceFromSensitivityAndRho_isExact() {
        // sigma^2 = Δ²/(2ρ): 2 / 0.06 = 100/3
        DiscreteGaussian g = DiscreteGaussian.forSensitivityAndRho(2, new BigDecimal("0.03"));
        assertThat(g.varianceNumerator()).isEqualTo(100);
        assertThat(g.varianceDenominator()).isEqualTo(3);
        assertThat(g.scale()).isCloseTo(Math.sqrt(100.0 / 3), within(1e-12));
        assertThat(g.name()).isEqualTo("discrete_gaussian");
        assertThat(DiscreteGaussian.forSensitivityAndRho(18, new BigDecimal("0.5")))
                .isEqualTo(new DiscreteGaussian(18, 1));
    }

    @Test
    void refusesOutOfRangeParameters_quotingThem() {
        assertThatThrownBy(() -> DiscreteGaussian.forSensitivityAndRho(2, BigDecimal.ZERO))
                .hasMessageContaining("rho must be positive");
        assertThatThrownBy(() -> new DiscreteGaussian(0, 1)).hasMessageContaining("0/1");
        assertThatThrownBy(() -> new DiscreteGaussian(Long.MAX_VALUE, 1))
                .hasMessageContaining("above the supported");
        assertThatThrownBy(
                        () ->
                                DiscreteGaussian.forSensitivityAndRho(
                                        2, new BigDecimal("0.0000000001")))
                .hasMessageContaining("decimal places");
    }

    @Test
    void samples_followTheExactPmf() {
        for (long[] variance : new long[][] {{4, 1}, {100, 3}, {1, 4}}) {
            DiscreteGaussian g = new DiscreteGaussian(variance[0], variance[1]);
            double v = g.variance();
            RandomBits bits = bits("pmf " + g);
            int n = 60_000;
            int[] counts = new int[41];
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                long x = g.sample(bits);
                sum += x;
                sumSq += (double) x * x;
                if (Math.abs(x) <= 20) {
                    counts[(int) x + 20]++;
                }
            }
            for (int x = -20; x <= 20; x++) {
                double p = pmf(v, x);
                double expected = n * p;
                // five standard deviations of a binomial count, plus one for the rare cells
                double tolerance = 5 * Math.sqrt(n * p * (1 - p)) + 1;
                assertThat((double) counts[x + 20])
                        .as("%s: count of %d", g, x)
                        .isCloseTo(expected, within(tolerance));
            }
            assertThat(sum / n).as("%s: mean", g).isCloseTo(0, within(5 * Math.sqrt(v / n)));
            assertThat(sumSq / n)
                    .as("%s: variance, at most sigma^2", g)
                    .isLessThanOrEqualTo(v * 1.05 + 0.01);
        }
    }

    @Test
    void samples_withAnAcceptanceTestBeyondLongs_haveMeanZeroAndVarianceSigmaSquared() {
        // σ² = 18·10⁹ / 246914: 2·p·q·t² is about 10²⁰, past the long range
        DiscreteGaussian g =
                DiscreteGaussian.forSensitivityAndRho(18, new BigDecimal("0.000123457"));
        assertThat(
                        BigInteger.valueOf(g.varianceNumerator())
                                .multiply(BigInteger.valueOf(g.varianceDenominator()))
                                .bitLength())
                .isGreaterThan(40);
        RandomBits bits = bits("big acceptance");
        int n = 20_000;
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            long x = g.sample(bits);
            sum += x;
            sumSq += (double) x * x;
        }
        double v = g.variance();
        assertThat(sum / n).isCloseTo(0, within(5 * Math.sqrt(v / n)));
        // the variance of the discrete Gaussian is σ² to many digits at this σ (about 270);
        // the sample variance's standard error is about σ²·√(2/n)
        assertThat(sumSq / n).isCloseTo(v, within(5 * v * Math.sqrt(2.0 / n)));
    }

    @Test
    void sameBits_sameDraws() {
        DiscreteGaussian g = new DiscreteGaussian(100, 3);
        RandomBits a = bits("same");
        RandomBits b = bits("same");
        for (int i = 0; i < 100; i++) {
            assertThat(g.sample(a)).isEqualTo(g.sample(b));
        }
    }

    @Test
    void tail_matchesTheExactPmfSum() {
        for (long[] variance : new long[][] {{4, 1}, {100, 3}, {2500, 1}}) {
            DiscreteGaussian g = new DiscreteGaussian(variance[0], variance[1]);
            for (long m : new long[] {1, 3, 10, 25}) {
                double direct = 0;
                for (long x = m; x <= 2000; x++) {
                    direct += pmf(g.variance(), x);
                }
                assertThat(g.tailProbabilityAtLeast(m))
                        .as("%s, P(X >= %d)", g, m)
                        .isCloseTo(direct, within(direct * 1e-9 + 1e-300));
            }
        }
        assertThatThrownBy(() -> new DiscreteGaussian(4, 1).tailProbabilityAtLeast(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bernoulliExpMinus_withNumbersBeyondLongs_hasProbabilityExpMinusGamma() {
        // γ = 3/4 written with 80-bit numerator and denominator: the BigInteger path
        BigInteger scale = BigInteger.ONE.shiftLeft(78);
        BigInteger n = BigInteger.valueOf(3).multiply(scale);
        BigInteger d = BigInteger.valueOf(4).multiply(scale);
        RandomBits bits = bits("bernoulli");
        int trials = 40_000;
        int hits = 0;
        for (int i = 0; i < trials; i++) {
            if (DiscreteLaplace.bernoulliExpMinus(n, d, bits)) {
                hits++;
            }
        }
        double p = Math.exp(-0.75);
        assertThat((double) hits / trials)
                .isCloseTo(p, within(5 * Math.sqrt(p * (1 - p) / trials)));
        // γ = 5/2 in big numbers: the whole part takes two rounds of Bernoulli(exp(-1))
        int hits2 = 0;
        for (int i = 0; i < trials; i++) {
            if (DiscreteLaplace.bernoulliExpMinus(
                    BigInteger.valueOf(5).multiply(scale),
                    BigInteger.valueOf(2).multiply(scale),
                    bits)) {
                hits2++;
            }
        }
        double p2 = Math.exp(-2.5);
        assertThat((double) hits2 / trials)
                .isCloseTo(p2, within(5 * Math.sqrt(p2 * (1 - p2) / trials)));
    }

    @Test
    void partitionSelection_calibratesAgainstTheGaussianTail() {
        DiscreteGaussian g = DiscreteGaussian.forSensitivityAndRho(2, new BigDecimal("0.03"));
        long tau = PartitionSelection.threshold(10, 2, 1, g, 1e-6);
        assertThat(PartitionSelection.delta(tau, 10, 2, 1, g)).isLessThanOrEqualTo(1e-6);
        assertThat(PartitionSelection.delta(tau - 1, 10, 2, 1, g)).isGreaterThan(1e-6);
        // m = τ − k·C satisfies 2·P(Z ≥ m) ≤ 1e-6, about σ·√(2 ln(2e6)) ≈ 31
        assertThat(tau - 10).isBetween(25L, 35L);
    }
}
