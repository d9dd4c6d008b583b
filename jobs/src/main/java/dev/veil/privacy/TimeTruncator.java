package dev.veil.privacy;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * Generalises a timestamp to the start of its bucket, for example to the hour. Buckets are aligned
 * with the Unix epoch and, because the granularity divides a day, with every UTC day (a
 * leap-second-free day of 86 400 000 ms, as {@code java.time} and Unix time count).
 *
 * <p>Given an IANA time zone, buckets are aligned to its local midnight instead, by the rule of
 * {@link TimeGrid}: P1D truncates to the first instant of the local date (days of 23 and 25 h on
 * the days the clocks change), PT1H to the local hour. An hour the clocks repeat stays two buckets:
 * the result is an instant, so in America/Los_Angeles 2021-11-07T01:30-07:00 truncates to 08:00Z
 * and 01:30-08:00 an hour later to 09:00Z.
 *
 * <p>Immutable and thread-safe.
 */
public final class TimeTruncator {

    private static final long DAY_MILLIS = 86_400_000L;

    private final long granularityMillis;

    /** Null for UTC: the arithmetic below, unchanged. */
    private final TimeGrid zoned;

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
        this(granularity, Optional.empty());
    }

    /**
     * Creates a truncator to buckets aligned to a time zone's midnight.
     *
     * @param granularity as for {@link #TimeTruncator(Duration)}
     * @param zone the zone; empty for UTC, which is {@link #TimeTruncator(Duration)}
     * @throws IllegalArgumentException if the granularity breaks a rule of {@link
     *     #TimeTruncator(Duration)}; the message quotes it
     * @throws NullPointerException if an argument is null
     */
    public TimeTruncator(Duration granularity, Optional<ZoneId> zone) {
        Objects.requireNonNull(granularity, "granularity");
        Objects.requireNonNull(zone, "zone");
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
        this.zoned = zone.map(z -> new TimeGrid(granularity, Optional.of(z))).orElse(null);
    }

    /**
     * Floors a timestamp to a multiple of the granularity (towards negative infinity, also before
     * 1970); with a zone, to the start of its {@link TimeGrid} bucket.
     *
     * @param epochMillis milliseconds since 1970-01-01T00:00:00Z
     * @return the start of the bucket in milliseconds since the epoch, at most {@code epochMillis}
     * @throws ArithmeticException if the bucket start is below {@link Long#MIN_VALUE} (only within
     *     one granularity of {@code Long.MIN_VALUE}, some 292 million years before the epoch)
     */
    public long truncate(long epochMillis) {
        if (zoned != null) {
            return zoned.start(epochMillis);
        }
        return Math.subtractExact(epochMillis, Math.floorMod(epochMillis, granularityMillis));
    }
}
