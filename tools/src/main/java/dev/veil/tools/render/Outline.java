package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The offline outline drawn behind heat map cells: coasts and country borders of Natural Earth at
 * 1:50m (public domain), from the TopoJSON of the npm package world-atlas (ISC licence) that the
 * build fetches (see {@code tools/pom.xml} and {@code THIRD-PARTY.md}).
 *
 * <p>The topology's arcs are exactly the coast and border lines, each once; land polygons are the
 * rings of its {@code land} object. Coordinates are {@code [lon, lat]} degrees in [-180, 180] x
 * [-90, 90] (Natural Earth is cut at the antimeridian). Loaded once, lazily; immutable and
 * thread-safe after that.
 */
final class Outline {

    /** Classpath location of the TopoJSON. */
    static final String RESOURCE = "/veil/world-atlas/package/countries-50m.json";

    /** One polyline or ring, {@code [lon, lat]} pairs, with its bounding box. */
    record Line(double[][] points, double minLon, double minLat, double maxLon, double maxLat) {

        static Line of(double[][] points) {
            double x0 = Double.POSITIVE_INFINITY;
            double y0 = Double.POSITIVE_INFINITY;
            double x1 = Double.NEGATIVE_INFINITY;
            double y1 = Double.NEGATIVE_INFINITY;
            for (double[] p : points) {
                x0 = Math.min(x0, p[0]);
                y0 = Math.min(y0, p[1]);
                x1 = Math.max(x1, p[0]);
                y1 = Math.max(y1, p[1]);
            }
            return new Line(points, x0, y0, x1, y1);
        }

        /** Whether the bounding boxes overlap. */
        boolean intersects(double west, double south, double east, double north) {
            return maxLon >= west && minLon <= east && maxLat >= south && minLat <= north;
        }
    }

    private static volatile Outline instance;

    private final List<Line> arcs;
    private final List<Line> land;

    private Outline(List<Line> arcs, List<Line> land) {
        this.arcs = List.copyOf(arcs);
        this.land = List.copyOf(land);
    }

    /**
     * The outline, read from the classpath on first use.
     *
     * @throws IllegalStateException if the resource is missing (the build did not fetch it)
     */
    static Outline get() {
        Outline o = instance;
        if (o == null) {
            synchronized (Outline.class) {
                o = instance;
                if (o == null) {
                    o = load();
                    instance = o;
                }
            }
        }
        return o;
    }

    private static Outline load() {
        try (InputStream in = Outline.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "Natural Earth outline "
                                + RESOURCE
                                + " not on the classpath: build tools with Maven (it fetches"
                                + " world-atlas)");
            }
            return decode(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Decodes a quantised TopoJSON topology with a {@code land} object. */
    static Outline decode(JsonNode topology) {
        JsonNode transform = topology.path("transform");
        double sx = transform.path("scale").path(0).asDouble(1);
        double sy = transform.path("scale").path(1).asDouble(1);
        double tx = transform.path("translate").path(0).asDouble(0);
        double ty = transform.path("translate").path(1).asDouble(0);
        boolean quantised = transform.isObject();
        List<Line> arcs = new ArrayList<>();
        for (JsonNode arc : topology.path("arcs")) {
            double[][] points = new double[arc.size()][];
            double x = 0;
            double y = 0;
            for (int i = 0; i < arc.size(); i++) {
                JsonNode p = arc.get(i);
                if (quantised) {
                    x += p.get(0).asDouble();
                    y += p.get(1).asDouble();
                    points[i] = new double[] {x * sx + tx, y * sy + ty};
                } else {
                    points[i] = new double[] {p.get(0).asDouble(), p.get(1).asDouble()};
                }
            }
            arcs.add(Line.of(points));
        }
        List<Line> land = new ArrayList<>();
        for (JsonNode geometry : topology.path("objects").path("land").path("geometries")) {
            addPolygons(geometry, arcs, land);
        }
        if (topology.path("objects").path("land").has("arcs")) {
            addPolygons(topology.path("objects").path("land"), arcs, land);
        }
        return new Outline(arcs, land);
    }

    private static void addPolygons(JsonNode geometry, List<Line> arcs, List<Line> out) {
        String type = geometry.path("type").asText();
        if (type.equals("Polygon")) {
            for (JsonNode ring : geometry.path("arcs")) {
                out.add(ring(ring, arcs));
            }
        } else if (type.equals("MultiPolygon")) {
            for (JsonNode polygon : geometry.path("arcs")) {
                for (JsonNode ring : polygon) {
                    out.add(ring(ring, arcs));
                }
            }
        }
    }

    /** Joins arcs into a ring; index {@code ~i} is arc {@code i} reversed (TopoJSON). */
    private static Line ring(JsonNode arcIndexes, List<Line> arcs) {
        List<double[]> points = new ArrayList<>();
        for (JsonNode index : arcIndexes) {
            int i = index.asInt();
            double[][] arc = arcs.get(i >= 0 ? i : ~i).points();
            int n = arc.length;
            for (int j = points.isEmpty() ? 0 : 1; j < n; j++) {
                points.add(arc[i >= 0 ? j : n - 1 - j]);
            }
        }
        return Line.of(points.toArray(new double[0][]));
    }

    /** Every coast and border line. */
    List<Line> arcs() {
        return arcs;
    }

    /** Every land ring (outer rings and lakes' holes alike; fill them even-odd). */
    List<Line> land() {
        return land;
    }

    /** The coast and border lines whose bounding box meets the given one. */
    List<Line> arcsWithin(double west, double south, double east, double north) {
        return arcs.stream().filter(a -> a.intersects(west, south, east, north)).toList();
    }

    /**
     * The coast and border lines meeting the box as a GeoJSON MultiLineString, coordinates rounded
     * to 4 decimals (about 10 m), for inlining into a page.
     */
    ObjectNode toMultiLineString(double west, double south, double east, double north) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode geometry = f.objectNode();
        geometry.put("type", "MultiLineString");
        ArrayNode lines = geometry.putArray("coordinates");
        for (Line a : arcsWithin(west, south, east, north)) {
            ArrayNode line = lines.addArray();
            for (double[] p : a.points()) {
                line.addArray().add(Math.round(p[0] * 1e4) / 1e4).add(Math.round(p[1] * 1e4) / 1e4);
            }
        }
        return geometry;
    }
}
