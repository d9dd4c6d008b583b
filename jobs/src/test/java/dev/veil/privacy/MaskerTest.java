package dev.veil.privacy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaskerTest {

    @Test
    void mask_cardNumberKeepLast4_showsOnlyLast4() {
        assertThat(new Masker(4, '*').mask("4111111111111111")).isEqualTo("************1111");
    }

    @Test
    void mask_keepZero_masksEverything() {
        assertThat(new Masker(0, '#').mask("secret")).isEqualTo("######");
    }

    @Test
    void mask_valueNotLongerThanKeepLast_masksEverything() {
        Masker masker = new Masker(4, '*');

        assertThat(masker.mask("1234")).isEqualTo("****");
        assertThat(masker.mask("12")).isEqualTo("**");
        assertThat(masker.mask("")).isEmpty();
    }

    @Test
    void mask_emoji_countsCodePointsNotChars() {
        String value = "a😀b🎉c"; // 5 code points, 7 chars

        String masked = new Masker(2, '*').mask(value);

        assertThat(masked).isEqualTo("***🎉c");
        assertThat(masked.codePointCount(0, masked.length())).isEqualTo(5);
    }

    @Test
    void mask_keepLastEndsOnEmoji_neverSplitsSurrogatePair() {
        assertThat(new Masker(1, '*').mask("ab😀")).isEqualTo("**😀");
        assertThat(new Masker(1, '*').mask("😀😀")).isEqualTo("*😀");
        assertThat(new Masker(2, '*').mask("😀😀")).isEqualTo("**");
    }

    @Test
    void constructor_negativeKeepLast_throwsQuotingIt() {
        assertThatThrownBy(() -> new Masker(-1, '*'))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
    }

    @Test
    void constructor_surrogateMaskChar_throwsIllegalArgument() {
        assertThatThrownBy(() -> new Masker(2, '\uD83D'))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mask_null_throwsNullPointer() {
        assertThatThrownBy(() -> new Masker(2, '*').mask(null))
                .isInstanceOf(NullPointerException.class);
    }
}
