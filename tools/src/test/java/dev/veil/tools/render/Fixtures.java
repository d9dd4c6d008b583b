package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.uber.h3core.H3Core;
import com.uber.h3core.util.LatLng;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Synthetic release records built from real H3 cells. */
final class Fixtures {

    static final H3Core H3;
    static final String MORNING = "2026-11-28T09:00:00Z";
    static final String EVENING = "2026-11-28T18:00:00Z";

    static {
        try {
            H3 = H3Core.newInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Fixtures() {}

    /** Resolution 7 cell containing the point. */
    static String cell(double lat, double lon) {
        return H3.latLngToCellAddress(lat, lon, 7);
    }

    /** A heat map release for a one-hour window starting at {@code windowStart}. */
    static ObjectNode heat(String cell, String windowStart, long count) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("release", "heatmap");
        r.put("window_start", windowStart);
        r.put("window_end", Instant.parse(windowStart).plus(1, ChronoUnit.HOURS).toString());
        r.put("cell", cell);
        r.put("resolution", H3.getResolution(cell));
        r.put("count", count);
        r.put("epsilon", 1.0);
        r.put("delta", 1.0E-6);
        r.put("k", 10);
        r.put("max_contributions", 3);
        r.put("threshold", 39);
        r.put("noise", "discrete_laplace");
        r.put("noise_scale", 2.0);
        r.put("max_per_category", 1);
        r.put("key_epochs", 1);
        r.put("rules_version", "test");
        return r;
    }

    /** A usage release. */
    static ObjectNode usage(String windowStart, String release, String category, long count) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("release", release);
        r.put("window_start", windowStart);
        r.put("window_end", Instant.parse(windowStart).plus(1, ChronoUnit.HOURS).toString());
        r.put("category", category);
        r.put("count", count);
        r.put("epsilon", 0.5);
        r.put("delta", 1e-6);
        r.put("k", 10);
        r.put("max_contributions", 2);
        r.put("max_per_category", 1);
        r.put("threshold", 37);
        r.put("noise", "discrete_laplace");
        r.put("noise_scale", 4.0);
        r.put("key_epochs", 1);
        return r;
    }

    /**
     * Releases for every cell within {@code rings} grid steps of a city centre, with counts falling
     * off from {@code peak} in the middle (and a deterministic ripple so neighbouring cells
     * differ).
     */
    static List<JsonNode> city(double lat, double lon, int rings, long peak, String windowStart) {
        String centre = cell(lat, lon);
        LatLng c = H3.cellToLatLng(centre);
        List<JsonNode> out = new ArrayList<>();
        for (String cell : H3.gridDisk(centre, rings)) {
            LatLng p = H3.cellToLatLng(cell);
            double dKm =
                    Math.hypot(
                            (p.lat - c.lat) * 110.6,
                            (p.lng - c.lng) * 111.3 * Math.cos(Math.toRadians(lat)));
            double falloff = Math.exp(-dKm / (rings * 1.1));
            double ripple = 1 + 0.25 * Math.sin(p.lat * 900) * Math.cos(p.lng * 700);
            long count = Math.round(40 + (peak - 40) * falloff * ripple);
            out.add(heat(cell, windowStart, Math.max(40, count)));
        }
        return out;
    }

    /** The demo's seven cities in one busy window plus a smaller, earlier window. */
    static List<JsonNode> demo() {
        List<JsonNode> all = new ArrayList<>();
        all.addAll(city(53.3498, -6.2603, 9, 420, EVENING));
        all.addAll(city(51.8985, -8.4756, 6, 220, EVENING));
        all.addAll(city(52.6638, -8.6267, 3, 160, EVENING));
        all.addAll(city(53.2707, -9.0568, 3, 140, EVENING));
        all.addAll(city(54.5973, -5.9301, 6, 200, EVENING));
        all.addAll(city(52.5200, 13.4050, 10, 380, EVENING));
        all.addAll(city(40.4168, -3.7038, 9, 300, EVENING));
        all.addAll(city(53.3498, -6.2603, 3, 90, MORNING));
        return all;
    }
}
