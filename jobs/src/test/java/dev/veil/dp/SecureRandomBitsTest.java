package dev.veil.dp;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The "uses a secure random source" check. */
class SecureRandomBitsTest {

    @Test
    void wrapsAJavaSecuritySecureRandom() {
        SecureRandomBits bits = new SecureRandomBits();
        assertThat(bits.algorithm()).isNotBlank();
        assertThat(bits.secureRandom()).isInstanceOf(SecureRandom.class).isNotNull();
        assertThat(bits.algorithm()).isEqualTo(bits.secureRandom().getAlgorithm());
        assertThat(bits.toString()).isEqualTo("SecureRandomBits[" + bits.algorithm() + "]");
    }

    @Test
    void callerSuppliedSecureRandomIsUsed() throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        SecureRandomBits bits = new SecureRandomBits(random);
        assertThat(bits.secureRandom()).isSameAs(random);
        assertThat(bits.algorithm()).isEqualTo("SHA1PRNG");
        assertThatThrownBy(() -> new SecureRandomBits(null))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void producesVaryingBits() {
        SecureRandomBits bits = new SecureRandomBits();
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(bits.nextLong());
        }
        // A collision among 100 uniform 64-bit values has probability below 3e-16.
        assertThat(seen).hasSize(100);
    }

    @Test
    void onlySecureRandomBitsAndKeyedRandomBitsCountAsCryptographicallySecure() {
        assertThat(RandomBits.isCryptographicallySecure(new SecureRandomBits())).isTrue();
        assertThat(
                        RandomBits.isCryptographicallySecure(
                                new KeyedRandomBits(new byte[32], new byte[0])))
                .isTrue();

        Random insecure = new Random(42);
        RandomBits lambda = insecure::nextLong;
        assertThat(RandomBits.isCryptographicallySecure(lambda)).isFalse();
        SecureRandom secure = new SecureRandom();
        RandomBits secureButUnvetted = secure::nextLong;
        assertThat(RandomBits.isCryptographicallySecure(secureButUnvetted)).isFalse();
        assertThat(RandomBits.isCryptographicallySecure(null)).isFalse();
    }
}
