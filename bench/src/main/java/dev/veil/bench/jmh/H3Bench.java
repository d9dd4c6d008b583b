package dev.veil.bench.jmh;

import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.LocationGeneraliser;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Location generalisation with H3 (JNI into the native H3 library): {@code
 * LocationGeneraliser(9).cell(lat, lon)} (the location output's rule) and {@link
 * LocationGeneraliser#parent} of a resolution 9 cell to resolution 7 (the heat-map aggregate's
 * coarsening). Four points, rotated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class H3Bench {

    /** Dublin, Cork, Galway, New York (lat, lon). */
    private static final double[][] POINTS = {
        {53.343792, -6.254572},
        {51.896892, -8.486316},
        {53.270962, -9.062691},
        {40.689247, -74.044502},
    };

    private LocationGeneraliser generaliser;
    private String[] cells;
    private int i;

    @Setup
    public void setup() throws InvalidValueException {
        generaliser = new LocationGeneraliser(9);
        cells = new String[POINTS.length];
        for (int k = 0; k < POINTS.length; k++) {
            cells[k] = generaliser.cell(POINTS[k][0], POINTS[k][1]);
        }
    }

    private int next() {
        int k = i + 1;
        i = k == POINTS.length ? 0 : k;
        return i;
    }

    @Benchmark
    public String cellRes9() throws InvalidValueException {
        double[] p = POINTS[next()];
        return generaliser.cell(p[0], p[1]);
    }

    @Benchmark
    public String parentRes7() throws InvalidValueException {
        return LocationGeneraliser.parent(cells[next()], 7);
    }
}
