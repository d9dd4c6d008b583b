package dev.veil.privacy;

import java.util.Locale;
import java.util.Objects;

/**
 * Masks a string, keeping only its last code points, for example {@code "4111111111111111"} to
 * {@code "************1111"} with {@code keepLast} 4.
 *
 * <p>Works on Unicode code points, not {@code char}s, so a character outside the Basic Multilingual
 * Plane (an emoji) is masked as one character and never split into half a surrogate pair. The
 * output has as many code points as the input, which reveals the length. When the input has {@code
 * keepLast} code points or fewer, all of them are masked, since keeping them would reveal the whole
 * value.
 *
 * <p>Immutable and thread-safe.
 */
public final class Masker {

    private final int keepLast;
    private final char maskChar;

    /**
     * Creates a masker.
     *
     * @param keepLast number of trailing code points left visible, 0 or more
     * @param maskChar the replacement character, a BMP character (not a surrogate), for example
     *     {@code '*'}
     * @throws IllegalArgumentException if {@code keepLast} is negative or {@code maskChar} is a
     *     surrogate; the message quotes the bad value
     */
    public Masker(int keepLast, char maskChar) {
        if (keepLast < 0) {
            throw new IllegalArgumentException("keepLast must be 0 or more, was " + keepLast);
        }
        if (Character.isSurrogate(maskChar)) {
            throw new IllegalArgumentException(
                    "maskChar must not be a surrogate, was U+"
                            + Integer.toHexString(maskChar).toUpperCase(Locale.ROOT));
        }
        this.keepLast = keepLast;
        this.maskChar = maskChar;
    }

    /**
     * Masks a value.
     *
     * @param value the value; must not be null
     * @return a string with the same number of code points: {@code maskChar} for all but the last
     *     {@code keepLast} code points, or for all of them if there are no more than {@code
     *     keepLast}
     * @throws NullPointerException if {@code value} is null
     */
    public String mask(String value) {
        Objects.requireNonNull(value, "value");
        int count = value.codePointCount(0, value.length());
        if (count <= keepLast) {
            return String.valueOf(maskChar).repeat(count);
        }
        int keepFrom = value.offsetByCodePoints(value.length(), -keepLast);
        return String.valueOf(maskChar).repeat(count - keepLast) + value.substring(keepFrom);
    }
}
