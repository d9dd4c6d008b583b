package dev.veil.privacy;

import java.time.Instant;

/**
 * ISO-8601 instants in UTC ({@code 2026-11-28T09:15:30.123Z}) to epoch milliseconds and back, as
 * {@link Instant#parse} and {@link Instant#toString} do, without their cost in the common case:
 * every raw record has an event time, and a time rule parses and formats one more. The form {@code
 * yyyy-MM-ddTHH:mm:ss[.fraction]Z} with a four-digit year (1970 to 9999) and a fraction of 1 to 9
 * digits is computed here (calendar arithmetic after Hinnant, "chrono-Compatible Low-Level Date
 * Algorithms", days_from_civil and civil_from_days); any other text goes to {@link Instant#parse},
 * so what is accepted, rejected and returned is exactly what {@code java.time} does.
 * Sub-millisecond digits are dropped (truncation towards the past, as {@link Instant#toEpochMilli}
 * does for these years).
 *
 * <p>Stateless and thread-safe.
 */
public final class IsoInstant {
    private IsoInstant() {}

    /**
     * Epoch milliseconds of an ISO-8601 instant.
     *
     * @throws java.time.format.DateTimeParseException where {@link Instant#parse} throws it
     * @throws ArithmeticException where {@link Instant#toEpochMilli} throws it
     */
    public static long parseMillis(String s) {
        int n = s.length();
        if (n >= 20
                && n <= 30
                && s.charAt(4) == '-'
                && s.charAt(7) == '-'
                && s.charAt(10) == 'T'
                && s.charAt(13) == ':'
                && s.charAt(16) == ':'
                && s.charAt(n - 1) == 'Z') {
            int year = digits(s, 0, 4);
            int month = digits(s, 5, 2);
            int day = digits(s, 8, 2);
            int hour = digits(s, 11, 2);
            int minute = digits(s, 14, 2);
            int second = digits(s, 17, 2);
            int millis = 0;
            boolean shape =
                    year >= 1970
                            && month >= 1
                            && month <= 12
                            && day >= 1
                            && day <= daysInMonth(year, month)
                            && hour >= 0
                            && hour <= 23
                            && minute >= 0
                            && minute <= 59
                            && second >= 0
                            && second <= 59;
            if (shape && n > 20) {
                // A fraction: '.', then 1 to 9 digits.
                shape = s.charAt(19) == '.' && n - 21 >= 1 && n - 21 <= 9;
                for (int i = 20; shape && i < n - 1; i++) {
                    char c = s.charAt(i);
                    shape = c >= '0' && c <= '9';
                }
                if (shape) {
                    for (int i = 20; i < 23; i++) {
                        millis = millis * 10 + (i < n - 1 ? s.charAt(i) - '0' : 0);
                    }
                }
            }
            if (shape) {
                long days = daysFromCivil(year, month, day);
                return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
            }
        }
        return Instant.parse(s).toEpochMilli();
    }

    /** The text {@link Instant#toString} gives for {@code Instant.ofEpochMilli(epochMillis)}. */
    public static String format(long epochMillis) {
        if (epochMillis < 0 || epochMillis >= 253_402_300_800_000L) {
            return Instant.ofEpochMilli(epochMillis).toString();
        }
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        int ms = (int) (epochMillis - days * 86_400_000L);
        // civil_from_days
        long z = days + 719_468;
        long era = z / 146_097;
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int day = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        char[] c = new char[ms % 1000 == 0 ? 20 : 24];
        put(c, 0, year, 4);
        c[4] = '-';
        put(c, 5, month, 2);
        c[7] = '-';
        put(c, 8, day, 2);
        c[10] = 'T';
        put(c, 11, ms / 3_600_000, 2);
        c[13] = ':';
        put(c, 14, ms / 60_000 % 60, 2);
        c[16] = ':';
        put(c, 17, ms / 1000 % 60, 2);
        if (ms % 1000 != 0) {
            c[19] = '.';
            put(c, 20, ms % 1000, 3);
        }
        c[c.length - 1] = 'Z';
        return new String(c);
    }

    private static void put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /** The number the digits at [from, from + count) spell, or -1 if one is not a digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** days_from_civil: days since 1970-01-01 of a proleptic Gregorian date. */
    private static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
