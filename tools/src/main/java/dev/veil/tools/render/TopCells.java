package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.uber.h3core.util.LatLng;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Formats the busiest heat map cells as a plain-text (ASCII) table for the console. */
public final class TopCells {

    private TopCells() {}

    /**
     * The top {@code n} releases by count (descending; ties by window, then cell) as a table with
     * the columns rank, window (UTC), cell, count, latitude and longitude of the cell centre (3
     * decimals) and the nearest known place within 50 km (blank if none). Each line ends in {@code
     * \n}. With no releases the table body is the single line {@code (no cell passed suppression in
     * any window)}.
     *
     * @param releases heat map release records
     * @param n how many rows at most; 0 gives the header only
     * @return the table
     * @throws IllegalArgumentException if {@code n} is negative or a release has no valid cell or
     *     count
     */
    public static String format(List<JsonNode> releases, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        List<JsonNode> sorted = new ArrayList<>(releases);
        sorted.sort(
                Comparator.comparingLong(Records::count)
                        .reversed()
                        .thenComparing(Records.Window::of, Records.Window.ORDER)
                        .thenComparing(Records::cell));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "window (UTC)", "cell", "count", "lat", "lon", "near"});
        for (JsonNode release : sorted.subList(0, Math.min(n, sorted.size()))) {
            String cell = Records.cell(release);
            LatLng c = Geo.centre(cell);
            rows.add(
                    new String[] {
                        Integer.toString(rows.size()),
                        Records.Window.of(release).label("-").replace(" UTC", ""),
                        cell,
                        Long.toString(Records.count(release)),
                        String.format(Locale.ROOT, "%.3f", c.lat),
                        String.format(Locale.ROOT, "%.3f", c.lng),
                        Gazetteer.nearest(c.lat, c.lng).map(Gazetteer.Place::name).orElse("")
                    });
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        boolean[] rightAligned = {true, false, false, true, true, true, false};
        StringBuilder table = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            appendRow(table, rows.get(r), widths, rightAligned);
            if (r == 0) {
                String[] rule = new String[widths.length];
                for (int i = 0; i < widths.length; i++) {
                    rule[i] = "-".repeat(widths[i]);
                }
                appendRow(table, rule, widths, rightAligned);
            }
        }
        if (releases.isEmpty()) {
            table.append("(no cell passed suppression in any window)\n");
        }
        return table.toString();
    }

    private static void appendRow(
            StringBuilder out, String[] row, int[] widths, boolean[] rightAligned) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            String pad = " ".repeat(widths[i] - row[i].length());
            line.append(rightAligned[i] ? pad + row[i] : row[i] + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /**
     * The known places (within 50 km) that at least one published cell is nearest to, for saying
     * which places published nothing.
     */
    public static Set<String> placesWithACell(List<JsonNode> releases) {
        Set<String> places = new TreeSet<>();
        for (JsonNode release : releases) {
            LatLng c = Geo.centre(Records.cell(release));
            Gazetteer.nearest(c.lat, c.lng).ifPresent(p -> places.add(p.name()));
        }
        return places;
    }

    /**
     * One line per known place (within 50 km) with a published cell, busiest first: the cells
     * published there (over all windows), in how many windows, and the largest count with its
     * window, for example {@code " Dublin 31 cells in 12 windows, largest count 89 (2026-11-28
     * 12:00-13:00)"}. Cells near no known place are summed in a last line. Each line ends in {@code
     * \n}; no releases give an empty string.
     */
    public static String perPlace(List<JsonNode> releases) {
        Map<String, List<JsonNode>> byPlace = new TreeMap<>();
        for (JsonNode release : releases) {
            LatLng c = Geo.centre(Records.cell(release));
            String place =
                    Gazetteer.nearest(c.lat, c.lng).map(Gazetteer.Place::name).orElse("elsewhere");
            byPlace.computeIfAbsent(place, p -> new ArrayList<>()).add(release);
        }
        List<Map.Entry<String, List<JsonNode>>> places = new ArrayList<>(byPlace.entrySet());
        places.sort(
                Comparator.comparing(
                                (Map.Entry<String, List<JsonNode>> e) ->
                                        e.getKey().equals("elsewhere"))
                        .thenComparing(
                                Comparator.comparingInt(
                                                (Map.Entry<String, List<JsonNode>> e) ->
                                                        e.getValue().size())
                                        .reversed())
                        .thenComparing(Map.Entry::getKey));
        int width = places.stream().mapToInt(e -> e.getKey().length()).max().orElse(0);
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<JsonNode>> e : places) {
            List<JsonNode> rs = e.getValue();
            JsonNode peak =
                    rs.stream()
                            .max(
                                    Comparator.comparingLong(Records::count)
                                            .thenComparing(
                                                    Records.Window::of,
                                                    Records.Window.ORDER.reversed()))
                            .orElseThrow();
            long windows = rs.stream().map(Records.Window::of).distinct().count();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "  %-"
                                    + width
                                    + "s  %,d cell%s in %d window%s, largest count %d (%s)%n",
                            e.getKey(),
                            rs.size(),
                            rs.size() == 1 ? "" : "s",
                            windows,
                            windows == 1 ? "" : "s",
                            Records.count(peak),
                            Records.Window.of(peak).label("-")));
        }
        return out.toString();
    }
}
