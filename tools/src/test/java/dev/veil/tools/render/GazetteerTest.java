package dev.veil.tools.render;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GazetteerTest {

    @Test
    void namesTheNearestPlaceWithinFiftyKilometres() {
        assertThat(Gazetteer.label(53.30, -6.20)).isEqualTo("Dublin");
        assertThat(Gazetteer.label(52.45, 13.30)).isEqualTo("Berlin");
        assertThat(Gazetteer.label(48.80, 2.40)).isEqualTo("Paris");
    }

    @Test
    void fallsBackToTheFormattedPosition() {
        assertThat(Gazetteer.label(53.35, -7.26)).isEqualTo("53.35°N 7.26°W");
        assertThat(Gazetteer.label(-33.87, 151.21)).isEqualTo("33.87°S 151.21°E");
    }

    @Test
    void knowsTheDemoCities() {
        assertThat(Gazetteer.PLACES)
                .extracting(Gazetteer.Place::name)
                .containsAll(
                        List.of(
                                "Dublin",
                                "Cork",
                                "Limerick",
                                "Galway",
                                "Belfast",
                                "Berlin",
                                "Madrid",
                                "London",
                                "Paris"));
    }

    @Test
    void distanceIsRoughlyRight() {
        assertThat(Geo.distanceKm(53.3498, -6.2603, 52.5200, 13.4050)).isBetween(1310.0, 1330.0);
    }
}
