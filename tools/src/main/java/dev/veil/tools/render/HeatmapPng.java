package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.uber.h3core.util.LatLng;

import javax.imageio.ImageIO;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Renders a heat map window as a PNG for people: one map panel per city-sized cluster of cells.
 *
 * <p>Only the busiest window is drawn: the one with the largest sum of counts, the earliest on
 * ties. If a cell appears more than once in that window (a replayed record), the last occurrence
 * wins. Cells whose centres are within {@value #CLUSTER_KM} km of each other (transitively) form a
 * cluster; each cluster gets its own panel with a local equirectangular projection (longitude
 * scaled by the cosine of the panel's latitude, so hexagons keep their shape), a scale bar and a
 * label: the nearest place of a small built-in gazetteer within 50 km, otherwise the centroid as
 * "53.35°N 6.26°W". Panels are ordered by their total count, busiest first; at most {@value
 * #MAX_PANELS} are drawn and the footer says how many smaller clusters were left out. Hexagons are
 * filled with a light-yellow to dark-red ramp, linear in count over the window's range, shown in
 * the legend. Behind the cells, each panel shows Natural Earth land, coasts and borders ({@link
 * Outline}) on a sea-coloured background, so that the cells can be placed without a basemap.
 *
 * <p>Rendering is pure Java2D into a {@link BufferedImage}; {@code java.awt.headless} is set to
 * {@code true} unless the caller already chose a value.
 */
public final class HeatmapPng {

    /** Image width, px. */
    public static final int WIDTH = 1600;

    /** Image height, px. */
    public static final int HEIGHT = 1000;

    /** Text drawn when there is nothing to show. */
    public static final String EMPTY_MESSAGE = "no cell passed suppression in any window";

    static final double CLUSTER_KM = 40.0;
    static final int MAX_PANELS = 12;

    private static final double KM_PER_DEGREE_LAT = 110.574;
    private static final double KM_PER_DEGREE_LON = 111.320;
    private static final double MIN_PANEL_EXTENT_KM = 8.0;
    private static final double[] NICE_KM = {
        0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000
    };

    private static final int MARGIN = 28;
    private static final int HEADER_H = 104;
    private static final int FOOTER_H = 52;
    private static final int GAP = 16;
    private static final int PANEL_TITLE_H = 54;
    private static final int LEGEND_W = 380;

    private static final Color BACKGROUND = Color.WHITE;

    /** Sea, and the panel's background where the outline has no land. */
    static final Color PANEL_FILL = new Color(0xE4ECF1);

    static final Color LAND = new Color(0xF7F6F1);
    private static final Color COAST = new Color(0x7D8C97);
    private static final Color PANEL_BORDER = new Color(0xD0D0CC);
    private static final Color TEXT = new Color(0x1E1E1E);
    private static final Color MUTED = new Color(0x6B6B6B);
    private static final Color CELL_OUTLINE = new Color(40, 40, 40, 120);

    /** ColorBrewer YlOrRd, without its near-white first step so the faintest cells still show. */
    private static final Color[] RAMP = {
        new Color(0xFFEDA0), new Color(0xFED976), new Color(0xFEB24C), new Color(0xFD8D3C),
        new Color(0xFC4E2A), new Color(0xE31A1C), new Color(0xBD0026), new Color(0x800026)
    };

    /** The ramp's colour stops, light to dark, for other renderers that should match. */
    static List<Color> rampStops() {
        return List.of(RAMP);
    }

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private HeatmapPng() {}

    /** One cell to draw. */
    private record Cell(String id, long count, LatLng centre, List<LatLng> boundary) {}

    /** A cluster of nearby cells drawn in one panel. */
    private record Cluster(List<Cell> cells, double lat, double lon, long total) {}

    /**
     * Renders the busiest window of {@code releases} to {@code file} as a {@value #WIDTH}x{@value
     * #HEIGHT} PNG (parent directories created). With no releases the image says {@value
     * #EMPTY_MESSAGE}.
     *
     * @param releases heat map release records
     * @param file where to write, conventionally {@code *.png}
     * @param title headline drawn at the top, for example "Veil demo: people per H3 cell"
     * @throws IllegalArgumentException if a release has no valid cell or count
     * @throws IOException if the file cannot be written
     */
    public static void write(List<JsonNode> releases, Path file, String title) throws IOException {
        BufferedImage image = render(releases, title);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer available");
        }
    }

    /**
     * Renders the image {@link #write} writes.
     *
     * @param releases heat map release records
     * @param title headline drawn at the top
     * @return an RGB image of {@value #WIDTH}x{@value #HEIGHT} px
     */
    public static BufferedImage render(List<JsonNode> releases, String title) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_FRACTIONALMETRICS,
                    RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            String headline = title == null || title.isBlank() ? "Heat map" : title;
            if (releases.isEmpty()) {
                drawEmpty(g, headline);
            } else {
                drawWindow(g, headline, releases);
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void drawEmpty(Graphics2D g, String title) {
        g.setColor(TEXT);
        g.setFont(font(Font.BOLD, 30));
        g.drawString(title, MARGIN, 50);
        g.setFont(font(Font.PLAIN, 34));
        g.setColor(MUTED);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(EMPTY_MESSAGE, (WIDTH - fm.stringWidth(EMPTY_MESSAGE)) / 2, HEIGHT / 2);
    }

    private static void drawWindow(Graphics2D g, String title, List<JsonNode> releases) {
        Map<Records.Window, List<JsonNode>> byWindow = new TreeMap<>(Records.Window.ORDER);
        for (JsonNode r : releases) {
            byWindow.computeIfAbsent(Records.Window.of(r), w -> new ArrayList<>()).add(r);
        }
        Records.Window busiest = null;
        List<Cell> cells = null;
        long busiestTotal = Long.MIN_VALUE;
        for (Map.Entry<Records.Window, List<JsonNode>> e : byWindow.entrySet()) {
            Map<String, JsonNode> byCell = new LinkedHashMap<>();
            for (JsonNode r : e.getValue()) {
                byCell.put(Records.cell(r), r);
            }
            long total = byCell.values().stream().mapToLong(Records::count).sum();
            if (total > busiestTotal) {
                busiestTotal = total;
                busiest = e.getKey();
                cells =
                        byCell.entrySet().stream()
                                .map(
                                        c ->
                                                new Cell(
                                                        c.getKey(),
                                                        Records.count(c.getValue()),
                                                        Geo.centre(c.getKey()),
                                                        Geo.boundary(c.getKey())))
                                .collect(Collectors.toList());
            }
        }
        List<JsonNode> windowReleases = byWindow.get(busiest);
        long min = cells.stream().mapToLong(Cell::count).min().orElseThrow();
        long max = cells.stream().mapToLong(Cell::count).max().orElseThrow();
        List<Cluster> clusters = cluster(cells);

        drawHeader(g, title, busiest, cells.size(), busiestTotal, byWindow.size(), min, max);
        List<Cluster> shown = clusters.subList(0, Math.min(MAX_PANELS, clusters.size()));
        drawPanels(g, shown, min, max);
        drawFooter(g, windowReleases, clusters.subList(shown.size(), clusters.size()));
    }

    private static void drawHeader(
            Graphics2D g,
            String title,
            Records.Window window,
            int cellCount,
            long total,
            int windowCount,
            long min,
            long max) {
        g.setColor(TEXT);
        int textWidth = WIDTH - 2 * MARGIN - LEGEND_W - 24;
        g.setFont(font(Font.BOLD, 30));
        g.drawString(fit(g, title, textWidth), MARGIN, 46);
        g.setFont(font(Font.PLAIN, 19));
        g.setColor(MUTED);
        String sub =
                String.format(
                        Locale.ROOT,
                        "Window %s  ·  %,d cells  ·  total count %,d  ·  %s",
                        window.label("–"),
                        cellCount,
                        total,
                        windowCount == 1
                                ? "only window"
                                : String.format(Locale.ROOT, "busiest of %d windows", windowCount));
        g.drawString(fit(g, sub, textWidth), MARGIN, 80);
        drawLegend(g, WIDTH - MARGIN - LEGEND_W, 22, LEGEND_W, min, max);
    }

    private static void drawLegend(Graphics2D g, int x, int y, int w, long min, long max) {
        g.setFont(font(Font.PLAIN, 15));
        g.setColor(MUTED);
        g.drawString("noised count per cell", x, y + 14);
        int barY = y + 24;
        int barH = 18;
        for (int i = 0; i < w; i++) {
            g.setColor(ramp(w == 1 ? 0 : i / (double) (w - 1)));
            g.fillRect(x + i, barY, 1, barH);
        }
        g.setColor(PANEL_BORDER);
        g.drawRect(x, barY, w - 1, barH);
        g.setColor(TEXT);
        g.setFont(font(Font.PLAIN, 15));
        FontMetrics fm = g.getFontMetrics();
        int labelY = barY + barH + 18;
        long[] ticks =
                min == max
                        ? new long[] {min}
                        : new long[] {min, Math.round((min + max) / 2.0), max};
        for (long tick : ticks) {
            double t = min == max ? 0.5 : (tick - min) / (double) (max - min);
            int cx = x + (int) Math.round(t * (w - 1));
            g.drawLine(cx, barY + barH, cx, barY + barH + 4);
            String label = String.format(Locale.ROOT, "%,d", tick);
            int lx =
                    Math.max(
                            x,
                            Math.min(
                                    x + w - fm.stringWidth(label), cx - fm.stringWidth(label) / 2));
            g.drawString(label, lx, labelY);
        }
    }

    private static void drawFooter(
            Graphics2D g, List<JsonNode> windowReleases, List<Cluster> hidden) {
        TreeSet<String> epsilons = new TreeSet<>();
        TreeSet<String> rhos = new TreeSet<>();
        TreeSet<String> noises = new TreeSet<>();
        TreeSet<String> ks = new TreeSet<>();
        for (JsonNode r : windowReleases) {
            addIfPresent(epsilons, Records.text(r, "epsilon"));
            addIfPresent(rhos, Records.text(r, "rho"));
            addIfPresent(noises, Records.text(r, "noise"));
            addIfPresent(ks, Records.text(r, "k"));
        }
        StringBuilder text = new StringBuilder("Counts are differentially private");
        List<String> params = new ArrayList<>();
        if (!noises.isEmpty()) {
            params.add(String.join("/", noises));
        }
        if (!epsilons.isEmpty()) {
            params.add("ε = " + String.join("/", epsilons));
        }
        if (!rhos.isEmpty()) {
            params.add("ρ = " + String.join("/", rhos) + " (zCDP)");
        }
        if (!ks.isEmpty()) {
            params.add("k = " + String.join("/", ks));
        }
        if (!params.isEmpty()) {
            text.append(" (").append(String.join(", ", params)).append(")");
        }
        text.append("; cells below the threshold are not published.");
        String second =
                "Each panel has its own local equirectangular projection and scale (see its scale bar);"
                        + " coasts and borders: Natural Earth 1:50m.";
        if (!hidden.isEmpty()) {
            int hiddenCells = hidden.stream().mapToInt(c -> c.cells().size()).sum();
            second +=
                    String.format(
                            Locale.ROOT,
                            "  +%d smaller cluster%s (%,d cells) not shown.",
                            hidden.size(),
                            hidden.size() == 1 ? "" : "s",
                            hiddenCells);
        }
        g.setFont(font(Font.PLAIN, 14));
        g.setColor(MUTED);
        g.drawString(text.toString(), MARGIN, HEIGHT - 28);
        g.drawString(second, MARGIN, HEIGHT - 10);
    }

    private static void addIfPresent(TreeSet<String> set, String value) {
        if (value != null) {
            set.add(value);
        }
    }

    /**
     * Union-find over cell centres closer than {@link #CLUSTER_KM}; clusters sorted by total count,
     * descending.
     */
    private static List<Cluster> cluster(List<Cell> cells) {
        int n = cells.size();
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) {
            parent[i] = i;
        }
        double latTolerance = CLUSTER_KM / KM_PER_DEGREE_LAT;
        for (int i = 0; i < n; i++) {
            LatLng a = cells.get(i).centre();
            for (int j = i + 1; j < n; j++) {
                LatLng b = cells.get(j).centre();
                if (Math.abs(a.lat - b.lat) <= latTolerance
                        && Geo.distanceKm(a.lat, a.lng, b.lat, b.lng) <= CLUSTER_KM) {
                    parent[find(parent, i)] = find(parent, j);
                }
            }
        }
        Map<Integer, List<Cell>> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            groups.computeIfAbsent(find(parent, i), k -> new ArrayList<>()).add(cells.get(i));
        }
        List<Cluster> clusters = new ArrayList<>();
        for (List<Cell> group : groups.values()) {
            double lon0 = group.get(0).centre().lng;
            double latSum = 0;
            double lonSum = 0;
            long total = 0;
            for (Cell c : group) {
                latSum += c.centre().lat;
                lonSum += Geo.wrapDelta(c.centre().lng - lon0);
                total += c.count();
            }
            group.sort(Comparator.comparingLong(Cell::count).thenComparing(Cell::id));
            clusters.add(
                    new Cluster(group, latSum / group.size(), lon0 + lonSum / group.size(), total));
        }
        clusters.sort(
                Comparator.comparingLong(Cluster::total)
                        .reversed()
                        .thenComparing(Comparator.comparingDouble(Cluster::lat).reversed()));
        return clusters;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    private static void drawPanels(Graphics2D g, List<Cluster> clusters, long min, long max) {
        int areaX = MARGIN;
        int areaY = HEADER_H;
        int areaW = WIDTH - 2 * MARGIN;
        int areaH = HEIGHT - HEADER_H - FOOTER_H;
        int n = clusters.size();
        int bestCols = 1;
        double bestSide = -1;
        for (int cols = 1; cols <= n; cols++) {
            int rows = (n + cols - 1) / cols;
            double w = (areaW - (cols - 1) * GAP) / (double) cols;
            double h = (areaH - (rows - 1) * GAP) / (double) rows - PANEL_TITLE_H;
            double side = Math.min(w, h);
            if (side > bestSide) {
                bestSide = side;
                bestCols = cols;
            }
        }
        int cols = bestCols;
        int rows = (n + cols - 1) / cols;
        double pw = (areaW - (cols - 1) * GAP) / (double) cols;
        double ph = (areaH - (rows - 1) * GAP) / (double) rows;
        for (int i = 0; i < n; i++) {
            double px = areaX + (i % cols) * (pw + GAP);
            double py = areaY + (i / cols) * (ph + GAP);
            drawPanel(g, clusters.get(i), new Rectangle2D.Double(px, py, pw, ph), min, max);
        }
    }

    private static void drawPanel(
            Graphics2D g, Cluster cluster, Rectangle2D box, long min, long max) {
        Shape frame =
                new RoundRectangle2D.Double(
                        box.getX(), box.getY(), box.getWidth(), box.getHeight(), 12, 12);
        g.setColor(PANEL_FILL);
        g.fill(frame);

        double lat0 = cluster.lat();
        double lon0 = cluster.lon();
        double kx = KM_PER_DEGREE_LON * Math.cos(Math.toRadians(lat0));
        List<double[][]> polygons = new ArrayList<>(cluster.cells().size());
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (Cell c : cluster.cells()) {
            double[][] poly = new double[c.boundary().size()][];
            for (int i = 0; i < poly.length; i++) {
                LatLng p = c.boundary().get(i);
                double x = Geo.wrapDelta(p.lng - lon0) * kx;
                double y = (p.lat - lat0) * KM_PER_DEGREE_LAT;
                poly[i] = new double[] {x, y};
                minX = Math.min(minX, x);
                maxX = Math.max(maxX, x);
                minY = Math.min(minY, y);
                maxY = Math.max(maxY, y);
            }
            polygons.add(poly);
        }
        double extentX = Math.max(maxX - minX, MIN_PANEL_EXTENT_KM);
        double extentY = Math.max(maxY - minY, MIN_PANEL_EXTENT_KM);
        double pad = 18;
        Rectangle2D map =
                new Rectangle2D.Double(
                        box.getX() + pad,
                        box.getY() + PANEL_TITLE_H,
                        box.getWidth() - 2 * pad,
                        box.getHeight() - PANEL_TITLE_H - pad);
        double scale = Math.min(map.getWidth() / extentX, map.getHeight() / extentY) * 0.94;
        double midX = (minX + maxX) / 2;
        double midY = (minY + maxY) / 2;
        double cx = map.getCenterX();
        double cy = map.getCenterY();

        drawOutline(g, frame, box, lat0, lon0, kx, scale, midX, midY, cx, cy);

        g.setStroke(new BasicStroke(0.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int i = 0; i < polygons.size(); i++) {
            double[][] poly = polygons.get(i);
            Path2D.Double path = new Path2D.Double();
            for (int v = 0; v < poly.length; v++) {
                double sx = cx + (poly[v][0] - midX) * scale;
                double sy = cy - (poly[v][1] - midY) * scale;
                if (v == 0) {
                    path.moveTo(sx, sy);
                } else {
                    path.lineTo(sx, sy);
                }
            }
            path.closePath();
            long count = cluster.cells().get(i).count();
            g.setColor(ramp(max == min ? 0.5 : (count - min) / (double) (max - min)));
            g.fill(path);
            g.setColor(CELL_OUTLINE);
            g.draw(path);
        }

        g.setStroke(new BasicStroke(1f));
        g.setColor(PANEL_BORDER);
        g.draw(frame);

        String name = Gazetteer.label(lat0, lon0);
        g.setColor(TEXT);
        g.setFont(font(Font.BOLD, 21));
        float textX = (float) (box.getX() + 16);
        int textWidth = (int) box.getWidth() - 32;
        g.drawString(fit(g, name, textWidth), textX, (float) (box.getY() + 28));
        long peak = cluster.cells().stream().mapToLong(Cell::count).max().orElse(0);
        g.setFont(font(Font.PLAIN, 14));
        g.setColor(MUTED);
        String stats =
                String.format(
                        Locale.ROOT,
                        "%,d cells  ·  total %,d  ·  max %,d",
                        cluster.cells().size(),
                        cluster.total(),
                        peak);
        g.drawString(fit(g, stats, textWidth), textX, (float) (box.getY() + 47));

        drawScaleBar(g, map, scale);
    }

    /**
     * Natural Earth land (filled) and its coasts and borders (lines) behind the cells, clipped to
     * the panel, in the panel's projection. Longitudes are not wrapped: the outline is cut at the
     * antimeridian, so a panel that spans it shows land on one side only.
     */
    private static void drawOutline(
            Graphics2D g,
            Shape frame,
            Rectangle2D box,
            double lat0,
            double lon0,
            double kx,
            double scale,
            double midX,
            double midY,
            double cx,
            double cy) {
        double halfW = box.getWidth() / 2 / scale;
        double halfH = box.getHeight() / 2 / scale;
        double west = lon0 + (midX - halfW) / kx;
        double east = lon0 + (midX + halfW) / kx;
        double south = lat0 + (midY - halfH) / KM_PER_DEGREE_LAT;
        double north = lat0 + (midY + halfH) / KM_PER_DEGREE_LAT;
        Outline outline = Outline.get();
        Shape oldClip = g.getClip();
        g.clip(frame);
        try {
            Path2D.Double land = new Path2D.Double(Path2D.WIND_EVEN_ODD);
            for (Outline.Line ring : outline.land()) {
                if (ring.intersects(west, south, east, north)) {
                    appendOutline(land, ring, lat0, lon0, kx, scale, midX, midY, cx, cy, true);
                }
            }
            g.setColor(LAND);
            g.fill(land);
            Path2D.Double lines = new Path2D.Double();
            for (Outline.Line arc : outline.arcsWithin(west, south, east, north)) {
                appendOutline(lines, arc, lat0, lon0, kx, scale, midX, midY, cx, cy, false);
            }
            g.setColor(COAST);
            g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(lines);
        } finally {
            g.setClip(oldClip);
        }
    }

    private static void appendOutline(
            Path2D.Double path,
            Outline.Line line,
            double lat0,
            double lon0,
            double kx,
            double scale,
            double midX,
            double midY,
            double cx,
            double cy,
            boolean close) {
        double[][] points = line.points();
        for (int v = 0; v < points.length; v++) {
            double sx = cx + ((points[v][0] - lon0) * kx - midX) * scale;
            double sy = cy - ((points[v][1] - lat0) * KM_PER_DEGREE_LAT - midY) * scale;
            if (v == 0) {
                path.moveTo(sx, sy);
            } else {
                path.lineTo(sx, sy);
            }
        }
        if (close) {
            path.closePath();
        }
    }

    private static void drawScaleBar(Graphics2D g, Rectangle2D map, double pxPerKm) {
        double targetKm = map.getWidth() * 0.22 / pxPerKm;
        double km = NICE_KM[0];
        for (double nice : NICE_KM) {
            if (nice <= targetKm) {
                km = nice;
            }
        }
        double len = km * pxPerKm;
        String label =
                km >= 1
                        ? String.format(Locale.ROOT, "%d km", (long) km)
                        : String.format(Locale.ROOT, "%d m", Math.round(km * 1000));
        g.setFont(font(Font.PLAIN, 13));
        FontMetrics fm = g.getFontMetrics();
        double x = map.getX() + 4;
        double y = map.getMaxY() - 6;
        g.setColor(new Color(255, 255, 255, 200));
        g.fill(
                new RoundRectangle2D.Double(
                        x - 4, y - 24, Math.max(len, fm.stringWidth(label)) + 12, 30, 6, 6));
        g.setColor(TEXT);
        g.setStroke(new BasicStroke(2f));
        g.draw(new Line2D.Double(x + 2, y, x + 2 + len, y));
        g.draw(new Line2D.Double(x + 2, y - 5, x + 2, y + 1));
        g.draw(new Line2D.Double(x + 2 + len, y - 5, x + 2 + len, y + 1));
        g.setStroke(new BasicStroke(1f));
        g.drawString(label, (float) (x + 2), (float) (y - 9));
    }

    /** Colour for a position in [0, 1] along the ramp. */
    static Color ramp(double t) {
        double clamped = Math.max(0, Math.min(1, t));
        double pos = clamped * (RAMP.length - 1);
        int i = Math.min((int) Math.floor(pos), RAMP.length - 2);
        double f = pos - i;
        Color a = RAMP[i];
        Color b = RAMP[i + 1];
        return new Color(
                (int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    /**
     * The text, shortened with an ellipsis if it is wider than {@code maxWidth} px in the current
     * font.
     */
    private static String fit(Graphics2D g, String text, int maxWidth) {
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(text) <= maxWidth) {
            return text;
        }
        String ellipsis = "…";
        int end = text.length();
        while (end > 0
                && fm.stringWidth(text.substring(0, end).stripTrailing() + ellipsis) > maxWidth) {
            end--;
        }
        return text.substring(0, end).stripTrailing() + ellipsis;
    }

    private static Font font(int style, int size) {
        return new Font(Font.SANS_SERIF, style, size);
    }
}
