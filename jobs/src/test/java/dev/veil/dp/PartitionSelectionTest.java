package dev.veil.dp;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PartitionSelectionTest {

    /**
     * Smallest m >= 1 with L·a^m/(1+a) <= delta, solved by hand: m = ceil(scale · ln(L /
     * (delta·(1+a)))).
     */
    private static long expectedThreshold(long k, long l, long c, double scale, double delta) {
        double a = Math.exp(-1 / scale);
        long m = Math.max(1, (long) Math.ceil(scale * Math.log(l / (delta * (1 + a)))));
        return k * c + m;
    }

    @Test
    void thresholdForKnownParameters() {
        // k = 10, L = 2, C = 1, epsilon = 1: scale = L·C/epsilon = 2, a = exp(-1/2).
        // m >= 2·ln(2 / (1e-6·(1 + exp(-1/2)))) = 28.069..., so m = 29 and tau = k·C + m = 10 + 29
        // = 39.
        DiscreteLaplace noise = DiscreteLaplace.forSensitivityAndEpsilon(2, BigDecimal.ONE);
        long tau = PartitionSelection.threshold(10, 2, 1, noise, 1e-6);
        assertThat(tau).isEqualTo(expectedThreshold(10, 2, 1, 2.0, 1e-6)).isEqualTo(39);

        // k = 5, L = 1, C = 3, epsilon = 0.5: scale = 6; m >= 6·ln(1 / (1e-6·(1 + exp(-1/6)))) =
        // 79.21..., so
        // m = 80 and tau = 15 + 80 = 95.
        DiscreteLaplace six = DiscreteLaplace.forSensitivityAndEpsilon(3, new BigDecimal("0.5"));
        assertThat(PartitionSelection.threshold(5, 1, 3, six, 1e-6))
                .isEqualTo(expectedThreshold(5, 1, 3, 6.0, 1e-6))
                .isEqualTo(95);
    }

    @Test
    void thresholdIsTheSmallestThatMeetsDelta() {
        DiscreteLaplace noise = DiscreteLaplace.forSensitivityAndEpsilon(2, BigDecimal.ONE);
        long tau = PartitionSelection.threshold(10, 2, 1, noise, 1e-6);
        double achieved = PartitionSelection.delta(tau, 10, 2, 1, noise);
        assertThat(achieved).isLessThanOrEqualTo(1e-6);
        assertThat(achieved)
                .isCloseTo(
                        2 * Math.exp(-29 / 2.0) / (1 + Math.exp(-0.5)),
                        org.assertj.core.api.Assertions.within(1e-18));
        assertThat(PartitionSelection.delta(tau - 1, 10, 2, 1, noise)).isGreaterThan(1e-6);

        for (long k : new long[] {1, 3, 20}) {
            for (long l : new long[] {1, 4, 50}) {
                for (long c : new long[] {1, 2, 7}) {
                    for (String eps : new String[] {"0.1", "0.5", "1", "2.25"}) {
                        for (double delta : new double[] {1e-3, 1e-6, 1e-9, 1e-12}) {
                            DiscreteLaplace n =
                                    DiscreteLaplace.forSensitivityAndEpsilon(
                                            l * c, new BigDecimal(eps));
                            long t = PartitionSelection.threshold(k, l, c, n, delta);
                            assertThat(t - k * c).isGreaterThanOrEqualTo(1);
                            assertThat(PartitionSelection.delta(t, k, l, c, n))
                                    .isLessThanOrEqualTo(delta);
                            if (t - k * c > 1) {
                                assertThat(PartitionSelection.delta(t - 1, k, l, c, n))
                                        .isGreaterThan(delta);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void marginIsAtLeastOneEvenForLooseDelta() {
        // Tiny noise and a loose delta: m = 1 already satisfies the target, and m >= 1 is required.
        DiscreteLaplace tiny = new DiscreteLaplace(1, 100);
        assertThat(PartitionSelection.threshold(4, 1, 2, tiny, 0.5)).isEqualTo(4 * 2 + 1);
    }

    @Test
    void deltaBelowTheSafeMarginIsCappedAndUsesTheFullTail() {
        DiscreteLaplace noise = new DiscreteLaplace(1, 1);
        double a = Math.exp(-1);
        // m = 0: P(Z >= 0) = 1 - a/(1+a) = 1/(1+a).
        assertThat(PartitionSelection.delta(10, 10, 1, 1, noise))
                .isCloseTo(1 / (1 + a), org.assertj.core.api.Assertions.within(1e-15));
        assertThat(PartitionSelection.delta(10, 10, 3, 1, noise)).isEqualTo(1.0);
        assertThat(PartitionSelection.delta(Long.MIN_VALUE + 10, 10, 1, 1, noise)).isEqualTo(1.0);
    }

    @Test
    void thresholdIsMonotonicInDeltaAndEpsilon() {
        long previous = Long.MIN_VALUE;
        for (double delta : new double[] {0.5, 1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-14, 1e-20}) {
            long t =
                    PartitionSelection.threshold(
                            10,
                            3,
                            2,
                            DiscreteLaplace.forSensitivityAndEpsilon(6, BigDecimal.ONE),
                            delta);
            assertThat(t)
                    .as("smaller delta needs a higher threshold")
                    .isGreaterThanOrEqualTo(previous);
            previous = t;
        }
        previous = Long.MAX_VALUE;
        for (String eps : new String[] {"0.05", "0.1", "0.25", "0.5", "1", "2", "4", "8"}) {
            long t =
                    PartitionSelection.threshold(
                            10,
                            3,
                            2,
                            DiscreteLaplace.forSensitivityAndEpsilon(6, new BigDecimal(eps)),
                            1e-6);
            assertThat(t)
                    .as("larger epsilon (less noise) allows a lower threshold")
                    .isLessThanOrEqualTo(previous);
            previous = t;
        }
    }

    @Test
    void parametersAreValidatedQuotingTheValue() {
        DiscreteLaplace noise = new DiscreteLaplace(2, 1);
        assertThatThrownBy(() -> PartitionSelection.threshold(0, 1, 1, noise, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k must be at least 1, but was 0");
        assertThatThrownBy(() -> PartitionSelection.threshold(1, -2, 1, noise, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPartitions")
                .hasMessageContaining("-2");
        assertThatThrownBy(() -> PartitionSelection.threshold(1, 1, 0, noise, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPerPartition")
                .hasMessageContaining("but was 0");
        assertThatThrownBy(() -> PartitionSelection.threshold(1, 1, 1, null, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("noise");
        for (double bad : new double[] {0.0, -1e-6, 1.0, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> PartitionSelection.threshold(1, 1, 1, noise, bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("delta")
                    .hasMessageContaining(String.valueOf(bad));
        }
        assertThatThrownBy(() -> PartitionSelection.threshold(Long.MAX_VALUE, 1, 2, noise, 1e-6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
        assertThatThrownBy(() -> PartitionSelection.delta(10, 0, 1, 1, noise))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but was 0");
        assertThatThrownBy(() -> PartitionSelection.delta(Long.MIN_VALUE, 10, 1, 1, noise))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit");
    }

    @Test
    void thresholdWithoutExactSuppression_dropsTheKMinusOneTimesC() {
        DiscreteLaplace heatmap = DiscreteLaplace.forSensitivityAndEpsilon(2, new BigDecimal("1"));
        long exact = PartitionSelection.threshold(10, 2, 1, heatmap, 1e-6);
        long noisy = PartitionSelection.thresholdWithoutExactSuppression(10, 2, 1, heatmap, 1e-6);

        assertThat(exact).isEqualTo(39);
        assertThat(noisy).as("C + m with the same m").isEqualTo(exact - 9).isEqualTo(30);
        assertThat(PartitionSelection.deltaWithoutExactSuppression(noisy, 2, 1, heatmap))
                .isLessThanOrEqualTo(1e-6);
        assertThat(PartitionSelection.deltaWithoutExactSuppression(noisy - 1, 2, 1, heatmap))
                .as("the smallest such threshold")
                .isGreaterThan(1e-6);
    }

    @Test
    void thresholdWithoutExactSuppression_neverBelowKTimesC() {
        // ε = 100: m = 1, C + m = 4 < k·C = 30.
        DiscreteLaplace sharp = DiscreteLaplace.forSensitivityAndEpsilon(6, new BigDecimal("100"));
        assertThat(PartitionSelection.threshold(1, 2, 3, sharp, 1e-6)).isEqualTo(4);

        assertThat(PartitionSelection.thresholdWithoutExactSuppression(10, 2, 3, sharp, 1e-6))
                .isEqualTo(30);
    }

    @Test
    void thresholdWithoutExactSuppression_badParameters_rejectedQuotingTheValue() {
        DiscreteLaplace noise = DiscreteLaplace.forSensitivityAndEpsilon(2, new BigDecimal("1"));
        assertThatThrownBy(
                        () ->
                                PartitionSelection.thresholdWithoutExactSuppression(
                                        0, 2, 1, noise, 1e-6))
                .hasMessageContaining("k must be at least 1, but was 0");
        assertThatThrownBy(
                        () ->
                                PartitionSelection.thresholdWithoutExactSuppression(
                                        10, 2, 1, noise, 1.5))
                .hasMessageContaining("1.5");
    }
}
