package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes usage releases (for example app version counts) as an RFC 4180 CSV file for spreadsheets
 * and pandas.
 *
 * <p>The file is UTF-8 without a byte order mark, lines end in CRLF, and the first line is the
 * header {@value #HEADER}. Rows are sorted by window (chronologically), then release, then count
 * (descending), then category. A field is quoted when it contains a comma, a double quote, CR or
 * LF, or starts or ends with a space; quotes inside are doubled. Absent fields are empty. Numbers
 * are written as Jackson prints them (for example {@code 1.0E-6}). Categories come from the
 * records' own fields (an app version, an error code), so one starting with {@code =}, {@code +},
 * {@code -}, {@code @}, tab or CR gets a leading apostrophe: a spreadsheet would otherwise run it
 * as a formula (CSV injection, OWASP). Other values are written verbatim.
 */
public final class UsageCsv {

    /** The header line (without line terminator). */
    public static final String HEADER =
            "window_start,window_end,release,category,count,epsilon,rho,delta,k,"
                    + "max_contributions,max_per_category,threshold,noise,noise_scale,key_epochs";

    private static final List<String> COLUMNS = List.of(HEADER.split(","));

    private UsageCsv() {}

    /**
     * Writes the releases to {@code file} (parent directories created). An empty list gives a file
     * with the header only.
     *
     * @param releases usage release records
     * @param file where to write, conventionally {@code *.csv}
     * @throws IOException if the file cannot be written
     */
    public static void write(List<JsonNode> releases, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(toCsv(releases));
        }
    }

    /**
     * The CSV text {@link #write} writes.
     *
     * @param releases usage release records
     * @return header and rows, each line terminated by CRLF
     */
    public static String toCsv(List<JsonNode> releases) {
        List<JsonNode> sorted = new ArrayList<>(releases);
        sorted.sort(
                Comparator.comparing(Records.Window::of, Records.Window.ORDER)
                        .thenComparing(
                                r -> Records.text(r, "release"),
                                Comparator.nullsLast(Comparator.naturalOrder()))
                        .thenComparing(r -> Records.number(r, "count"), UsageCsv::descendingNanLast)
                        .thenComparing(
                                r -> Records.text(r, "category"),
                                Comparator.nullsLast(Comparator.naturalOrder())));
        StringBuilder csv = new StringBuilder(HEADER).append("\r\n");
        for (JsonNode release : sorted) {
            for (int i = 0; i < COLUMNS.size(); i++) {
                if (i > 0) {
                    csv.append(',');
                }
                String value = Records.text(release, COLUMNS.get(i));
                csv.append(field(COLUMNS.get(i).equals("category") ? neutralise(value) : value));
            }
            csv.append("\r\n");
        }
        return csv.toString();
    }

    /** Prefixes an apostrophe to a value a spreadsheet would read as a formula. */
    static String neutralise(String value) {
        if (value == null || value.isEmpty()) {
            return value;
        }
        char c = value.charAt(0);
        return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r'
                ? "'" + value
                : value;
    }

    /** Quotes a field per RFC 4180 when needed; {@code null} becomes an empty field. */
    static String field(String value) {
        if (value == null) {
            return "";
        }
        boolean quote =
                value.indexOf(',') >= 0
                        || value.indexOf('"') >= 0
                        || value.indexOf('\r') >= 0
                        || value.indexOf('\n') >= 0
                        || value.startsWith(" ")
                        || value.endsWith(" ");
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    private static int descendingNanLast(Double a, Double b) {
        if (a.isNaN() || b.isNaN()) {
            return Boolean.compare(a.isNaN(), b.isNaN());
        }
        return Double.compare(b, a);
    }
}
