package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.uber.h3core.util.LatLng;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Writes heat map releases as an RFC 7946 GeoJSON FeatureCollection, one Feature per release, for
 * kepler.gl, QGIS and similar tools.
 *
 * <p>Each Feature's geometry is the H3 cell boundary: positions are {@code [longitude, latitude]}
 * (WGS84 degrees, rounded to 7 decimals, about 1 cm), every ring is closed (the last position
 * repeats the first) and exterior rings are counter-clockwise (RFC 7946 §3.1.6). Properties are
 * {@code cell, window_start, window_end, count, resolution, epsilon, delta, k}, copied from the
 * release (JSON null when a release lacks one, except {@code cell}, which is required). Features
 * are ordered by window, then count (descending), then cell.
 *
 * <p><b>Antimeridian.</b> A cell whose boundary crosses the ±180° meridian is split there into a
 * {@code MultiPolygon} of two parts, one ending at longitude 180 and one starting at -180, as RFC
 * 7946 §3.1.9 asks, so no polygon spans the globe. A cell containing a pole (its boundary winds
 * once around it) becomes a single polygon that follows the boundary from -180° to 180° and closes
 * along the pole's latitude (±90°), which is how such a cap is drawn on a plate carrée map.
 */
public final class HeatmapGeoJson {

    /**
     * Property names copied from each release, in output order: with the noise, its scale and the
     * contribution bounds, so that an analyst can put an interval around each count.
     */
    public static final List<String> PROPERTIES =
            List.of(
                    "cell",
                    "window_start",
                    "window_end",
                    "count",
                    "resolution",
                    "epsilon",
                    "rho",
                    "delta",
                    "k",
                    "noise",
                    "noise_scale",
                    "threshold",
                    "max_contributions",
                    "max_per_category",
                    "key_epochs");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final double COORDINATE_SCALE = 1e7;

    private HeatmapGeoJson() {}

    /**
     * Writes the releases to {@code file} (UTF-8, parent directories created). An empty list gives
     * a valid, empty FeatureCollection.
     *
     * @param releases heat map release records ({@code cell} must be a valid H3 cell address)
     * @param file where to write, conventionally {@code *.geojson}
     * @throws IllegalArgumentException if a release has no valid {@code cell}
     * @throws IOException if the file cannot be written
     */
    public static void write(List<JsonNode> releases, Path file) throws IOException {
        ObjectNode collection = toFeatureCollection(releases);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            MAPPER.writeValue(out, collection);
        }
    }

    /**
     * Builds the FeatureCollection in memory (what {@link #write} writes).
     *
     * @param releases heat map release records
     * @return a GeoJSON FeatureCollection object
     */
    public static ObjectNode toFeatureCollection(List<JsonNode> releases) {
        List<JsonNode> sorted = new ArrayList<>(releases);
        sorted.sort(
                Comparator.comparing(Records.Window::of, Records.Window.ORDER)
                        .thenComparing(Comparator.comparingLong(Records::count).reversed())
                        .thenComparing(Records::cell));
        ObjectNode collection = NODES.objectNode();
        collection.put("type", "FeatureCollection");
        ArrayNode features = collection.putArray("features");
        for (JsonNode release : sorted) {
            features.add(feature(release));
        }
        return collection;
    }

    private static ObjectNode feature(JsonNode release) {
        String cell = Records.cell(release);
        ObjectNode feature = NODES.objectNode();
        feature.put("type", "Feature");
        feature.set("geometry", geometry(cell));
        ObjectNode properties = feature.putObject("properties");
        for (String name : PROPERTIES) {
            JsonNode value = release.get(name);
            properties.set(name, value == null ? NODES.nullNode() : value.deepCopy());
        }
        return feature;
    }

    /** GeoJSON geometry of a cell: a Polygon, or a MultiPolygon when split at the antimeridian. */
    static ObjectNode geometry(String cell) {
        List<List<double[]>> parts = rings(Geo.boundary(cell));
        ObjectNode geometry = NODES.objectNode();
        if (parts.size() == 1) {
            geometry.put("type", "Polygon");
            geometry.putArray("coordinates").add(ring(parts.get(0)));
        } else {
            geometry.put("type", "MultiPolygon");
            ArrayNode polygons = geometry.putArray("coordinates");
            for (List<double[]> part : parts) {
                polygons.addArray().add(ring(part));
            }
        }
        return geometry;
    }

    /**
     * Turns an H3 boundary into one or more open {@code [lon, lat]} rings with longitudes in [-180,
     * 180], each counter-clockwise.
     */
    static List<List<double[]>> rings(List<LatLng> boundary) {
        int n = boundary.size();
        // Unwrap longitudes so consecutive vertices never jump by more than 180 degrees.
        List<double[]> unwrapped = new ArrayList<>(n);
        double x = boundary.get(0).lng;
        unwrapped.add(new double[] {x, boundary.get(0).lat});
        for (int i = 1; i < n; i++) {
            x += Geo.wrapDelta(boundary.get(i).lng - boundary.get(i - 1).lng);
            unwrapped.add(new double[] {x, boundary.get(i).lat});
        }
        double winding =
                x
                        + Geo.wrapDelta(boundary.get(0).lng - boundary.get(n - 1).lng)
                        - unwrapped.get(0)[0];
        List<List<double[]>> result = new ArrayList<>(2);
        if (Math.abs(winding) > 180.0) {
            result.add(polarCap(boundary));
        } else {
            double min = unwrapped.stream().mapToDouble(p -> p[0]).min().orElseThrow();
            double max = unwrapped.stream().mapToDouble(p -> p[0]).max().orElseThrow();
            if (max > 180.0) {
                addIfArea(result, clip(unwrapped, 180.0, true), 0.0);
                addIfArea(result, clip(unwrapped, 180.0, false), -360.0);
            } else if (min < -180.0) {
                addIfArea(result, clip(unwrapped, -180.0, false), 0.0);
                addIfArea(result, clip(unwrapped, -180.0, true), 360.0);
            } else {
                result.add(unwrapped);
            }
        }
        result.replaceAll(HeatmapGeoJson::counterClockwise);
        return result;
    }

    /**
     * Cap around a pole: boundary sorted by longitude, joined to the pole along the ±180°
     * meridians.
     */
    private static List<double[]> polarCap(List<LatLng> boundary) {
        List<double[]> pts = new ArrayList<>();
        double latSum = 0;
        for (LatLng p : boundary) {
            pts.add(new double[] {Geo.wrapDelta(p.lng), p.lat});
            latSum += p.lat;
        }
        pts.sort(Comparator.comparingDouble(p -> p[0]));
        double poleLat = latSum >= 0 ? 90.0 : -90.0;
        double[] first = pts.get(0);
        double[] last = pts.get(pts.size() - 1);
        double gap = first[0] + 360.0 - last[0];
        double seamLat =
                gap == 0 ? last[1] : last[1] + (first[1] - last[1]) * (180.0 - last[0]) / gap;
        List<double[]> ring = new ArrayList<>();
        ring.add(new double[] {-180.0, seamLat});
        for (double[] p : pts) {
            if (p[0] > -180.0 && p[0] < 180.0) {
                ring.add(p);
            }
        }
        ring.add(new double[] {180.0, seamLat});
        ring.add(new double[] {180.0, poleLat});
        ring.add(new double[] {-180.0, poleLat});
        return ring;
    }

    /**
     * Sutherland–Hodgman clip of a ring at a meridian, keeping {@code x <= meridian} or {@code x >=
     * meridian}.
     */
    private static List<double[]> clip(List<double[]> ring, double meridian, boolean keepWest) {
        List<double[]> out = new ArrayList<>();
        int n = ring.size();
        for (int i = 0; i < n; i++) {
            double[] a = ring.get(i);
            double[] b = ring.get((i + 1) % n);
            boolean aIn = keepWest ? a[0] <= meridian : a[0] >= meridian;
            boolean bIn = keepWest ? b[0] <= meridian : b[0] >= meridian;
            if (aIn) {
                out.add(a);
            }
            if (aIn != bIn) {
                double t = (meridian - a[0]) / (b[0] - a[0]);
                double[] crossing = {meridian, a[1] + t * (b[1] - a[1])};
                if (!(aIn && a[0] == meridian) && !(bIn && b[0] == meridian)) {
                    out.add(crossing);
                }
            }
        }
        return out;
    }

    private static void addIfArea(List<List<double[]>> parts, List<double[]> ring, double shift) {
        if (ring.size() < 3 || Math.abs(signedArea(ring)) < 1e-12) {
            return;
        }
        List<double[]> shifted = new ArrayList<>(ring.size());
        for (double[] p : ring) {
            shifted.add(new double[] {p[0] + shift, p[1]});
        }
        parts.add(shifted);
    }

    private static List<double[]> counterClockwise(List<double[]> ring) {
        if (signedArea(ring) < 0) {
            List<double[]> reversed = new ArrayList<>(ring);
            Collections.reverse(reversed);
            return reversed;
        }
        return ring;
    }

    /**
     * Shoelace area in degree² of an open ring; positive when counter-clockwise (x east, y north).
     */
    static double signedArea(List<double[]> ring) {
        double sum = 0;
        int n = ring.size();
        for (int i = 0; i < n; i++) {
            double[] a = ring.get(i);
            double[] b = ring.get((i + 1) % n);
            sum += a[0] * b[1] - b[0] * a[1];
        }
        return sum / 2;
    }

    private static ArrayNode ring(List<double[]> open) {
        ArrayNode ring = NODES.arrayNode();
        for (double[] p : open) {
            ring.addArray().add(round(p[0])).add(round(p[1]));
        }
        double[] first = open.get(0);
        ring.addArray().add(round(first[0])).add(round(first[1]));
        return ring;
    }

    private static double round(double degrees) {
        return Math.round(degrees * COORDINATE_SCALE) / COORDINATE_SCALE;
    }
}
