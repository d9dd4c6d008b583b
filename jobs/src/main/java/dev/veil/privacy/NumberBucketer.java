package dev.veil.privacy;

/**
 * Generalises a number to the lower bound of its bucket: buckets {@code [origin + k*width, origin +
 * (k+1)*width)} for every integer {@code k}, for example ages in 10-year bands with width 10 and
 * origin 0.
 *
 * <p>IEEE 754 double arithmetic: the bound is computed as {@code origin + floor((value - origin) /
 * width) * width}, so a value on a bucket edge that is not exactly representable (for example 0.3
 * with width 0.1) may fall into the lower neighbour bucket. Use widths and origins that are exact
 * binary fractions (integers, 0.5, 0.25) where edges matter.
 *
 * <p>Immutable and thread-safe.
 */
public final class NumberBucketer {

    private final double width;
    private final double origin;

    /**
     * Creates a bucketer.
     *
     * @param width bucket width, finite and greater than 0, in the unit of the values
     * @param origin a bucket edge, finite, in the unit of the values
     * @throws IllegalArgumentException if {@code width} or {@code origin} breaks a rule above; the
     *     message quotes it
     */
    public NumberBucketer(double width, double origin) {
        if (!(width > 0.0) || Double.isInfinite(width)) {
            throw new IllegalArgumentException(
                    "width must be finite and greater than 0, was " + width);
        }
        if (!Double.isFinite(origin)) {
            throw new IllegalArgumentException("origin must be finite, was " + origin);
        }
        this.width = width;
        this.origin = origin;
    }

    /**
     * Returns the lower bound of the bucket that contains a value.
     *
     * @param value the value, finite
     * @return {@code origin + floor((value - origin) / width) * width}
     * @throws InvalidValueException reason {@code "invalid_number"} if {@code value} is NaN or
     *     infinite, or the bound overflows the double range; the message never contains the value
     */
    public double lowerBound(double value) throws InvalidValueException {
        if (!Double.isFinite(value)) {
            throw new InvalidValueException("invalid_number", "value is not a finite number");
        }
        double bound = origin + Math.floor((value - origin) / width) * width;
        if (!Double.isFinite(bound)) {
            throw new InvalidValueException(
                    "invalid_number", "bucket bound overflows the double range");
        }
        return bound;
    }
}
