package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class HeatmapHtmlTest {

    private static final Pattern DATA =
            Pattern.compile(
                    "<script type=\"application/json\" id=\"veil-data\">(.*?)</script>",
                    Pattern.DOTALL);

    @Test
    void render_inlinesLeafletTheOutlineAndTheRecordsAndLoadsNothingButTiles() throws Exception {
        String page = HeatmapHtml.render(Fixtures.demo(), "demo");

        assertThat(page).contains("Leaflet " + HeatmapHtml.leafletVersion());
        assertThat(page).doesNotContain("@LEAFLET_JS@", "@DATA@", "url(images/");
        // links (attribution) are fine; nothing may be loaded but the basemap tiles
        assertThat(page).doesNotContainPattern("<(script|img|iframe)[^>]*\\ssrc=");
        assertThat(page).doesNotContainPattern("url\\(['\"]?(https?:)?//");
        assertThat(page).doesNotContain("<link ", "import(", "@import");
        JsonNode data = data(page);
        assertThat(data.path("cells").size()).isEqualTo(Fixtures.demo().size());
        assertThat(data.path("outline").path("coordinates").size()).isGreaterThan(50);
    }

    @Test
    void data_ordersWindowsChronologicallyAndIndexesEachCell() {
        String dublin = Fixtures.cell(53.35, -6.26);
        List<JsonNode> releases = new ArrayList<>();
        releases.add(Fixtures.heat(dublin, Fixtures.EVENING, 40));
        ObjectNode zoned = Fixtures.heat(dublin, Fixtures.MORNING, 50);
        zoned.put("time_zone", "Europe/Dublin");
        zoned.put("local_window_start", "2026-11-28T09:00:00Z");
        releases.add(zoned);

        ObjectNode data = HeatmapHtml.data(releases);

        assertThat(data.path("windows").get(0).path("label").asText())
                .isEqualTo("2026-11-28 09:00–10:00 UTC");
        assertThat(data.path("windows").get(0).path("local").asText())
                .isEqualTo("2026-11-28T09:00:00Z Europe/Dublin");
        assertThat(data.path("windows").get(1).path("local").isNull()).isTrue();
        JsonNode morning = data.path("cells").get(0).path("properties");
        assertThat(morning.path("window_index").asInt()).isZero();
        assertThat(morning.path("count").asLong()).isEqualTo(50);
        assertThat(morning.path("time_zone").asText()).isEqualTo("Europe/Dublin");
        JsonNode evening = data.path("cells").get(1).path("properties");
        assertThat(evening.path("window_index").asInt()).isEqualTo(1);
        assertThat(evening.path("count").asLong()).isEqualTo(40);
    }

    @Test
    void render_escapesMarkupInTheTitleAndTheRecords() throws Exception {
        ObjectNode hostile = Fixtures.heat(Fixtures.cell(53.35, -6.26), Fixtures.MORNING, 41);
        hostile.put("release", "</script><script>alert(1)</script>");

        String page = HeatmapHtml.render(List.of(hostile), "<b>title</b>");

        assertThat(page).doesNotContain("<script>alert(1)", "<b>title</b>");
        assertThat(data(page).path("cells").get(0).path("properties").path("release").asText())
                .isEqualTo("</script><script>alert(1)</script>");
    }

    @Test
    void render_withNoReleasesHasNoWindowsAndNoOutline() throws Exception {
        JsonNode data = data(HeatmapHtml.render(List.of(), null));

        assertThat(data.path("windows").size()).isZero();
        assertThat(data.path("bounds").isNull()).isTrue();
        assertThat(data.path("outline").isNull()).isTrue();
    }

    private static JsonNode data(String page) throws Exception {
        Matcher m = DATA.matcher(page);
        assertThat(m.find()).as("the page's data element").isTrue();
        return new ObjectMapper().readTree(m.group(1));
    }
}
