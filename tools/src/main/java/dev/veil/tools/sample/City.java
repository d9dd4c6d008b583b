package dev.veil.tools.sample;

import java.util.List;

/**
 * Home cities of the synthetic data subjects, with the share of subjects living there and what a
 * phone sees there.
 */
enum City {
    DUBLIN("Dublin", 53.3498, -6.2603, 6.0, 38, 0, 272, List.of(1, 2, 3, 5)),
    CORK("Cork", 51.8985, -8.4756, 4.0, 14, 0, 272, List.of(1, 2, 3, 5)),
    LIMERICK("Limerick", 52.6638, -8.6267, 3.0, 9, 0, 272, List.of(1, 2, 3, 5)),
    GALWAY("Galway", 53.2707, -9.0568, 3.0, 7, 0, 272, List.of(1, 2, 3, 5)),
    BELFAST("Belfast", 54.5973, -5.9301, 4.0, 12, 0, 234, List.of(10, 15, 20, 30)),
    BERLIN("Berlin", 52.5200, 13.4050, 8.0, 11, 1, 262, List.of(1, 2, 3)),
    MADRID("Madrid", 40.4168, -3.7038, 7.0, 9, 1, 214, List.of(1, 3, 4, 7));

    private final String label;
    private final double lat;
    private final double lon;
    private final double radiusKm;
    private final int weight;
    private final int utcOffsetHours;
    private final int mcc;
    private final List<Integer> mncs;

    City(
            String label,
            double lat,
            double lon,
            double radiusKm,
            int weight,
            int utcOffsetHours,
            int mcc,
            List<Integer> mncs) {
        this.label = label;
        this.lat = lat;
        this.lon = lon;
        this.radiusKm = radiusKm;
        this.weight = weight;
        this.utcOffsetHours = utcOffsetHours;
        this.mcc = mcc;
        this.mncs = mncs;
    }

    /** City name as people type it, for example "Dublin". */
    String label() {
        return label;
    }

    /** Latitude of the centre, WGS84 degrees. */
    double lat() {
        return lat;
    }

    /** Longitude of the centre, WGS84 degrees. */
    double lon() {
        return lon;
    }

    /** Rough radius of the built-up area, km. */
    double radiusKm() {
        return radiusKm;
    }

    /** Relative share of subjects living here (weights of all cities add up to 100). */
    int weight() {
        return weight;
    }

    /** Offset of local time from UTC in late autumn, hours. */
    int utcOffsetHours() {
        return utcOffsetHours;
    }

    /** Mobile country code of the local networks. */
    int mcc() {
        return mcc;
    }

    /** Mobile network codes of the local operators. */
    List<Integer> mncs() {
        return mncs;
    }
}
