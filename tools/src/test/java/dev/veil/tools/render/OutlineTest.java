package dev.veil.tools.render;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OutlineTest {

    @Test
    void get_decodesCoastsAndBordersWithinLongitudeAndLatitudeRanges() {
        Outline outline = Outline.get();

        assertThat(outline.arcs()).hasSizeGreaterThan(1000);
        assertThat(outline.land()).hasSizeGreaterThan(100);
        for (Outline.Line line : outline.arcs()) {
            assertThat(line.minLon()).isGreaterThanOrEqualTo(-180.0);
            assertThat(line.maxLon()).isLessThanOrEqualTo(180.0);
            assertThat(line.minLat()).isGreaterThanOrEqualTo(-90.0);
            assertThat(line.maxLat()).isLessThanOrEqualTo(90.0);
        }
    }

    @Test
    void land_containsDublinAndBerlinButNotTheIrishSeaOrTheBayOfBiscay() {
        List<Outline.Line> land = Outline.get().land();

        assertThat(inside(land, 53.35, -6.26)).as("Dublin").isTrue();
        assertThat(inside(land, 52.52, 13.405)).as("Berlin").isTrue();
        assertThat(inside(land, 53.6, -5.2)).as("Irish Sea").isFalse();
        assertThat(inside(land, 45.5, -5.0)).as("Bay of Biscay").isFalse();
    }

    @Test
    void arcsWithin_keepsOnlyLinesNearTheBox() {
        Outline outline = Outline.get();

        List<Outline.Line> ireland = outline.arcsWithin(-11, 51, -5, 55.5);

        assertThat(ireland).isNotEmpty().hasSizeLessThan(outline.arcs().size() / 10);
        assertThat(ireland).allMatch(l -> l.intersects(-11, 51, -5, 55.5));
        assertThat(outline.toMultiLineString(-11, 51, -5, 55.5).path("coordinates").size())
                .isEqualTo(ireland.size());
    }

    /** Even-odd point in polygon over all rings. */
    private static boolean inside(List<Outline.Line> rings, double lat, double lon) {
        boolean in = false;
        for (Outline.Line ring : rings) {
            double[][] p = ring.points();
            for (int i = 0, j = p.length - 1; i < p.length; j = i++) {
                if ((p[i][1] > lat) != (p[j][1] > lat)
                        && lon
                                < (p[j][0] - p[i][0]) * (lat - p[i][1]) / (p[j][1] - p[i][1])
                                        + p[i][0]) {
                    in = !in;
                }
            }
        }
        return in;
    }
}
