package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class HeatmapGeoJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir Path dir;

    private JsonNode writeAndRead(List<JsonNode> releases) throws IOException {
        Path file = dir.resolve("out/heatmap.geojson");
        HeatmapGeoJson.write(releases, file);
        return MAPPER.readTree(file.toFile());
    }

    @Test
    void writesOneClosedCounterClockwisePolygonPerRelease() throws IOException {
        List<JsonNode> releases = new ArrayList<>();
        releases.add(Fixtures.heat(Fixtures.cell(53.35, -6.26), Fixtures.MORNING, 42));
        releases.add(Fixtures.heat(Fixtures.cell(52.52, 13.405), Fixtures.MORNING, 77));
        releases.add(Fixtures.heat(Fixtures.cell(40.4168, -3.7038), Fixtures.EVENING, 55));

        JsonNode fc = writeAndRead(releases);

        assertThat(fc.path("type").asText()).isEqualTo("FeatureCollection");
        assertThat(fc.path("features")).hasSize(3);
        for (JsonNode feature : fc.path("features")) {
            assertThat(feature.path("type").asText()).isEqualTo("Feature");
            assertThat(feature.path("geometry").path("type").asText()).isEqualTo("Polygon");
            JsonNode rings = feature.path("geometry").path("coordinates");
            assertThat(rings).hasSize(1);
            assertThat(rings.get(0).size())
                    .as("hexagon plus closing position")
                    .isGreaterThanOrEqualTo(7);
            assertClosedCounterClockwise(rings.get(0));
        }
    }

    @Test
    void copiesPropertiesAndOrdersByWindowThenCount() throws IOException {
        String dublin = Fixtures.cell(53.35, -6.26);
        String berlin = Fixtures.cell(52.52, 13.405);
        List<JsonNode> releases =
                List.of(
                        Fixtures.heat(dublin, Fixtures.EVENING, 99),
                        Fixtures.heat(dublin, Fixtures.MORNING, 42),
                        Fixtures.heat(berlin, Fixtures.MORNING, 77));

        JsonNode features = writeAndRead(releases).path("features");

        assertThat(features.findValuesAsText("cell")).containsExactly(berlin, dublin, dublin);
        JsonNode p = features.get(1).path("properties");
        assertThat(p.path("cell").asText()).isEqualTo(dublin);
        assertThat(p.path("window_start").asText()).isEqualTo("2026-11-28T09:00:00Z");
        assertThat(p.path("window_end").asText()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(p.path("count").asLong()).isEqualTo(42);
        assertThat(p.path("resolution").asInt()).isEqualTo(7);
        assertThat(p.path("epsilon").asDouble()).isEqualTo(1.0);
        assertThat(p.path("delta").asDouble()).isEqualTo(1.0E-6);
        assertThat(p.path("k").asInt()).isEqualTo(10);
        assertThat(p.path("noise").asText()).isEqualTo("discrete_laplace");
        assertThat(p.path("noise_scale").asDouble()).isEqualTo(2.0);
        assertThat(p.path("max_contributions").asInt()).isEqualTo(3);
        List<String> names = new ArrayList<>();
        p.fieldNames().forEachRemaining(names::add);
        assertThat(names).containsExactlyElementsOf(HeatmapGeoJson.PROPERTIES);
    }

    @Test
    void positionsAreLongitudeThenLatitude() throws IOException {
        JsonNode fc = writeAndRead(List.of(Fixtures.heat("8928308280fffff", Fixtures.MORNING, 50)));

        JsonNode ring = fc.path("features").get(0).path("geometry").path("coordinates").get(0);
        assertThat(ring).hasSize(7);
        double lon = 0;
        double lat = 0;
        for (int i = 0; i < ring.size() - 1; i++) {
            lon += ring.get(i).get(0).asDouble() / (ring.size() - 1);
            lat += ring.get(i).get(1).asDouble() / (ring.size() - 1);
        }
        assertThat(lon).isCloseTo(-122.418, within(0.005));
        assertThat(lat).isCloseTo(37.775, within(0.005));
    }

    @Test
    void pentagonHasSixPositions() throws IOException {
        // Resolution 0 pentagon 8009fffffffffff; its boundary gains distortion vertices only at odd
        // resolutions.
        JsonNode fc = writeAndRead(List.of(Fixtures.heat("8009fffffffffff", Fixtures.MORNING, 50)));

        JsonNode ring = fc.path("features").get(0).path("geometry").path("coordinates").get(0);
        assertThat(ring).hasSize(6);
        assertClosedCounterClockwise(ring);
    }

    @Test
    void splitsCellsCrossingTheAntimeridian() throws IOException {
        String cell = Fixtures.H3.latLngToCellAddress(0.0, 180.0, 2);
        assertThat(Fixtures.H3.cellToBoundary(cell))
                .anySatisfy(p -> assertThat(p.lng).isPositive())
                .anySatisfy(p -> assertThat(p.lng).isNegative());

        JsonNode geometry =
                writeAndRead(List.of(Fixtures.heat(cell, Fixtures.MORNING, 50)))
                        .path("features")
                        .get(0)
                        .path("geometry");

        assertThat(geometry.path("type").asText()).isEqualTo("MultiPolygon");
        JsonNode polygons = geometry.path("coordinates");
        assertThat(polygons).hasSize(2);
        for (JsonNode polygon : polygons) {
            JsonNode ring = polygon.get(0);
            assertClosedCounterClockwise(ring);
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (JsonNode p : ring) {
                min = Math.min(min, p.get(0).asDouble());
                max = Math.max(max, p.get(0).asDouble());
            }
            assertThat(min).isGreaterThanOrEqualTo(-180.0);
            assertThat(max).isLessThanOrEqualTo(180.0);
            assertThat(max - min).as("longitude span of one part").isLessThan(90.0);
            assertThat(Math.abs(min) == 180.0 || Math.abs(max) == 180.0)
                    .as("part touches the antimeridian")
                    .isTrue();
        }
    }

    @Test
    void cellAroundAPoleBecomesACapUpToTheLatitudeOfThePole() throws IOException {
        String cell = Fixtures.H3.latLngToCellAddress(90.0, 0.0, 1);

        JsonNode geometry =
                writeAndRead(List.of(Fixtures.heat(cell, Fixtures.MORNING, 50)))
                        .path("features")
                        .get(0)
                        .path("geometry");

        assertThat(geometry.path("type").asText()).isEqualTo("Polygon");
        JsonNode ring = geometry.path("coordinates").get(0);
        assertClosedCounterClockwise(ring);
        boolean reachesPole = false;
        for (JsonNode p : ring) {
            assertThat(p.get(0).asDouble()).isBetween(-180.0, 180.0);
            reachesPole |= p.get(1).asDouble() == 90.0;
        }
        assertThat(reachesPole).isTrue();
    }

    @Test
    void emptyInputGivesAnEmptyFeatureCollection() throws IOException {
        JsonNode fc = writeAndRead(List.of());

        assertThat(fc.path("type").asText()).isEqualTo("FeatureCollection");
        assertThat(fc.path("features").isArray()).isTrue();
        assertThat(fc.path("features")).isEmpty();
    }

    @Test
    void rejectsReleasesWithoutAValidCell() {
        JsonNode bad =
                Fixtures.heat(Fixtures.cell(53.35, -6.26), Fixtures.MORNING, 42)
                        .put("cell", "not-a-cell");

        assertThatThrownBy(() -> HeatmapGeoJson.write(List.of(bad), dir.resolve("x.geojson")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not-a-cell");
    }

    private static void assertClosedCounterClockwise(JsonNode ring) {
        assertThat(ring.size()).isGreaterThanOrEqualTo(6);
        JsonNode first = ring.get(0);
        JsonNode last = ring.get(ring.size() - 1);
        assertThat(last.get(0).asDouble()).isEqualTo(first.get(0).asDouble());
        assertThat(last.get(1).asDouble()).isEqualTo(first.get(1).asDouble());
        double area = 0;
        for (int i = 0; i < ring.size() - 1; i++) {
            JsonNode a = ring.get(i);
            JsonNode b = ring.get(i + 1);
            assertThat(a).hasSize(2);
            assertThat(a.get(1).asDouble()).isBetween(-90.0, 90.0);
            area +=
                    a.get(0).asDouble() * b.get(1).asDouble()
                            - b.get(0).asDouble() * a.get(1).asDouble();
        }
        assertThat(area / 2).as("signed area of the exterior ring").isPositive();
    }
}
