package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Locale;

/** Field access on release records and window handling shared by the renderers. */
final class Records {

    /** An aggregation window as published in the records (ISO-8601 instants as text). */
    record Window(String start, String end) {

        /**
         * Chronological order (by start, then end); text that is not an instant sorts after
         * instants, by text.
         */
        static final Comparator<Window> ORDER =
                Comparator.comparing(Window::start, Records::compareInstants)
                        .thenComparing(Window::end, Records::compareInstants);

        /** The window of a release record. */
        static Window of(JsonNode release) {
            return new Window(text(release, "window_start"), text(release, "window_end"));
        }

        /**
         * Compact label: "2026-11-28 09:00–10:00 UTC" when both ends are on the same UTC day,
         * otherwise "2026-11-28 23:00 – 2026-11-29 01:00 UTC"; raw text when the ends are not
         * instants.
         *
         * @param dash separator between the times ("–" for graphics, "-" for plain ASCII output)
         */
        String label(String dash) {
            Instant s = instant(start);
            Instant e = instant(end);
            if (s == null || e == null) {
                return nullToEmpty(start) + " " + dash + " " + nullToEmpty(end);
            }
            LocalDateTime ls = LocalDateTime.ofInstant(s, ZoneOffset.UTC);
            LocalDateTime le = LocalDateTime.ofInstant(e, ZoneOffset.UTC);
            String startText = String.format(Locale.ROOT, "%s %s", ls.toLocalDate(), time(ls));
            if (ls.toLocalDate().equals(le.toLocalDate())) {
                return startText + dash + time(le) + " UTC";
            }
            return startText + " " + dash + " " + le.toLocalDate() + " " + time(le) + " UTC";
        }

        private static String time(LocalDateTime t) {
            return t.getSecond() == 0 && t.getNano() == 0
                    ? String.format(Locale.ROOT, "%02d:%02d", t.getHour(), t.getMinute())
                    : t.toLocalTime().toString();
        }
    }

    private Records() {}

    /**
     * Text of a field, or {@code null} when it is absent or JSON null. Non-text values give their
     * JSON text.
     */
    static String text(JsonNode record, String field) {
        JsonNode v = record == null ? null : record.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** Numeric value of a field, or NaN when it is absent or not a number. */
    static double number(JsonNode record, String field) {
        JsonNode v = record == null ? null : record.get(field);
        if (v == null || !v.isNumber()) {
            if (v != null && v.isTextual()) {
                try {
                    return Double.parseDouble(v.asText().trim());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
            return Double.NaN;
        }
        return v.asDouble();
    }

    /** The noised count of a release; records without a numeric count are rejected. */
    static long count(JsonNode release) {
        double c = number(release, "count");
        if (Double.isNaN(c)) {
            throw new IllegalArgumentException("release without a numeric count: " + release);
        }
        return Math.round(c);
    }

    /** The H3 cell of a heat map release; records without a valid cell are rejected. */
    static String cell(JsonNode release) {
        String cell = text(release, "cell");
        if (cell == null) {
            throw new IllegalArgumentException("heat map release without a cell: " + release);
        }
        return Geo.requireValidCell(cell);
    }

    /** Parses an ISO-8601 instant, or returns {@code null}. */
    static Instant instant(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Orders instants chronologically; non-instants (and nulls, last) after them, by text. */
    static int compareInstants(String a, String b) {
        Instant ia = instant(a);
        Instant ib = instant(b);
        if (ia != null && ib != null) {
            return ia.compareTo(ib);
        }
        if (ia != null) {
            return -1;
        }
        if (ib != null) {
            return 1;
        }
        return Comparator.nullsLast(Comparator.<String>naturalOrder()).compare(a, b);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
