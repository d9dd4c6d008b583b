package dev.veil.tools.render;

import com.uber.h3core.H3Core;
import com.uber.h3core.util.LatLng;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/** H3 access and small spherical helpers shared by the renderers. */
final class Geo {

    /** Mean Earth radius, km. */
    static final double EARTH_RADIUS_KM = 6371.0088;

    private static final H3Core H3;

    static {
        try {
            H3 = H3Core.newInstance();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the H3 native library", e);
        }
    }

    private Geo() {}

    /** Checks that {@code cell} is a valid H3 cell address and returns it. */
    static String requireValidCell(String cell) {
        if (cell == null || !H3.isValidCell(cell)) {
            throw new IllegalArgumentException("not a valid H3 cell: " + cell);
        }
        return cell;
    }

    /** Centre of a cell. */
    static LatLng centre(String cell) {
        return H3.cellToLatLng(requireValidCell(cell));
    }

    /** Boundary vertices of a cell in H3 order, not closed (the first vertex is not repeated). */
    static List<LatLng> boundary(String cell) {
        return H3.cellToBoundary(requireValidCell(cell));
    }

    /** Great-circle distance between two points, km. */
    static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double p1 = Math.toRadians(lat1);
        double p2 = Math.toRadians(lat2);
        double dp = p2 - p1;
        double dl = Math.toRadians(lon2 - lon1);
        double a =
                Math.sin(dp / 2) * Math.sin(dp / 2)
                        + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(a)));
    }

    /** Maps a longitude difference into [-180, 180). */
    static double wrapDelta(double deltaLon) {
        double d = (deltaLon + 180.0) % 360.0;
        if (d < 0) {
            d += 360.0;
        }
        return d - 180.0;
    }

    /** Human-readable position, for example "53.35°N 6.26°W". */
    static String formatLatLon(double lat, double lon) {
        double l = wrapDelta(lon);
        return String.format(
                Locale.ROOT,
                "%.2f°%s %.2f°%s",
                Math.abs(lat),
                lat >= 0 ? "N" : "S",
                Math.abs(l),
                l >= 0 ? "E" : "W");
    }
}
