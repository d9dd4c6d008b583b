package dev.veil.privacy;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneOffsetTransitionRule;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cuts the time line into consecutive buckets of a length that divides a day, aligned to midnight
 * in UTC or in an IANA time zone: the tumbling windows of the aggregate jobs and the buckets of the
 * {@code truncate_time} field rule. Times are epoch milliseconds UTC.
 *
 * <p><b>Without a zone</b> (UTC) a bucket starts at every multiple of the length since the Unix
 * epoch, {@code floorDiv(t, length) * length}, and every bucket is exactly the length long.
 *
 * <p><b>With a zone</b> a bucket starts at each <em>boundary</em>:
 *
 * <ul>
 *   <li>a length of P1D: the first instant of each local date (local midnight, or the instant the
 *       clocks skip midnight if they do), so a local day is 23 h long on the day the clocks spring
 *       forward an hour and 25 h on the day they fall back;
 *   <li>a shorter length: every instant at which the local clock shows a multiple of the length
 *       since midnight. A wall time that occurs twice (clocks falling back) is two boundaries, one
 *       per occurrence, so a repeated hour is two buckets; a wall time that the clocks skip is
 *       replaced by the instant they skip it.
 * </ul>
 *
 * Each bucket runs from its boundary to the next boundary. Example, America/Los_Angeles, PT1H: on
 * 2021-03-14 the bucket of 01:00 PST (09:00Z) is followed by that of 03:00 PDT (10:00Z), as there
 * is no 02:00 that day, and the local day has 23 buckets; on 2021-11-07 01:00 PDT (08:00Z) and
 * 01:00 PST (09:00Z) start two buckets of one hour each, so 01:30 PDT and 01:30 PST fall apart, and
 * the day has 25. With P1D those two days are one bucket of 23 h and one of 25 h.
 *
 * <p>A bucket holding a change of offset is longer or shorter than the length by the change where
 * the change is not a multiple of the length (Australia/Lord_Howe moves its clocks by 30 minutes:
 * with PT1H, its bucket from 01:00 on the fall-back night is 1.5 h long; on the spring night, when
 * 02:00 becomes 02:30, the buckets from 01:00 and from 02:30 are 1 h and 30 min long). {@link
 * #maxLength} bounds every bucket.
 *
 * <p>Immutable and thread-safe.
 */
public final class TimeGrid implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final long DAY_MILLIS = 86_400_000L;

    private final long lengthMillis;

    /** Null for UTC, the arithmetic path. */
    private final ZoneId zone;

    /**
     * @param length bucket length: positive, whole milliseconds, at most a day and dividing 86 400
     *     000 ms exactly (1 s, 15 min, 1 h, 6 h, 1 day; not 7 min)
     * @param zone the time zone whose local midnight the buckets are aligned to; empty for UTC. A
     *     zone that is always UTC ({@code UTC}, {@code Etc/UTC}, {@code GMT}) is UTC: the same
     *     buckets, and no zone on records or in the privacy ledger's count
     * @throws IllegalArgumentException if the length breaks a rule above; the message quotes it
     * @throws NullPointerException if an argument is null
     */
    public TimeGrid(Duration length, Optional<ZoneId> zone) {
        Objects.requireNonNull(length, "length");
        Objects.requireNonNull(zone, "zone");
        if (length.isNegative()
                || length.isZero()
                || length.compareTo(Duration.ofDays(1)) > 0
                || length.getNano() % 1_000_000 != 0
                || DAY_MILLIS % length.toMillis() != 0) {
            throw new IllegalArgumentException(
                    "length must be positive, whole milliseconds, at most one day and"
                            + " divide 86400000 ms exactly, was "
                            + length);
        }
        this.lengthMillis = length.toMillis();
        this.zone = zone.filter(z -> !alwaysUtc(z)).orElse(null);
    }

    private static boolean alwaysUtc(ZoneId z) {
        return z.getRules().isFixedOffset()
                && z.getRules().getOffset(Instant.EPOCH).equals(ZoneOffset.UTC);
    }

    /** UTC buckets of the length, as {@link #TimeGrid(Duration, Optional)}. */
    public static TimeGrid utc(Duration length) {
        return new TimeGrid(length, Optional.empty());
    }

    /** The nominal bucket length: that of every bucket in UTC, of most in a zone. */
    public Duration length() {
        return Duration.ofMillis(lengthMillis);
    }

    /** The zone the buckets are aligned to; empty for UTC. */
    public Optional<ZoneId> zone() {
        return Optional.ofNullable(zone);
    }

    /**
     * The start of the bucket holding an instant.
     *
     * @param t epoch milliseconds UTC
     * @return the latest boundary at or before {@code t}, epoch milliseconds UTC; in UTC, as the
     *     aggregate jobs always computed it, {@code floorDiv(t, length) * length}, which wraps
     *     around within one length of {@code Long.MIN_VALUE} (an event time some 292 million years
     *     ago)
     */
    public long start(long t) {
        if (zone == null) {
            return Math.floorDiv(t, lengthMillis) * lengthMillis;
        }
        long latest = wallBoundary(t);
        // A repeated stretch that begins between two boundaries can hold a later boundary than
        // the wall time's own (PT90M in Los Angeles on the fall-back day): step on to the last
        // boundary at or before t, so that start and end always agree.
        for (long e = end(latest); e <= t; e = end(e)) {
            latest = e;
        }
        return latest;
    }

    /**
     * The latest boundary at or before {@code t} of the wall time {@code t} shows, truncated to the
     * length: {@code t}'s bucket start except in a repeated stretch that holds a later boundary
     * ({@link #start} steps on from it). {@code t} itself when {@code t} is a boundary.
     */
    private long wallBoundary(long t) {
        ZonedDateTime at = Instant.ofEpochMilli(t).atZone(zone);
        LocalDate date = at.toLocalDate();
        if (lengthMillis == DAY_MILLIS) {
            return date.atStartOfDay(zone).toInstant().toEpochMilli();
        }
        long timeOfDay = at.toLocalTime().toNanoOfDay() / 1_000_000;
        LocalDateTime wall =
                date.atTime(
                        LocalTime.ofNanoOfDay((timeOfDay - timeOfDay % lengthMillis) * 1_000_000));
        ZoneRules rules = zone.getRules();
        List<ZoneOffset> offsets = rules.getValidOffsets(wall);
        if (offsets.isEmpty()) {
            // skipped by the clocks: the boundary is the skip, which t (not in a gap) is after
            return rules.getTransition(wall).getInstant().toEpochMilli();
        }
        long latest = Long.MIN_VALUE;
        for (ZoneOffset offset : offsets) {
            long b = wall.toInstant(offset).toEpochMilli();
            if (b <= t) {
                latest = Math.max(latest, b);
            }
        }
        return latest;
    }

    /**
     * The end of the bucket starting at {@code start}, which is also the start of the next bucket.
     *
     * @param start a bucket start ({@link #start}), epoch milliseconds UTC
     * @return the earliest boundary after {@code start}, epoch milliseconds UTC; in UTC {@code
     *     start + length}, which wraps around within one length of {@code Long.MAX_VALUE}: a window
     *     there is released at once (late), as it always was, rather than failing the job
     */
    public long end(long start) {
        if (zone == null) {
            return start + lengthMillis;
        }
        ZoneRules rules = zone.getRules();
        long x = start;
        while (true) {
            // Until the next change of offset the clock runs evenly: the next boundary is where it
            // reaches the next multiple of the length (for P1D the next midnight).
            Instant at = Instant.ofEpochMilli(x);
            long timeOfDay = at.atZone(zone).toLocalTime().toNanoOfDay() / 1_000_000;
            long even = x + (timeOfDay / lengthMillis + 1) * lengthMillis - timeOfDay;
            ZoneOffsetTransition change = rules.nextTransition(at);
            if (change == null || change.getInstant().toEpochMilli() > even) {
                if (wallBoundary(even) == even) {
                    return even;
                }
                x = even;
            } else {
                long c = change.getInstant().toEpochMilli();
                if (wallBoundary(c) == c) {
                    return c;
                }
                x = c;
            }
        }
    }

    /**
     * The longest a bucket can be: the length, plus in a zone the largest step by which its clocks
     * have ever been or are scheduled to be set back (a repeated span falls into one bucket when
     * the change is not a multiple of the length). Bounds how many key epochs one bucket can
     * overlap.
     */
    public Duration maxLength() {
        if (zone == null) {
            return length();
        }
        ZoneRules rules = zone.getRules();
        long back = 0;
        for (ZoneOffsetTransition t : rules.getTransitions()) {
            back = Math.max(back, -t.getDuration().toMillis());
        }
        for (ZoneOffsetTransitionRule r : rules.getTransitionRules()) {
            back =
                    Math.max(
                            back,
                            (r.getOffsetBefore().getTotalSeconds()
                                            - r.getOffsetAfter().getTotalSeconds())
                                    * 1000L);
        }
        return Duration.ofMillis(lengthMillis + back);
    }

    /**
     * An instant as the zone's local date-time with its offset, RFC 3339 with seconds, for example
     * {@code 2021-11-07T01:00:00-08:00}; in UTC {@code ...Z}.
     *
     * @param t epoch milliseconds UTC
     */
    public String local(long t) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
                Instant.ofEpochMilli(t)
                        .atZone(zone == null ? ZoneOffset.UTC : zone)
                        .toOffsetDateTime());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TimeGrid
                && ((TimeGrid) o).lengthMillis == lengthMillis
                && Objects.equals(((TimeGrid) o).zone, zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(lengthMillis, zone);
    }

    @Override
    public String toString() {
        return length() + (zone == null ? " UTC" : " " + zone.getId());
    }
}
