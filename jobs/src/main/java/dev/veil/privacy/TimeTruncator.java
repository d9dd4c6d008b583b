package dev.veil.privacy;

import java.time.Duration;
import java.util.Objects;

/**
 * Generalises a timestamp to the start of its bucket, for example to the hour. Buckets are aligned
 * with the Unix epoch and, because the granularity divides a day, with every UTC day (a
 * leap-second-free day of 86 400 000 ms, as {@code java.time} and Unix time count).
 *
 * <p>Immutable and thread-safe.
 */
public final class TimeTruncator {

    private static final long DAY_MILLIS = 86_400_000L;

    private final long granularityMillis;

    /**
     * Creates a truncator.
     *
     * @param granularity bucket width: positive, a whole number of milliseconds, at most one day,
     *     and dividing 86 400 000 ms exactly (for example 1 s, 15 min, 1 h, 6 h, 1 day; not 7 min)
     * @throws IllegalArgumentException if the granularity breaks a rule above; the message quotes
     *     it
     * @throws NullPointerException if {@code granularity} is null
     */
    public TimeTruncator(Duration granularity) {
        Objects.requireNonNull(granularity, "granularity");
        if (granularity.isNegative()
                || granularity.isZero()
                || granularity.compareTo(Duration.ofDays(1)) > 0
                || granularity.getNano() % 1_000_000 != 0
                || DAY_MILLIS % granularity.toMillis() != 0) {
            throw new IllegalArgumentException(
                    "granularity must be positive, whole milliseconds, at most one day and"
                            + " divide 86400000 ms exactly, was "
                            + granularity);
        }
        this.granularityMillis = granularity.toMillis();
    }

    /**
     * Floors a timestamp to a multiple of the granularity (towards negative infinity, also before
     * 1970).
     *
     * @param epochMillis milliseconds since 1970-01-01T00:00:00Z
     * @return the start of the bucket in milliseconds since the epoch, at most {@code epochMillis}
     * @throws ArithmeticException if the bucket start is below {@link Long#MIN_VALUE} (only within
     *     one granularity of {@code Long.MIN_VALUE}, some 292 million years before the epoch)
     */
    public long truncate(long epochMillis) {
        return Math.subtractExact(epochMillis, Math.floorMod(epochMillis, granularityMillis));
    }
}
