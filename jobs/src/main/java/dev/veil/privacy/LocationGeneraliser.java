package dev.veil.privacy;

import com.uber.h3core.H3Core;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Generalises WGS 84 coordinates to an H3 cell (Uber's hierarchical hexagonal grid,
 * https://h3geo.org), the same cell for every point inside it. Resolution 0 has 122 cells
 * worldwide; each finer resolution divides a cell's area by about 7 (resolution 9 cells are about
 * 0.1 km², resolution 7 about 5 km²).
 *
 * <p>Out-of-range coordinates are rejected, never wrapped or snapped to an edge cell: a wrong cell
 * is worse than a dead-letter record.
 *
 * <p>All instances share one {@link H3Core} (native library unpacked and loaded once, lazily, on
 * first use); H3Core is documented as thread-safe. This class is immutable and thread-safe.
 */
public final class LocationGeneraliser {

    private static final int MIN_RESOLUTION = 0;
    private static final int MAX_RESOLUTION = 15;

    private static final String INVALID_CELL = "invalid_cell";

    private final int resolution;

    /**
     * Creates a generaliser.
     *
     * @param resolution H3 resolution, 0 (coarsest) to 15 (finest)
     * @throws IllegalArgumentException if {@code resolution} is out of range; the message quotes it
     */
    public LocationGeneraliser(int resolution) {
        checkResolution(resolution, "resolution");
        this.resolution = resolution;
    }

    /**
     * Returns the H3 cell containing a point ({@link H3Core#latLngToCellAddress(double, double,
     * int)}).
     *
     * @param lat latitude in decimal degrees, -90 to 90 inclusive ({@code -0.0} is accepted)
     * @param lon longitude in decimal degrees, -180 to 180 inclusive
     * @return the cell index as 15 lower-case hexadecimal characters, for example {@code
     *     "8928308280fffff"}
     * @throws InvalidValueException reason {@code "invalid_coordinates"} if a coordinate is NaN,
     *     infinite or out of range; the message never contains the coordinates
     * @throws UncheckedIOException if the H3 native library cannot be loaded (first call only)
     */
    public String cell(double lat, double lon) throws InvalidValueException {
        // Written so that NaN fails the comparisons.
        if (!(lat >= -90.0 && lat <= 90.0)) {
            throw new InvalidValueException(
                    "invalid_coordinates", "latitude is not a number between -90 and 90");
        }
        if (!(lon >= -180.0 && lon <= 180.0)) {
            throw new InvalidValueException(
                    "invalid_coordinates", "longitude is not a number between -180 and 180");
        }
        return H3.CORE.latLngToCellAddress(lat, lon, resolution);
    }

    /**
     * Coarsens a cell to its ancestor at a coarser (or the same) resolution ({@link
     * H3Core#cellToParentAddress(String, int)}).
     *
     * @param cellAddress a valid H3 cell index in hexadecimal (either case)
     * @param coarserResolution target resolution, 0 to 15, not finer than the cell's own resolution
     * @return the ancestor cell as lower-case hexadecimal
     * @throws InvalidValueException reason {@code "invalid_cell"} if {@code cellAddress} is null,
     *     not hexadecimal, not a valid H3 cell, or finer than {@code coarserResolution}; the
     *     message never contains the address
     * @throws IllegalArgumentException if {@code coarserResolution} is not 0 to 15; the message
     *     quotes it
     * @throws UncheckedIOException if the H3 native library cannot be loaded (first call only)
     */
    public static String parent(String cellAddress, int coarserResolution)
            throws InvalidValueException {
        checkResolution(coarserResolution, "coarserResolution");
        if (cellAddress == null || cellAddress.isEmpty() || cellAddress.length() > 16) {
            throw new InvalidValueException(
                    INVALID_CELL, "H3 cell address must be 1 to 16 hexadecimal characters");
        }
        for (int i = 0; i < cellAddress.length(); i++) {
            if (Character.digit(cellAddress.charAt(i), 16) < 0) {
                throw new InvalidValueException(INVALID_CELL, "H3 cell address is not hexadecimal");
            }
        }
        H3Core h3 = H3.CORE;
        long cell = Long.parseUnsignedLong(cellAddress, 16);
        if (!h3.isValidCell(cell)) {
            throw new InvalidValueException(INVALID_CELL, "not a valid H3 cell");
        }
        int own = h3.getResolution(cell);
        if (coarserResolution > own) {
            throw new InvalidValueException(
                    INVALID_CELL,
                    "cell has resolution "
                            + own
                            + ", which is coarser than the requested "
                            + coarserResolution);
        }
        return h3.h3ToString(h3.cellToParent(cell, coarserResolution));
    }

    private static void checkResolution(int value, String name) {
        if (value < MIN_RESOLUTION || value > MAX_RESOLUTION) {
            throw new IllegalArgumentException(
                    name
                            + " must be between "
                            + MIN_RESOLUTION
                            + " and "
                            + MAX_RESOLUTION
                            + ", was "
                            + value);
        }
    }

    /**
     * Initialisation-on-demand holder: the JVM runs the initialiser once, lazily, with safe
     * publication.
     */
    private static final class H3 {
        static final H3Core CORE = load();

        private static H3Core load() {
            try {
                return H3Core.newInstance();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the H3 native library", e);
            }
        }
    }
}
