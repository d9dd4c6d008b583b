package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeTruncatorTest {
    private static final ZoneId LA = ZoneId.of("America/Los_Angeles");

    private static final long T = Instant.parse("2024-03-10T14:37:22.123Z").toEpochMilli();

    @Test
    void truncate_hour_floorsToHourStart() {
        assertThat(new TimeTruncator(Duration.ofHours(1)).truncate(T))
                .isEqualTo(Instant.parse("2024-03-10T14:00:00Z").toEpochMilli());
    }

    @Test
    void truncate_fifteenMinutes_floorsToQuarter() {
        assertThat(new TimeTruncator(Duration.ofMinutes(15)).truncate(T))
                .isEqualTo(Instant.parse("2024-03-10T14:30:00Z").toEpochMilli());
    }

    @Test
    void truncate_day_floorsToUtcMidnight() {
        assertThat(new TimeTruncator(Duration.ofDays(1)).truncate(T))
                .isEqualTo(Instant.parse("2024-03-10T00:00:00Z").toEpochMilli());
    }

    @Test
    void truncate_exactBoundary_isUnchanged() {
        long boundary = Instant.parse("2024-03-10T14:00:00Z").toEpochMilli();

        assertThat(new TimeTruncator(Duration.ofHours(1)).truncate(boundary)).isEqualTo(boundary);
    }

    @Test
    void truncate_negativeEpochMillis_floorsTowardsPast() {
        TimeTruncator hour = new TimeTruncator(Duration.ofHours(1));

        assertThat(hour.truncate(-1L)).isEqualTo(-3_600_000L);
        assertThat(hour.truncate(Instant.parse("1969-07-20T20:17:40Z").toEpochMilli()))
                .isEqualTo(Instant.parse("1969-07-20T20:00:00Z").toEpochMilli());
        assertThat(hour.truncate(-3_600_000L)).isEqualTo(-3_600_000L);
    }

    @Test
    void truncate_extremes_floorOrThrowArithmetic() {
        TimeTruncator second = new TimeTruncator(Duration.ofSeconds(1));

        assertThat(second.truncate(Long.MAX_VALUE))
                .isEqualTo(Long.MAX_VALUE - Long.MAX_VALUE % 1000);
        assertThatThrownBy(() -> second.truncate(Long.MIN_VALUE))
                .isInstanceOf(ArithmeticException.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"PT0S", "-PT1H", "PT7M", "P2D", "PT25H", "PT0.0005S", "PT0.7S", "PT11S"})
    void constructor_badGranularity_throwsQuotingIt(String iso) {
        Duration granularity = Duration.parse(iso);

        assertThatThrownBy(() -> new TimeTruncator(granularity))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + granularity);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "PT0.001S",
                "PT0.25S",
                "PT1S",
                "PT1M",
                "PT5M",
                "PT15M",
                "PT1H",
                "PT6H",
                "PT24H",
                "PT0.128S",
                "PT1.5S"
            })
    void constructor_dayDividingGranularity_isAccepted(String iso) {
        Duration granularity = Duration.parse(iso);
        TimeTruncator truncator = new TimeTruncator(granularity);

        assertThat(truncator.truncate(T) % granularity.toMillis()).isZero();
        assertThat(truncator.truncate(T))
                .isLessThanOrEqualTo(T)
                .isGreaterThan(T - granularity.toMillis());
    }

    @Test
    void truncate_hourInLosAngeles_repeatedHourOnTheFallBackDayGivesTwoInstants() {
        TimeTruncator hour = new TimeTruncator(Duration.ofHours(1), Optional.of(LA));

        // 01:30 PDT and 01:30 PST, an hour apart on 2021-11-07
        assertThat(hour.truncate(Instant.parse("2021-11-07T08:30:00Z").toEpochMilli()))
                .isEqualTo(Instant.parse("2021-11-07T08:00:00Z").toEpochMilli());
        assertThat(hour.truncate(Instant.parse("2021-11-07T09:30:00Z").toEpochMilli()))
                .isEqualTo(Instant.parse("2021-11-07T09:00:00Z").toEpochMilli());
    }

    @Test
    void truncate_hourInLosAngeles_springForwardDayHasNoTwoOClock() {
        TimeTruncator hour = new TimeTruncator(Duration.ofHours(1), Optional.of(LA));

        // 03:30 PDT on 2021-03-14 truncates to 03:00 PDT, 01:30 PST to 01:00 PST
        assertThat(hour.truncate(Instant.parse("2021-03-14T10:30:00Z").toEpochMilli()))
                .isEqualTo(Instant.parse("2021-03-14T10:00:00Z").toEpochMilli());
        assertThat(hour.truncate(Instant.parse("2021-03-14T09:30:00Z").toEpochMilli()))
                .isEqualTo(Instant.parse("2021-03-14T09:00:00Z").toEpochMilli());
    }

    @Test
    void truncate_dayInLosAngeles_localMidnightOnBothChangeDays() {
        TimeTruncator day = new TimeTruncator(Duration.ofDays(1), Optional.of(LA));

        assertThat(day.truncate(Instant.parse("2021-03-15T06:59:59Z").toEpochMilli()))
                .as("23:59:59 PDT on the 23-hour day")
                .isEqualTo(Instant.parse("2021-03-14T08:00:00Z").toEpochMilli());
        assertThat(day.truncate(Instant.parse("2021-11-08T07:59:59Z").toEpochMilli()))
                .as("23:59:59 PST on the 25-hour day")
                .isEqualTo(Instant.parse("2021-11-07T07:00:00Z").toEpochMilli());
    }

    @Test
    void truncate_withoutAZone_sameAsTheUtcConstructor() {
        assertThat(new TimeTruncator(Duration.ofHours(1), Optional.empty()).truncate(T))
                .isEqualTo(new TimeTruncator(Duration.ofHours(1)).truncate(T));
    }
}
