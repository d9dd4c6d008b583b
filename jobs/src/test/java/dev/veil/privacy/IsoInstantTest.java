package dev.veil.privacy;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fast ISO-8601 path gives exactly what java.time gives, and leaves everything else to it. */
class IsoInstantTest {
    @Test
    void randomInstants_parseAndFormatAsJavaTimeDoes() {
        Random r = new Random(5);
        for (int i = 0; i < 200_000; i++) {
            long millis = (long) (r.nextDouble() * 253_402_300_799_999L);
            if (i % 3 == 0) {
                millis -= millis % 1000;
            }
            String text = Instant.ofEpochMilli(millis).toString();
            assertThat(IsoInstant.format(millis)).isEqualTo(text);
            assertThat(IsoInstant.parseMillis(text)).as(text).isEqualTo(millis);
        }
    }

    @Test
    void fractionsOfEveryLength_truncateToTheMillisecondAsJavaTimeDoes() {
        for (String s :
                new String[] {
                    "2026-11-28T09:15:30.1Z",
                    "2026-11-28T09:15:30.12Z",
                    "2026-11-28T09:15:30.123Z",
                    "2026-11-28T09:15:30.1234Z",
                    "2026-11-28T09:15:30.123456789Z",
                    "2024-02-29T23:59:59.999999999Z",
                    "1970-01-01T00:00:00Z",
                    "9999-12-31T23:59:59.999Z"
                }) {
            assertThat(IsoInstant.parseMillis(s)).as(s).isEqualTo(Instant.parse(s).toEpochMilli());
        }
    }

    @Test
    void otherForms_areJavaTimesToDecide() {
        for (String s :
                new String[] {
                    "2026-11-28T10:15:30+01:00",
                    "1969-12-31T23:59:59Z",
                    "2016-12-31T23:59:60Z",
                    "2026-11-28T09:15:30.Z"
                }) {
            assertThat(IsoInstant.parseMillis(s)).as(s).isEqualTo(Instant.parse(s).toEpochMilli());
        }
        assertThat(IsoInstant.format(-1)).isEqualTo(Instant.ofEpochMilli(-1).toString());
        assertThat(IsoInstant.format(253_402_300_800_000L))
                .isEqualTo(Instant.ofEpochMilli(253_402_300_800_000L).toString());
    }

    @Test
    void invalidText_isRejectedAsJavaTimeRejectsIt() {
        for (String s :
                new String[] {
                    "2026-02-29T00:00:00Z",
                    "2026-13-01T00:00:00Z",
                    "2026-11-31T00:00:00Z",
                    "2026-11-28T25:00:00Z",
                    "2026-11-28T09:60:00Z",
                    "2026-11-28 09:15:30Z",
                    "2026-11-28T09:15:30",
                    "2026-11-28T09:15:30.1234567890Z",
                    "2026-1a-28T09:15:30Z",
                    "",
                    "now"
                }) {
            assertThatThrownBy(() -> IsoInstant.parseMillis(s))
                    .as(s)
                    .isInstanceOf(DateTimeParseException.class);
        }
    }
}
