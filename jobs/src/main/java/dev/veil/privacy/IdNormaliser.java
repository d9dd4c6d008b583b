package dev.veil.privacy;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Objects;

/**
 * Canonicalises subject identifiers so that different spellings of one identifier give one
 * pseudonym.
 *
 * <p>Stateless and thread-safe. {@link PhoneNumberUtil} is a thread-safe singleton.
 */
public final class IdNormaliser {

    private static final PhoneNumberUtil PHONE = PhoneNumberUtil.getInstance();

    private IdNormaliser() {}

    /**
     * Returns the canonical form of an identifier.
     *
     * <p>All kinds: Unicode Normalization Form C (UAX #15, {@link Normalizer.Form#NFC}), then
     * leading and trailing white space removed ({@link String#strip()}, i.e. {@link
     * Character#isWhitespace(int)}).
     *
     * <ul>
     *   <li>{@link IdKind#CASE_SENSITIVE}: nothing more.
     *   <li>{@link IdKind#CASE_INSENSITIVE}: lower-cased with {@link Locale#ROOT}, so the JVM
     *       default locale (for example Turkish, where {@code "I"} would become a dotless {@code
     *       "ı"}) never changes the result; the result is NFC again.
     *   <li>{@link IdKind#PHONE}: parsed with libphonenumber ({@link
     *       PhoneNumberUtil#parse(CharSequence, String)}) in {@code defaultRegion}, required to be
     *       a <em>possible</em> number (plausible length for its country, {@link
     *       PhoneNumberUtil#isPossibleNumber(PhoneNumber)}), and formatted as E.164 (ITU-T E.164,
     *       for example {@code "+353871234567"}). Validity ({@code isValidNumber}) is deliberately
     *       not required: it checks allocated number ranges, which rejects test and newly allocated
     *       numbers and changes with metadata updates, which would change pseudonyms. Extensions
     *       are dropped by E.164.
     * </ul>
     *
     * @param raw the identifier as received; may be null (treated as empty)
     * @param kind how to canonicalise; must not be null
     * @param defaultRegion for {@link IdKind#PHONE} only: ISO 3166-1 alpha-2 region (for example
     *     {@code "IE"}) used for numbers written without a {@code +} country code; null means only
     *     international ({@code +}) input is accepted. Ignored for the other kinds.
     * @return the canonical identifier, never empty
     * @throws InvalidValueException reason {@code "empty_id"} if nothing is left after stripping,
     *     reason {@code "invalid_phone"} if a phone number cannot be parsed or is not possible; the
     *     message never contains the input
     * @throws NullPointerException if {@code kind} is null
     */
    public static String normalise(String raw, IdKind kind, String defaultRegion)
            throws InvalidValueException {
        Objects.requireNonNull(kind, "kind");
        String value = raw == null ? "" : Normalizer.normalize(raw, Normalizer.Form.NFC).strip();
        if (value.isEmpty()) {
            throw new InvalidValueException(
                    "empty_id", "identifier is empty after NFC normalisation and stripping");
        }
        switch (kind) {
            case CASE_SENSITIVE:
                return value;
            case CASE_INSENSITIVE:
                String lower = value.toLowerCase(Locale.ROOT);
                // Lower-casing can, rarely, yield a string that is not NFC any more.
                return Normalizer.isNormalized(lower, Normalizer.Form.NFC)
                        ? lower
                        : Normalizer.normalize(lower, Normalizer.Form.NFC);
            case PHONE:
                return phone(value, defaultRegion);
            default:
                throw new AssertionError("unknown IdKind " + kind);
        }
    }

    private static String phone(String value, String defaultRegion) throws InvalidValueException {
        PhoneNumber number;
        try {
            number = PHONE.parse(value, defaultRegion);
        } catch (NumberParseException e) {
            // The library's message may quote the input: report only its error type.
            throw new InvalidValueException(
                    "invalid_phone", "phone number cannot be parsed: " + e.getErrorType());
        }
        if (!PHONE.isPossibleNumber(number)) {
            throw new InvalidValueException(
                    "invalid_phone", "phone number has an impossible length for its country");
        }
        return PHONE.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    }
}
