package dev.veil.privacy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdNormaliserTest {

    private static final byte[] KEY =
            "an-id-normaliser-test-key-32byte".getBytes(StandardCharsets.US_ASCII);

    private Locale savedLocale;

    @BeforeEach
    void saveLocale() {
        savedLocale = Locale.getDefault();
    }

    @AfterEach
    void restoreLocale() {
        Locale.setDefault(savedLocale);
    }

    @Test
    void normalise_caseInsensitiveSpellings_giveOnePseudonym() throws Exception {
        Pseudonymiser p = new Pseudonymiser(KEY);

        String a = p.pseudonymise(IdNormaliser.normalise("Alice", IdKind.CASE_INSENSITIVE, null));
        String b = p.pseudonymise(IdNormaliser.normalise(" alice ", IdKind.CASE_INSENSITIVE, null));
        String c = p.pseudonymise(IdNormaliser.normalise("ALICE\t", IdKind.CASE_INSENSITIVE, null));

        assertThat(a).isEqualTo(b).isEqualTo(c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"José", "Ångström"})
    void normalise_nfdAndNfcSpellings_giveSameString(String word) throws Exception {
        String nfc = Normalizer.normalize(word, Normalizer.Form.NFC);
        String nfd = Normalizer.normalize(word, Normalizer.Form.NFD);
        assertThat(nfd).isNotEqualTo(nfc);

        for (IdKind kind : new IdKind[] {IdKind.CASE_SENSITIVE, IdKind.CASE_INSENSITIVE}) {
            assertThat(IdNormaliser.normalise(nfd, kind, null))
                    .isEqualTo(IdNormaliser.normalise(nfc, kind, null));
        }
        assertThat(IdNormaliser.normalise(nfd, IdKind.CASE_SENSITIVE, null)).isEqualTo(nfc);
    }

    @Test
    void normalise_turkishDefaultLocale_lowerCasesAsRoot() throws Exception {
        Locale.setDefault(new Locale("tr", "TR"));

        assertThat(IdNormaliser.normalise("TITLE", IdKind.CASE_INSENSITIVE, null))
                .isEqualTo("title");
        assertThat(IdNormaliser.normalise("I", IdKind.CASE_INSENSITIVE, null))
                .isEqualTo("i")
                .doesNotContain("ı");
        assertThat(IdNormaliser.normalise("Iİ", IdKind.CASE_INSENSITIVE, null))
                .isEqualTo("Iİ".toLowerCase(Locale.ROOT));
    }

    @Test
    void normalise_caseSensitive_keepsCase() throws Exception {
        assertThat(IdNormaliser.normalise("  AbC-123 ", IdKind.CASE_SENSITIVE, null))
                .isEqualTo("AbC-123");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "+353 87 123 4567",
                "087 123 4567",
                "00353871234567",
                "+353-87-123-4567",
                "(087) 1234567"
            })
    void normalise_irishPhoneSpellings_giveOneE164(String spelling) throws Exception {
        assertThat(IdNormaliser.normalise(spelling, IdKind.PHONE, "IE")).isEqualTo("+353871234567");
    }

    @Test
    void normalise_internationalPhoneWithoutRegion_givesE164() throws Exception {
        assertThat(IdNormaliser.normalise("+353 87 123 4567", IdKind.PHONE, null))
                .isEqualTo("+353871234567");
    }

    @Test
    void normalise_nationalPhoneWithoutRegion_throwsInvalidPhone() {
        assertThatThrownBy(() -> IdNormaliser.normalise("087 123 4567", IdKind.PHONE, null))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("invalid_phone"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not a phone number",
                "12",
                "+353 87 123 4567 8901 2345 6789",
                "@@@",
                "+999 1234567"
            })
    void normalise_garbagePhone_throwsInvalidPhoneWithoutInput(String garbage) {
        assertThatThrownBy(() -> IdNormaliser.normalise(garbage, IdKind.PHONE, "IE"))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("invalid_phone");
                            assertThat(e.getMessage()).doesNotContain(garbage.strip());
                            assertThat(e.toString()).doesNotContain(garbage.strip());
                            assertThat(e.getStackTrace()).isEmpty();
                            assertThat(e.getCause()).isNull();
                        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t\n", "\u2003"})
    void normalise_blank_throwsEmptyId(String blank) {
        for (IdKind kind : IdKind.values()) {
            assertThatThrownBy(() -> IdNormaliser.normalise(blank, kind, "IE"))
                    .isInstanceOfSatisfying(
                            InvalidValueException.class,
                            e -> assertThat(e.reason()).isEqualTo("empty_id"));
        }
    }

    @Test
    void normalise_null_throwsEmptyId() {
        assertThatThrownBy(() -> IdNormaliser.normalise(null, IdKind.CASE_SENSITIVE, null))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("empty_id"));
    }
}
