package dev.veil.privacy;

/**
 * How {@link IdNormaliser} canonicalises an identifier before it is pseudonymised, so that
 * spellings of one subject give one pseudonym.
 */
public enum IdKind {
    /**
     * Unicode NFC and surrounding white space stripped; case is significant (for example opaque
     * account ids).
     */
    CASE_SENSITIVE,
    /**
     * As {@link #CASE_SENSITIVE}, then lower-cased with {@link java.util.Locale#ROOT} (for example
     * e-mail addresses, user names).
     */
    CASE_INSENSITIVE,
    /**
     * A telephone number, canonicalised to E.164 ({@code +} country code and national number,
     * digits only).
     */
    PHONE
}
