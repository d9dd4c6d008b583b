package dev.veil.privacy;

import org.apache.commons.codec.binary.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PseudonymiserTest {

    private static final byte[] KEY_A =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY_B =
            "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

    private static String repeat(String hexByte, int times) {
        return hexByte.repeat(times);
    }

    /** RFC 4231 section 4, HMAC-SHA-256 known answers; key, data and output in hex. */
    @ParameterizedTest(name = "RFC 4231 test case {0}")
    @CsvSource({
        "1, 0b*20, 4869205468657265, b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "2, 4a656665, 7768617420646f2079612077616e7420666f72206e6f7468696e673f,"
                + " 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "3, aa*20, dd*50, 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        "4, 0102030405060708090a0b0c0d0e0f10111213141516171819, cd*50,"
                + " 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        "6, aa*131, 54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579"
                + "204669727374, 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "7, aa*131, 5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b"
                + "657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e656564"
                + "7320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f72"
                + "6974686d2e, 9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
    })
    void hmac_rfc4231Vector_matchesFullOutput(
            int testCase, String key, String data, String expected) throws Exception {
        byte[] mac =
                new Pseudonymiser(Hex.decodeHex(expand(key))).hmac(Hex.decodeHex(expand(data)));

        assertThat(mac).hasSize(32);
        assertThat(Hex.encodeHexString(mac)).isEqualTo(expected);
    }

    /** RFC 4231 test case 5 specifies only the first 128 bits. */
    @Test
    void hmac_rfc4231Case5Truncated_matchesFirst16Bytes() throws Exception {
        byte[] mac =
                new Pseudonymiser(Hex.decodeHex(repeat("0c", 20)))
                        .hmac("Test With Truncation".getBytes(StandardCharsets.US_ASCII));

        assertThat(Hex.encodeHexString(Arrays.copyOf(mac, 16)))
                .isEqualTo("a3b6167473100ee06e0c796c2955552b");
    }

    @Test
    void hmac_calledRepeatedly_reusesMacWithoutCarryingState() {
        Pseudonymiser p = new Pseudonymiser(KEY_A);
        byte[] first = p.hmac(new byte[] {1, 2, 3});
        p.hmac(new byte[] {9});

        assertThat(p.hmac(new byte[] {1, 2, 3})).isEqualTo(first);
    }

    @Test
    void pseudonymise_sameKeySameId_samePseudonym() {
        assertThat(new Pseudonymiser(KEY_A).pseudonymise("alice@example.com"))
                .isEqualTo(new Pseudonymiser(KEY_A.clone()).pseudonymise("alice@example.com"));
    }

    @Test
    void pseudonymise_differentKey_differentPseudonym() {
        assertThat(new Pseudonymiser(KEY_A).pseudonymise("alice@example.com"))
                .isNotEqualTo(new Pseudonymiser(KEY_B).pseudonymise("alice@example.com"));
    }

    @Test
    void pseudonymise_differentId_differentPseudonym() {
        Pseudonymiser p = new Pseudonymiser(KEY_A);

        assertThat(p.pseudonymise("alice")).isNotEqualTo(p.pseudonymise("bob"));
    }

    @Test
    void pseudonymise_anyId_is64LowerHexChars() {
        Pseudonymiser p = new Pseudonymiser(KEY_A);

        assertThat(p.pseudonymise("Ångström")).matches("[0-9a-f]{64}");
        assertThat(p.pseudonymise("")).matches("[0-9a-f]{64}");
    }

    @Test
    void pseudonymise_utf8Id_isHmacOfUtf8Bytes() {
        Pseudonymiser p = new Pseudonymiser(KEY_A);

        assertThat(p.pseudonymise("José"))
                .isEqualTo(Hex.encodeHexString(p.hmac("José".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void toString_always_showsNoKeyMaterial() {
        String text = new Pseudonymiser(KEY_A).toString();

        assertThat(text)
                .doesNotContain(new String(KEY_A, StandardCharsets.US_ASCII))
                .doesNotContain(Hex.encodeHexString(KEY_A))
                .doesNotContain(Base64.getEncoder().encodeToString(KEY_A))
                .doesNotContain("0123");
    }

    @Test
    void constructor_nullOrEmptyKey_throwsIllegalArgument() {
        assertThatThrownBy(() -> new Pseudonymiser(null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Pseudonymiser(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void class_notSerializable_keyCannotLeakIntoJobGraph() {
        assertThat(Serializable.class.isAssignableFrom(Pseudonymiser.class)).isFalse();
    }

    /** "aa*20" means the byte aa twenty times; anything else is literal hex. */
    private static String expand(String spec) {
        int star = spec.indexOf('*');
        return star < 0
                ? spec
                : repeat(spec.substring(0, star), Integer.parseInt(spec.substring(star + 1)));
    }

    @Test
    void pseudonymiseCompact_isTheSameHmacInUnpaddedBase64Url() {
        Pseudonymiser p = new Pseudonymiser(KEY_A);
        String compact = p.pseudonymiseCompact("alice@example.com");

        assertThat(compact).hasSize(43).matches("[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(compact))
                .isEqualTo(p.hmac("alice@example.com".getBytes(StandardCharsets.UTF_8)));
    }
}
