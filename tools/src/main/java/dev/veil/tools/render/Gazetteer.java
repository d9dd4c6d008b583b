package dev.veil.tools.render;

import java.util.List;
import java.util.Optional;

/** A tiny built-in list of places used to name map panels and table rows. */
final class Gazetteer {

    /** A named place. */
    record Place(String name, double lat, double lon) {}

    /** Places are only used as a label when the point lies within this distance. */
    static final double MAX_LABEL_DISTANCE_KM = 50.0;

    static final List<Place> PLACES =
            List.of(
                    new Place("Dublin", 53.3498, -6.2603),
                    new Place("Cork", 51.8985, -8.4756),
                    new Place("Limerick", 52.6638, -8.6267),
                    new Place("Galway", 53.2707, -9.0568),
                    new Place("Belfast", 54.5973, -5.9301),
                    new Place("Berlin", 52.5200, 13.4050),
                    new Place("Madrid", 40.4168, -3.7038),
                    new Place("London", 51.5074, -0.1278),
                    new Place("Paris", 48.8566, 2.3522));

    private Gazetteer() {}

    /** The nearest place within {@link #MAX_LABEL_DISTANCE_KM} of the point, if any. */
    static Optional<Place> nearest(double lat, double lon) {
        Place best = null;
        double bestKm = MAX_LABEL_DISTANCE_KM;
        for (Place p : PLACES) {
            double km = Geo.distanceKm(lat, lon, p.lat(), p.lon());
            if (km <= bestKm) {
                best = p;
                bestKm = km;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The nearest place name, or the position as "53.35°N 6.26°W" when no place is near. */
    static String label(double lat, double lon) {
        return nearest(lat, lon).map(Place::name).orElseGet(() -> Geo.formatLatLon(lat, lon));
    }
}
