package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.uber.h3core.util.LatLng;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopCellsTest {

    private final String dublin = Fixtures.cell(53.35, -6.26);
    private final String berlin = Fixtures.cell(52.52, 13.405);
    private final String nowhere = Fixtures.cell(47.0, -30.0);

    private final List<JsonNode> releases =
            List.of(
                    Fixtures.heat(dublin, Fixtures.MORNING, 42),
                    Fixtures.heat(berlin, Fixtures.MORNING, 77),
                    Fixtures.heat(dublin, Fixtures.EVENING, 77),
                    Fixtures.heat(nowhere, Fixtures.EVENING, 50));

    @Test
    void listsCellsByCountDescendingWithTiesByWindow() {
        String table = TopCells.format(releases, 3);

        String[] lines = table.split("\n");
        assertThat(lines).hasSize(5);
        assertThat(lines[0]).contains("window (UTC)", "cell", "count", "lat", "lon");
        assertThat(lines[1]).matches("-[- ]+");
        assertThat(lines[2]).contains("2026-11-28 09:00-10:00", berlin, " 77 ", "Berlin");
        assertThat(lines[3]).contains("2026-11-28 18:00-19:00", dublin, " 77 ", "Dublin");
        assertThat(lines[4]).contains(nowhere, " 50 ");
        assertThat(lines[4].stripTrailing()).doesNotEndWith("Dublin");
        assertThat(table).doesNotContain(" 42 ");
    }

    @Test
    void perPlace_countsCellsWindowsAndTheLargestCountPerCityBusiestFirst() {
        String lines = TopCells.perPlace(releases);

        assertThat(lines.split("\n"))
                .containsExactly(
                        "  Dublin     2 cells in 2 windows, largest count 77 (2026-11-28 18:00-19:00 UTC)",
                        "  Berlin     1 cell in 1 window, largest count 77 (2026-11-28 09:00-10:00 UTC)",
                        "  elsewhere  1 cell in 1 window, largest count 50 (2026-11-28 18:00-19:00 UTC)");
        assertThat(TopCells.perPlace(List.of())).isEmpty();
    }

    @Test
    void showsCellCentresWithThreeDecimals() {
        LatLng c = Fixtures.H3.cellToLatLng(berlin);

        String table = TopCells.format(releases, 1);

        assertThat(table)
                .contains(String.format(Locale.ROOT, "%.3f", c.lat))
                .contains(String.format(Locale.ROOT, "%.3f", c.lng));
        assertThat(c.lat).isBetween(52.4, 52.6);
    }

    @Test
    void columnsAreAligned() {
        String[] lines = TopCells.format(releases, 10).split("\n");

        int cellColumn = lines[0].indexOf("cell");
        for (int i = 2; i < lines.length; i++) {
            assertThat(lines[i].indexOf("8")).as(lines[i]).isLessThanOrEqualTo(cellColumn);
            assertThat(lines[i].substring(cellColumn, cellColumn + 15)).matches("[0-9a-f]{15}");
        }
    }

    @Test
    void emptyInputSaysSo() {
        String table = TopCells.format(List.of(), 10);

        assertThat(table)
                .contains("cell", "count")
                .endsWith("(no cell passed suppression in any window)\n");
        assertThat(TopCells.format(releases, 0).split("\n")).hasSize(2);
        assertThatThrownBy(() -> TopCells.format(releases, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void placesWithACell_namesTheNearestKnownPlaceOfEachPublishedCell() {
        List<JsonNode> releases =
                List.of(
                        Fixtures.heat(Fixtures.cell(53.3498, -6.2603), Fixtures.MORNING, 50),
                        Fixtures.heat(Fixtures.cell(52.52, 13.405), Fixtures.MORNING, 60));
        assertThat(TopCells.placesWithACell(releases)).containsExactly("Berlin", "Dublin");
        assertThat(TopCells.placesWithACell(List.of())).isEmpty();
    }
}
