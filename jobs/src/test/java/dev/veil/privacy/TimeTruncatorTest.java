package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeTruncatorTest {

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
}
