package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Buckets aligned to local midnight, pinned on the 2021 daylight saving changes of
 * America/Los_Angeles: spring forward 2021-03-14 02:00 PST to 03:00 PDT (10:00Z), fall back
 * 2021-11-07 02:00 PDT to 01:00 PST (09:00Z).
 */
class TimeGridTest {
    private static final ZoneId LA = ZoneId.of("America/Los_Angeles");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);

    private static long t(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static String iso(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    private static TimeGrid grid(Duration length, String zone) {
        return new TimeGrid(length, Optional.of(ZoneId.of(zone)));
    }

    /** The bucket starts from the one holding {@code from} up to (excluding) {@code until}. */
    private static List<String> starts(TimeGrid g, String from, String until) {
        List<String> out = new ArrayList<>();
        for (long s = g.start(t(from)); s < t(until); s = g.end(s)) {
            out.add(iso(s));
        }
        return out;
    }

    @Test
    void springForward_hourAfterOnePstIsThreePdt_noBucketForTwo() {
        TimeGrid g = grid(HOUR, "America/Los_Angeles");

        // 01:00 PST = 09:00Z; 03:00 PDT = 10:00Z
        assertThat(starts(g, "2021-03-14T08:00:00Z", "2021-03-14T12:00:00Z"))
                .containsExactly(
                        "2021-03-14T08:00:00Z",
                        "2021-03-14T09:00:00Z",
                        "2021-03-14T10:00:00Z",
                        "2021-03-14T11:00:00Z");
        assertThat(g.end(t("2021-03-14T09:00:00Z"))).isEqualTo(t("2021-03-14T10:00:00Z"));
        assertThat(g.local(t("2021-03-14T09:00:00Z"))).isEqualTo("2021-03-14T01:00:00-08:00");
        assertThat(g.local(t("2021-03-14T10:00:00Z"))).isEqualTo("2021-03-14T03:00:00-07:00");
        // 01:59:59.999 PST is still the 01:00 bucket, the next millisecond is 03:00 PDT
        assertThat(g.start(t("2021-03-14T09:59:59.999Z"))).isEqualTo(t("2021-03-14T09:00:00Z"));
        assertThat(g.start(t("2021-03-14T10:00:00Z"))).isEqualTo(t("2021-03-14T10:00:00Z"));
    }

    @Test
    void springForward_localDayHas23HourBuckets() {
        TimeGrid g = grid(HOUR, "America/Los_Angeles");

        // local midnight 00:00 PST = 08:00Z; next local midnight 00:00 PDT = 07:00Z next day
        List<String> day = starts(g, "2021-03-14T08:00:00Z", "2021-03-15T07:00:00Z");

        assertThat(day).hasSize(23);
        assertThat(day).noneMatch(start -> g.local(t(start)).contains("T02:"));
        assertThat(day.get(0)).isEqualTo("2021-03-14T08:00:00Z");
        assertThat(day.get(22)).isEqualTo("2021-03-15T06:00:00Z");
    }

    @Test
    void fallBack_repeatedOneOClockIsTwoBucketsOfAnHourEach() {
        TimeGrid g = grid(HOUR, "America/Los_Angeles");
        long pdt = t("2021-11-07T08:00:00Z"); // 01:00 PDT
        long pst = t("2021-11-07T09:00:00Z"); // 01:00 PST

        assertThat(g.start(t("2021-11-07T08:30:00Z"))).as("01:30 PDT").isEqualTo(pdt);
        assertThat(g.start(t("2021-11-07T09:30:00Z"))).as("01:30 PST").isEqualTo(pst);
        assertThat(g.end(pdt)).isEqualTo(pst);
        assertThat(g.end(pst)).isEqualTo(t("2021-11-07T10:00:00Z")).as("02:00 PST");
        assertThat(g.local(pdt)).isEqualTo("2021-11-07T01:00:00-07:00");
        assertThat(g.local(pst)).isEqualTo("2021-11-07T01:00:00-08:00");
    }

    @Test
    void fallBack_localDayHas25HourBuckets() {
        TimeGrid g = grid(HOUR, "America/Los_Angeles");

        // 00:00 PDT = 07:00Z; next local midnight 00:00 PST = 08:00Z next day
        List<String> day = starts(g, "2021-11-07T07:00:00Z", "2021-11-08T08:00:00Z");

        assertThat(day).hasSize(25).doesNotHaveDuplicates();
        assertThat(day).contains("2021-11-07T08:00:00Z", "2021-11-07T09:00:00Z");
        assertThat(g.end(t(day.get(24)))).isEqualTo(t("2021-11-08T08:00:00Z"));
    }

    @Test
    void dayBuckets_are23And25HoursOnTheChangeDays_24Otherwise() {
        TimeGrid g = grid(DAY, "America/Los_Angeles");

        long spring = g.start(t("2021-03-14T20:00:00Z"));
        assertThat(iso(spring)).isEqualTo("2021-03-14T08:00:00Z");
        assertThat(Duration.ofMillis(g.end(spring) - spring)).isEqualTo(Duration.ofHours(23));
        assertThat(g.local(g.end(spring))).isEqualTo("2021-03-15T00:00:00-07:00");

        long autumn = g.start(t("2021-11-07T09:30:00Z"));
        assertThat(iso(autumn)).isEqualTo("2021-11-07T07:00:00Z");
        assertThat(Duration.ofMillis(g.end(autumn) - autumn)).isEqualTo(Duration.ofHours(25));
        assertThat(g.start(t("2021-11-08T07:59:59.999Z"))).as("23:59:59.999 PST").isEqualTo(autumn);

        long plain = g.start(t("2021-11-09T12:00:00Z"));
        assertThat(iso(plain)).isEqualTo("2021-11-09T08:00:00Z");
        assertThat(g.end(plain) - plain).isEqualTo(DAY.toMillis());
    }

    @Test
    void dublin_plainDayInSummer_startsAtLocalMidnightWithTheSummerOffset() {
        TimeGrid day = grid(DAY, "Europe/Dublin");
        TimeGrid hour = grid(HOUR, "Europe/Dublin");

        long start = day.start(t("2021-07-01T12:00:00Z"));
        assertThat(iso(start)).isEqualTo("2021-06-30T23:00:00Z");
        assertThat(day.end(start) - start).isEqualTo(DAY.toMillis());
        assertThat(day.local(start)).isEqualTo("2021-07-01T00:00:00+01:00");
        assertThat(starts(hour, "2021-06-30T23:00:00Z", "2021-07-01T23:00:00Z")).hasSize(24);
    }

    @ParameterizedTest
    @CsvSource({
        "PT15M, 2021-11-07T09:52:13.456Z",
        "PT1H, -0.001",
        "PT6H, 2021-03-14T09:59:59.999Z",
        "P1D, 1969-12-31T23:59:59.999Z"
    })
    void withoutAZone_floorDivOfTheLength(String length, String instant) {
        Duration d = Duration.parse(length);
        long at = instant.startsWith("-") ? -1 : t(instant);
        TimeGrid utc = new TimeGrid(d, Optional.empty());

        long start = utc.start(at);

        assertThat(start).isEqualTo(Math.floorDiv(at, d.toMillis()) * d.toMillis());
        assertThat(utc.end(start)).isEqualTo(start + d.toMillis());
        assertThat(utc.local(start)).endsWith("Z");
    }

    @Test
    void utcZoneByName_sameBucketsAsWithoutAZone() {
        TimeGrid named = grid(HOUR, "UTC");
        TimeGrid none = TimeGrid.utc(HOUR);

        for (long at = t("2021-03-13T00:00:00Z"); at < t("2021-03-16T00:00:00Z"); at += 599_999) {
            assertThat(named.start(at)).isEqualTo(none.start(at));
        }
    }

    /**
     * Every instant lies in exactly one bucket: start ≤ t < end, the next bucket starts where this
     * one ends, and bucket lengths stay within (0, maxLength]; across both 2021 changes of zones
     * that shift by an hour, by 30 minutes, at midnight, and one that skipped a whole day.
     */
    @ParameterizedTest
    @CsvSource({
        "America/Los_Angeles, PT1H, 2021-03-13T00:00:00Z, 2021-03-16T00:00:00Z",
        "America/Los_Angeles, PT1H, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "America/Los_Angeles, PT2H, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "America/Los_Angeles, PT15M, 2021-03-13T00:00:00Z, 2021-03-16T00:00:00Z",
        "America/Los_Angeles, PT90M, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "America/Los_Angeles, PT90M, 2021-03-13T00:00:00Z, 2021-03-16T00:00:00Z",
        "America/Los_Angeles, PT18M, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "America/Los_Angeles, PT36M, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "Australia/Lord_Howe, PT20M, 2021-04-03T00:00:00Z, 2021-04-06T00:00:00Z",
        "Australia/Lord_Howe, PT90M, 2021-10-02T00:00:00Z, 2021-10-05T00:00:00Z",
        "Australia/Lord_Howe, PT1H, 2021-04-03T00:00:00Z, 2021-04-06T00:00:00Z",
        "Australia/Lord_Howe, PT1H, 2021-10-02T00:00:00Z, 2021-10-05T00:00:00Z",
        "America/Havana, PT1H, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "America/Havana, P1D, 2021-11-06T00:00:00Z, 2021-11-09T00:00:00Z",
        "America/Santiago, P1D, 2021-04-03T00:00:00Z, 2021-04-06T00:00:00Z",
        "America/Santiago, PT1H, 2021-09-04T00:00:00Z, 2021-09-07T00:00:00Z",
        "Pacific/Apia, P1D, 2011-12-28T00:00:00Z, 2012-01-02T00:00:00Z"
    })
    void everyInstant_inExactlyOneBucket(String zone, String length, String from, String until) {
        TimeGrid g = grid(Duration.parse(length), zone);
        long max = g.maxLength().toMillis();

        for (long at = t(from); at < t(until); at += 60_000) {
            long start = g.start(at);
            long end = g.end(start);
            assertThat(start).as("start of %s", iso(at)).isLessThanOrEqualTo(at);
            assertThat(end).as("end of the bucket of %s", iso(at)).isGreaterThan(at);
            assertThat(end - start).isLessThanOrEqualTo(max);
            assertThat(g.start(end)).as("the next bucket starts at the end").isEqualTo(end);
            assertThat(g.start(end - 1)).isEqualTo(start);
        }
    }

    @Test
    void lordHowe_halfHourFallBack_bucketHoldingItIsHalfAnHourLonger() {
        // 2021-04-04 02:00 +11:00 back to 01:30 +10:30 (15:00Z)
        TimeGrid g = grid(HOUR, "Australia/Lord_Howe");
        long start = g.start(t("2021-04-03T15:10:00Z"));

        assertThat(g.local(start)).isEqualTo("2021-04-04T01:00:00+11:00");
        assertThat(Duration.ofMillis(g.end(start) - start)).isEqualTo(Duration.ofMinutes(90));
        assertThat(g.maxLength()).isGreaterThanOrEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void invalidLength_refusedQuotingIt() {
        assertThatThrownBy(() -> new TimeGrid(Duration.ofMinutes(7), Optional.of(LA)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was PT7M");
    }

    @Test
    void serialised_andBack_sameBuckets() throws Exception {
        TimeGrid g = grid(HOUR, "America/Los_Angeles");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(g);
        }
        Object back;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = in.readObject();
        }

        assertThat(back).isEqualTo(g);
        assertThat(((TimeGrid) back).start(t("2021-11-07T09:30:00Z")))
                .isEqualTo(t("2021-11-07T09:00:00Z"));
    }

    @Test
    void zonesThatAreAlwaysUtc_areUtc() {
        for (String z : new String[] {"UTC", "Etc/UTC", "GMT", "Etc/GMT"}) {
            TimeGrid g = new TimeGrid(Duration.ofHours(1), Optional.of(ZoneId.of(z)));
            assertThat(g.zone()).as(z).isEmpty();
            assertThat(g).isEqualTo(TimeGrid.utc(Duration.ofHours(1)));
        }
        assertThat(
                        new TimeGrid(Duration.ofHours(1), Optional.of(ZoneId.of("Europe/London")))
                                .zone())
                .isPresent();
    }
}
