package dev.veil.dp;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Deterministic tests: every random draw comes from a {@link KeyedRandomBits} with a fixed key and
 * label.
 */
class DiscreteLaplaceTest {

    private static final byte[] KEY =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static KeyedRandomBits bits(String label) {
        return new KeyedRandomBits(KEY, label.getBytes(StandardCharsets.UTF_8));
    }

    private static long[] draw(DiscreteLaplace noise, RandomBits bits, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = noise.sample(bits);
        }
        return out;
    }

    @Test
    void samplesAreIntegers() {
        DiscreteLaplace noise = new DiscreteLaplace(5, 2);
        RandomBits bits = bits("integers");
        for (int i = 0; i < 100; i++) {
            Object boxed = noise.sample(bits);
            assertThat(boxed).isInstanceOf(Long.class);
        }
    }

    @Test
    void sameKeyAndLabelReproduceTheSamplesAndAnotherLabelDoesNot() {
        DiscreteLaplace noise = new DiscreteLaplace(10, 1);
        long[] first = draw(noise, bits("release-1/window-9/cell-3"), 200);
        long[] again = draw(noise, bits("release-1/window-9/cell-3"), 200);
        long[] other = draw(noise, bits("release-1/window-9/cell-4"), 200);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void aAndVarianceMatchClosedFormsForScaleOneAndTwo() {
        DiscreteLaplace one = new DiscreteLaplace(1, 1);
        double a1 = Math.exp(-1.0);
        assertThat(one.scale()).isEqualTo(1.0);
        assertThat(one.a()).isCloseTo(a1, within(1e-15));
        assertThat(one.variance()).isCloseTo(2 * a1 / ((1 - a1) * (1 - a1)), within(1e-12));
        assertThat(one.variance()).isCloseTo(1.8413471884155848, within(1e-12));

        DiscreteLaplace two = new DiscreteLaplace(2, 1);
        double a2 = Math.exp(-0.5);
        assertThat(two.scale()).isEqualTo(2.0);
        assertThat(two.a()).isCloseTo(a2, within(1e-15));
        assertThat(two.variance()).isCloseTo(2 * a2 / ((1 - a2) * (1 - a2)), within(1e-12));
        assertThat(two.variance()).isCloseTo(7.835396178065527, within(1e-12));
    }

    @Test
    void tailProbabilityMatchesClosedFormAndSumOfPmf() {
        DiscreteLaplace noise = new DiscreteLaplace(5, 2);
        double a = Math.exp(-0.4);
        for (long m = 1; m <= 10; m++) {
            double sum = 0;
            for (long x = m; x < m + 2000; x++) {
                sum += (1 - a) / (1 + a) * Math.pow(a, x);
            }
            assertThat(noise.tailProbabilityAtLeast(m))
                    .isCloseTo(Math.pow(a, m) / (1 + a), within(1e-15))
                    .isCloseTo(sum, within(1e-12));
        }
        assertThatThrownBy(() -> noise.tailProbabilityAtLeast(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was 0");
    }

    @Test
    void scaleIsKeptInLowestTerms() {
        DiscreteLaplace noise = new DiscreteLaplace(10, 4);
        assertThat(noise.scaleNumerator()).isEqualTo(5);
        assertThat(noise.scaleDenominator()).isEqualTo(2);
        assertThat(noise.scale()).isEqualTo(2.5);
        assertThat(noise)
                .isEqualTo(new DiscreteLaplace(5, 2))
                .hasSameHashCodeAs(new DiscreteLaplace(5, 2));
        assertThat(noise.toString()).isEqualTo("DiscreteLaplace[scale=5/2]");
    }

    @Test
    void forSensitivityAndEpsilonIsExact() {
        DiscreteLaplace six = DiscreteLaplace.forSensitivityAndEpsilon(3, new BigDecimal("0.5"));
        assertThat(six.scale()).isEqualTo(6.0);
        assertThat(six.scaleNumerator()).isEqualTo(6);
        assertThat(six.scaleDenominator()).isEqualTo(1);

        DiscreteLaplace tenThirds =
                DiscreteLaplace.forSensitivityAndEpsilon(1, new BigDecimal("0.3"));
        assertThat(tenThirds.scaleNumerator()).isEqualTo(10);
        assertThat(tenThirds.scaleDenominator()).isEqualTo(3);

        // Trailing zeros do not count as decimal places; a negative BigDecimal scale (1E+1 = 10) is
        // handled.
        assertThat(DiscreteLaplace.forSensitivityAndEpsilon(2, new BigDecimal("0.50000000000000")))
                .isEqualTo(new DiscreteLaplace(4, 1));
        assertThat(DiscreteLaplace.forSensitivityAndEpsilon(1, new BigDecimal("1E+1")))
                .isEqualTo(new DiscreteLaplace(1, 10));
        assertThat(DiscreteLaplace.forSensitivityAndEpsilon(7, new BigDecimal("0.000000001")))
                .isEqualTo(new DiscreteLaplace(7_000_000_000L, 1));
    }

    @Test
    void badParametersAreRejectedQuotingTheValue() {
        assertThatThrownBy(() -> new DiscreteLaplace(0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scaleNumerator")
                .hasMessageContaining("but was 0");
        assertThatThrownBy(() -> new DiscreteLaplace(-5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was -5");
        assertThatThrownBy(() -> new DiscreteLaplace(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scaleDenominator")
                .hasMessageContaining("but was 0");
        assertThatThrownBy(() -> new DiscreteLaplace(1, -2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was -2");

        assertThatThrownBy(() -> DiscreteLaplace.forSensitivityAndEpsilon(0, BigDecimal.ONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sensitivity")
                .hasMessageContaining("but was 0");
        assertThatThrownBy(() -> DiscreteLaplace.forSensitivityAndEpsilon(-3, BigDecimal.ONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was -3");
        assertThatThrownBy(() -> DiscreteLaplace.forSensitivityAndEpsilon(1, BigDecimal.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epsilon")
                .hasMessageContaining("but was 0");
        assertThatThrownBy(() -> DiscreteLaplace.forSensitivityAndEpsilon(1, new BigDecimal("-1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was -1");
        assertThatThrownBy(
                        () ->
                                DiscreteLaplace.forSensitivityAndEpsilon(
                                        1, new BigDecimal("0.0000000001")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("decimal places")
                .hasMessageContaining("0.0000000001");
        assertThatThrownBy(
                        () ->
                                DiscreteLaplace.forSensitivityAndEpsilon(
                                        1, new BigDecimal("1.2345678901")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.2345678901");
        assertThatThrownBy(() -> DiscreteLaplace.forSensitivityAndEpsilon(1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epsilon");
        assertThatThrownBy(
                        () ->
                                DiscreteLaplace.forSensitivityAndEpsilon(
                                        Long.MAX_VALUE, new BigDecimal("0.1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }

    @Test
    void bernoulliExpMinusOfZeroIsAlwaysTrue() {
        RandomBits bits = bits("gamma-zero");
        for (int i = 0; i < 10_000; i++) {
            assertThat(DiscreteLaplace.bernoulliExpMinus(0, 1, bits)).isTrue();
            assertThat(DiscreteLaplace.bernoulliExpMinus(0, 977, bits)).isTrue();
        }
    }

    @Test
    void bernoulliExpMinusHasTheRightFrequencyOnAFixedStream() {
        // Deterministic (fixed key and label). Both branches of Algorithm 1: gamma <= 1 and gamma >
        // 1.
        long[][] gammas = {{1, 3}, {1, 1}, {5, 2}, {7, 1}};
        int n = 100_000;
        for (long[] gamma : gammas) {
            RandomBits bits = bits("gamma-" + gamma[0] + "/" + gamma[1]);
            int hits = 0;
            for (int i = 0; i < n; i++) {
                if (DiscreteLaplace.bernoulliExpMinus(gamma[0], gamma[1], bits)) {
                    hits++;
                }
            }
            double p = Math.exp(-(double) gamma[0] / gamma[1]);
            double se = Math.sqrt(p * (1 - p) / n);
            assertThat((double) hits / n)
                    .as("gamma %d/%d", gamma[0], gamma[1])
                    .isCloseTo(p, within(5 * se));
        }
        assertThatThrownBy(() -> DiscreteLaplace.bernoulliExpMinus(-1, 1, bits("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> DiscreteLaplace.bernoulliExpMinus(1, 0, bits("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was 0");
    }

    @Test
    void bernoulliOfRationalIsExactAtTheEnds() {
        RandomBits bits = bits("bernoulli");
        for (int i = 0; i < 1000; i++) {
            assertThat(DiscreteLaplace.bernoulli(0, 5, bits)).isFalse();
            assertThat(DiscreteLaplace.bernoulli(5, 5, bits)).isTrue();
        }
    }

    @Test
    void symmetrySmokeTest() {
        DiscreteLaplace noise = new DiscreteLaplace(3, 1);
        long[] xs = draw(noise, bits("symmetry"), 50_000);
        long positive = 0;
        long negative = 0;
        long zero = 0;
        for (long x : xs) {
            if (x > 0) {
                positive++;
            } else if (x < 0) {
                negative++;
            } else {
                zero++;
            }
        }
        double a = noise.a();
        double pZero = (1 - a) / (1 + a);
        // Each side has probability a/(1+a); their difference over n draws has SD sqrt(n·(1 -
        // pZero)).
        assertThat((double) (positive - negative))
                .isCloseTo(0.0, within(5 * Math.sqrt(xs.length * (1 - pZero))));
        assertThat((double) zero / xs.length)
                .isCloseTo(pZero, within(5 * Math.sqrt(pZero * (1 - pZero) / xs.length)));
    }

    @Test
    void largeScalesAreCheap() {
        DiscreteLaplace noise = new DiscreteLaplace(10_000, 1);
        RandomBits bits = bits("large-scale");
        long start = System.nanoTime();
        long[] xs = draw(noise, bits, 20_000);
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        double sumSquares = 0;
        for (long x : xs) {
            sumSquares += (double) x * x;
        }
        // Variance about 2·10^8 (SD about 14,142); the mean square is checked loosely, the point is
        // the run time.
        assertThat(sumSquares / xs.length)
                .isBetween(0.8 * noise.variance(), 1.2 * noise.variance());
        assertThat(elapsedMillis).isLessThan(5_000);
    }

    @Test
    void hugeNumeratorsAndDenominatorsTakeTheOverflowSafePaths() {
        // t and s near 2^62: t·V and t·K overflow a long as soon as V, K >= 2, exercising the
        // BigInteger paths.
        long t = (1L << 62) + 1;
        long s = (1L << 62) - 1;
        DiscreteLaplace noise = new DiscreteLaplace(t, s);
        assertThat(noise.scaleNumerator()).isEqualTo(t);
        assertThat(noise.scaleDenominator()).isEqualTo(s);
        long[] xs = draw(noise, bits("huge"), 20_000);
        long zeros = 0;
        for (long x : xs) {
            assertThat(Math.abs(x)).isLessThan(40);
            if (x == 0) {
                zeros++;
            }
        }
        double pZero = (1 - noise.a()) / (1 + noise.a());
        assertThat((double) zeros / xs.length)
                .isCloseTo(pZero, within(5 * Math.sqrt(pZero * (1 - pZero) / xs.length)));
    }

    @Test
    void tinyScalesAreMostlyZero() {
        // Scale 1/1000: a = exp(-1000), so every draw is 0 (P(X != 0) < 10^-434).
        DiscreteLaplace noise = new DiscreteLaplace(1, 1000);
        assertThat(draw(noise, bits("tiny"), 1000)).containsOnly(0L);
    }
}
