package dev.veil.dp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The zCDP conversion against an independent implementation of the same bound (the optimal α by
 * bisection on the derivative, as in the reference code of Canonne, Kamath and Steinke 2020) and
 * against Bun and Steinke's simpler bound.
 */
class ZcdpTest {

    /** δ(ε) of ρ-zCDP: the optimal α found where d/dα log δ = (2α − 1)ρ − ε + ln(1 − 1/α) = 0. */
    private static double referenceDelta(double rho, double eps) {
        double lo = 1.0001;
        double hi = (eps + 1) / (2 * rho) + 2;
        double alpha = lo;
        while (hi - lo > 1e-12) {
            alpha = (lo + hi) / 2;
            double derivative = (2 * alpha - 1) * rho - eps + Math.log1p(-1 / alpha);
            if (derivative < 0) {
                lo = alpha;
            } else {
                hi = alpha;
            }
        }
        return Math.exp((alpha - 1) * (alpha * rho - eps) + alpha * Math.log1p(-1 / alpha))
                / (alpha - 1);
    }

    @Test
    void epsilon_isTheSmallestForWhichTheReferenceBoundGivesDelta() {
        for (double rho : new double[] {0.01, 0.125, 0.5, 1.25, 30}) {
            for (double delta : new double[] {1e-9, 1e-6, 1e-3}) {
                double eps = Zcdp.epsilon(rho, delta);
                assertThat(referenceDelta(rho, eps))
                        .as("ρ %s, δ %s: ε %s", rho, delta, eps)
                        .isLessThanOrEqualTo(delta * (1 + 1e-6));
                assertThat(referenceDelta(rho, eps * 0.999))
                        .as("and not much smaller")
                        .isGreaterThan(delta);
                double simple = rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
                assertThat(eps).as("never above Bun and Steinke's bound").isLessThan(simple);
            }
        }
    }

    @Test
    void knownFigures() {
        // ρ = ε²/2 of a pure release; 24 windows of the shipped releases
        assertThat(Zcdp.rhoOfPureDp(1.0)).isEqualTo(0.5);
        assertThat(Zcdp.epsilon(30, 8.32e-4)).isCloseTo(57.23, within(0.01));
        assertThat(Zcdp.epsilon(0, 1e-6)).isZero();
    }

    @Test
    void refusesOutOfRange() {
        assertThatThrownBy(() -> Zcdp.epsilon(-1, 1e-6)).hasMessageContaining("rho");
        assertThatThrownBy(() -> Zcdp.epsilon(1, 0)).hasMessageContaining("delta");
        assertThatThrownBy(() -> Zcdp.rhoOfPureDp(-1)).hasMessageContaining("epsilon");
    }
}
