package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.uber.h3core.util.LatLng;

import java.awt.Color;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the heat map as one self-contained HTML page ({@code out/heatmap.html}): every window
 * behind a time slider, cells coloured by count over an OpenStreetMap basemap when online and a
 * Natural Earth outline always, a legend with the privacy parameters and a hover per cell with its
 * window, count and an approximate ±2 sd interval of the noise.
 *
 * <p>Leaflet's JS and CSS (from the WebJar on the classpath), the outline near the cells ({@link
 * Outline}) and the records are inlined, so the page opens from disk with no network; only the
 * basemap tiles are fetched, and their failure leaves the outline in view. Cell polygons are
 * computed here with H3 ({@link HeatmapGeoJson#geometry}), split at the antimeridian like the
 * GeoJSON. Windows are ordered chronologically; the page opens on the window with the most cells.
 *
 * <p>For tests and scripts the page sets {@code window.veilHeatmap}: {@code ready}, {@code windows}
 * (how many), {@code show(i)} (draws window i, returns the polygons drawn), {@code drawnCells()}
 * (cell polygons in the map now), {@code cellsIn(i)}, {@code tiles} (tiles loaded and failed) and
 * {@code errors} (script errors caught by the page).
 *
 * <p>Stateless and thread-safe.
 */
public final class HeatmapHtml {

    /** Degrees of longitude and latitude of outline kept around the cells' bounding box. */
    static final double OUTLINE_MARGIN_DEGREES = 6.0;

    private static final String TEMPLATE = "/veil/heatmap/heatmap.html";
    private static final String LEAFLET_POM =
            "/META-INF/maven/org.webjars.npm/leaflet/pom.properties";
    private static final String WORLD_ATLAS_PACKAGE = "/veil/world-atlas/package/package.json";

    /** Release fields copied into each cell of the page, beside the window index. */
    static final List<String> PROPERTIES;

    static {
        List<String> p = new ArrayList<>(HeatmapGeoJson.PROPERTIES);
        p.add("release");
        p.add("time_zone");
        p.add("local_window_start");
        PROPERTIES = List.copyOf(p);
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern TOKEN = Pattern.compile("@([A-Z_]+)@");
    private static final Pattern CSS_IMAGE = Pattern.compile("url\\(images/[^)]*\\)");

    private HeatmapHtml() {}

    /**
     * Writes the page for {@code releases} to {@code file} (UTF-8, parent directories created).
     * With no releases the page shows the basemap and says that no cell passed suppression.
     *
     * @param releases heat map release records (any windows, any order)
     * @param file where to write, conventionally {@code out/heatmap.html}
     * @param title headline of the page
     * @throws IllegalArgumentException if a release has no valid cell or count
     * @throws IOException if the file cannot be written
     */
    public static void write(List<JsonNode> releases, Path file, String title) throws IOException {
        String page = render(releases, title);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, page, StandardCharsets.UTF_8);
    }

    /**
     * The page {@link #write} writes.
     *
     * @param releases heat map release records
     * @param title headline of the page
     * @return the HTML text
     */
    public static String render(List<JsonNode> releases, String title) {
        String headline = title == null || title.isBlank() ? "Veil heat map" : title;
        Map<String, String> values = new HashMap<>();
        values.put("TITLE", escapeHtml(headline));
        values.put("LEAFLET_VERSION", leafletVersion());
        values.put("WORLD_ATLAS_VERSION", worldAtlasVersion());
        values.put("LEAFLET_CSS", CSS_IMAGE.matcher(leaflet("leaflet.css")).replaceAll("none"));
        values.put("LEAFLET_JS", leaflet("leaflet.js"));
        values.put("RAMP_CSS", rampCss());
        values.put("RAMP_JSON", rampJson());
        values.put("DATA", scriptSafe(data(releases).toString()));
        Matcher m = TOKEN.matcher(resource(TEMPLATE));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("unknown token in " + TEMPLATE + ": " + m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The page's data: {@code windows} (chronological, each with {@code start}, {@code end}, a UTC
     * {@code label} and, in a time zone, a {@code local} label), {@code cells} (GeoJSON features
     * with {@link #PROPERTIES} and {@code window_index}), {@code outline} (a MultiLineString of the
     * coasts and borders near the cells) and {@code bounds} ({@code [[south, west], [north, east]]}
     * of the cell centres, or null).
     */
    static ObjectNode data(List<JsonNode> releases) {
        Map<Records.Window, List<JsonNode>> byWindow = new TreeMap<>(Records.Window.ORDER);
        for (JsonNode r : releases) {
            byWindow.computeIfAbsent(Records.Window.of(r), w -> new ArrayList<>()).add(r);
        }
        ObjectNode data = NODES.objectNode();
        ArrayNode windows = data.putArray("windows");
        ArrayNode cells = data.putArray("cells");
        double south = Double.POSITIVE_INFINITY;
        double north = Double.NEGATIVE_INFINITY;
        double west = Double.POSITIVE_INFINITY;
        double east = Double.NEGATIVE_INFINITY;
        int index = 0;
        for (Map.Entry<Records.Window, List<JsonNode>> e : byWindow.entrySet()) {
            Records.Window w = e.getKey();
            ObjectNode window = windows.addObject();
            window.put("start", w.start());
            window.put("end", w.end());
            window.put("label", w.label("–"));
            String local = Records.text(e.getValue().get(0), "local_window_start");
            String zone = Records.text(e.getValue().get(0), "time_zone");
            if (local != null) {
                window.put("local", local + (zone == null ? "" : " " + zone));
            } else {
                window.putNull("local");
            }
            for (JsonNode r : e.getValue()) {
                String cell = Records.cell(r);
                long count = Records.count(r);
                ObjectNode feature = cells.addObject();
                feature.put("type", "Feature");
                feature.set("geometry", HeatmapGeoJson.geometry(cell));
                ObjectNode properties = feature.putObject("properties");
                for (String name : PROPERTIES) {
                    JsonNode value = r.get(name);
                    if (value != null && !value.isNull()) {
                        properties.set(name, value.deepCopy());
                    }
                }
                properties.put("count", count);
                properties.put("window_index", index);
                LatLng c = Geo.centre(cell);
                south = Math.min(south, c.lat);
                north = Math.max(north, c.lat);
                west = Math.min(west, c.lng);
                east = Math.max(east, c.lng);
            }
            index++;
        }
        if (releases.isEmpty()) {
            data.putNull("bounds");
            data.putNull("outline");
        } else {
            ArrayNode bounds = data.putArray("bounds");
            bounds.addArray().add(south).add(west);
            bounds.addArray().add(north).add(east);
            data.set(
                    "outline",
                    Outline.get()
                            .toMultiLineString(
                                    west - OUTLINE_MARGIN_DEGREES,
                                    south - OUTLINE_MARGIN_DEGREES,
                                    east + OUTLINE_MARGIN_DEGREES,
                                    north + OUTLINE_MARGIN_DEGREES));
        }
        return data;
    }

    /**
     * JSON made safe inside a {@code <script>} element: {@code <} only occurs in JSON strings,
     * where {@code \u003c} means the same, so no {@code </script>} can end the element early.
     */
    static String scriptSafe(String json) {
        return json.replace("<", "\\u003c")
                .replace("\u2028", "\\u2028")
                .replace("\u2029", "\\u2029");
    }

    static String escapeHtml(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    private static String rampCss() {
        List<String> stops = new ArrayList<>();
        for (Color c : HeatmapPng.rampStops()) {
            stops.add(String.format("#%06x", c.getRGB() & 0xFFFFFF));
        }
        return String.join(", ", stops);
    }

    private static String rampJson() {
        ArrayNode ramp = NODES.arrayNode();
        for (Color c : HeatmapPng.rampStops()) {
            ramp.addArray().add(c.getRed()).add(c.getGreen()).add(c.getBlue());
        }
        return ramp.toString();
    }

    private static String leaflet(String file) {
        return resource(
                "/META-INF/resources/webjars/leaflet/" + leafletVersion() + "/dist/" + file);
    }

    static String leafletVersion() {
        Properties p = new Properties();
        try (InputStream in = HeatmapHtml.class.getResourceAsStream(LEAFLET_POM)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Leaflet WebJar not on the classpath (" + LEAFLET_POM + ")");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    static String worldAtlasVersion() {
        try {
            return MAPPER.readTree(resource(WORLD_ATLAS_PACKAGE)).path("version").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) {
        try (InputStream in = HeatmapHtml.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " not on the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
