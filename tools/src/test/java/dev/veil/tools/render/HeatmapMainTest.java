package dev.veil.tools.render;

import dev.veil.tools.cli.Cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeatmapMainTest {

    @TempDir Path dir;

    @Test
    void fromAJsonLinesFile_writesThePageWithEveryRelease() throws IOException {
        List<JsonNode> releases = Fixtures.demo();
        Path jsonl = dir.resolve("veil.agg.heatmap.jsonl");
        Files.writeString(
                jsonl,
                releases.stream()
                        .map(JsonNode::toString)
                        .collect(Collectors.joining("\n", "", "\n")));
        Path page = dir.resolve("out/heatmap.html");
        StringWriter out = new StringWriter();

        int code = run(out, "--from", jsonl.toString(), "--out", page.toString());

        assertThat(code).isZero();
        assertThat(out.toString())
                .contains(String.format("%,d releases", releases.size()), "in 2 windows");
        assertThat(Files.readString(page)).contains("\"window_index\":1");
    }

    @Test
    void fromTheGeoJson_readsTheFeaturesPropertiesAsReleases() throws IOException {
        List<JsonNode> releases = Fixtures.demo();
        Path geojson = dir.resolve("heatmap.geojson");
        HeatmapGeoJson.write(releases, geojson);

        assertThat(HeatmapMain.read(geojson))
                .hasSize(releases.size())
                .allMatch(r -> r.hasNonNull("cell") && r.hasNonNull("count"));
    }

    @Test
    void read_namesTheLineThatIsNotJson() throws IOException {
        Path jsonl = dir.resolve("broken.jsonl");
        Files.writeString(jsonl, Fixtures.demo().get(0) + "\n\n{not json\n");

        assertThatThrownBy(() -> HeatmapMain.read(jsonl))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("broken.jsonl:3: not a JSON record");
    }

    @Test
    void aMissingFile_isAUsageError() {
        StringWriter err = new StringWriter();

        int code =
                Cli.execute(
                        new HeatmapMain(),
                        new PrintWriter(new StringWriter(), true),
                        new PrintWriter(err, true),
                        "--from",
                        dir.resolve("nothing.jsonl").toString());

        assertThat(code).isEqualTo(Cli.USER_ERROR);
        assertThat(err.toString()).contains("no such file");
    }

    private static int run(StringWriter out, String... args) {
        return Cli.execute(
                new HeatmapMain(),
                new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true),
                args);
    }
}
