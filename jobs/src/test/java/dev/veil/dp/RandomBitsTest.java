package dev.veil.dp;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RandomBitsTest {

    /** Replays a fixed list of longs and counts how many were consumed. */
    private static final class Scripted implements RandomBits {
        private final Deque<Long> values;
        int consumed;

        Scripted(Long... values) {
            this.values = new ArrayDeque<>(List.of(values));
        }

        @Override
        public long nextLong() {
            consumed++;
            return values.removeFirst();
        }
    }

    @Test
    void uniformRejectsMaskedValuesAtOrAboveTheBoundInsteadOfReducingModulo() {
        // bound 5: mask is 0b111; 7 and 5 are rejected, 3 is accepted.
        Scripted bits = new Scripted(7L, 5L, 3L);
        assertThat(bits.uniform(5)).isEqualTo(3L);
        assertThat(bits.consumed).isEqualTo(3);
    }

    @Test
    void uniformUsesOnlyTheLowBitsNeeded() {
        // bound 4: mask is 0b11, so the high bits of -1L (all ones) are ignored and 3 is accepted.
        Scripted bits = new Scripted(-1L);
        assertThat(bits.uniform(4)).isEqualTo(3L);
        // bound 2^63 - 1 (Long.MAX_VALUE): mask is 2^63 - 1; Long.MAX_VALUE itself is rejected, 42
        // accepted.
        Scripted big = new Scripted(-1L, 42L);
        assertThat(big.uniform(Long.MAX_VALUE)).isEqualTo(42L);
    }

    @Test
    void uniformOfOneIsZeroWithoutConsumingBits() {
        Scripted bits = new Scripted();
        assertThat(bits.uniform(1)).isZero();
        assertThat(bits.consumed).isZero();
    }

    @Test
    void uniformRejectsBoundsBelowOneQuotingTheValue() {
        Scripted bits = new Scripted();
        assertThatThrownBy(() -> bits.uniform(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
        assertThatThrownBy(() -> bits.uniform(-17))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-17");
    }
}
