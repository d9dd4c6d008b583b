package dev.veil.tools.render;

import dev.veil.tools.cli.Cli;
import dev.veil.tools.local.KafkaIo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./veil heatmap --from <file or topic>}: writes {@code out/heatmap.html} (and, with {@code
 * --png}, a PNG) for any run's heat map releases: a JSON-lines file of release records (as the demo
 * writes {@code out/veil.agg.heatmap.jsonl}), a GeoJSON FeatureCollection ({@code
 * out/heatmap.geojson}: each feature's properties are the record), or a topic read from the
 * beginning with read_committed.
 */
@Command(
        name = "veil heatmap",
        mixinStandardHelpOptions = true,
        description =
                "Writes the heat map page (one self-contained HTML file, every window) from a"
                        + " file of heat map releases or from the heat map topic.")
public final class HeatmapMain implements Callable<Integer> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Spec CommandSpec spec;

    @Option(
            names = "--from",
            required = true,
            description =
                    "A .jsonl file of release records, a .geojson/.json FeatureCollection, or (when"
                            + " no such file exists) a topic, for example veil.agg.heatmap")
    String from;

    @Option(
            names = "--bootstrap-servers",
            description = "Brokers, when --from is a topic",
            defaultValue = "localhost:9092")
    String bootstrapServers;

    @Option(names = "--out", description = "The page", defaultValue = "out/heatmap.html")
    Path out;

    @Option(names = "--png", description = "Also write the busiest window as a PNG here")
    Path png;

    @Option(
            names = "--title",
            description = "Headline of the page",
            defaultValue = "Veil heat map: noisy count of distinct people per H3 cell")
    String title;

    public static void main(String[] args) {
        System.exit(Cli.execute(new HeatmapMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        Path file = Path.of(from);
        List<JsonNode> releases;
        String source;
        if (Files.isRegularFile(file)) {
            releases = read(file);
            source = file.toString();
        } else if (from.contains("/") || from.endsWith(".jsonl") || from.endsWith("json")) {
            spec.commandLine().getErr().println("veil heatmap: no such file: " + from);
            return Cli.USER_ERROR;
        } else {
            releases = new ArrayList<>();
            new KafkaIo(bootstrapServers).readCommitted(from, r -> releases.add(parse(r.value())));
            source = "topic " + from + " at " + bootstrapServers;
        }
        HeatmapHtml.write(releases, out, title);
        spec.commandLine()
                .getOut()
                .printf(
                        "%s: %,d releases from %s in %,d windows%n",
                        out,
                        releases.size(),
                        source,
                        releases.stream().map(Records.Window::of).distinct().count());
        if (png != null) {
            HeatmapPng.write(releases, png, title);
            spec.commandLine().getOut().println(png);
        }
        return 0;
    }

    /**
     * The release records of a file: a GeoJSON FeatureCollection's feature properties, or one JSON
     * record per non-blank line.
     *
     * @throws IOException if the file cannot be read or a line is not JSON (the message names the
     *     line)
     */
    static List<JsonNode> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<JsonNode> releases = new ArrayList<>();
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("{") && trimmed.contains("\"FeatureCollection\"")) {
            JsonNode collection = MAPPER.readTree(text);
            if ("FeatureCollection".equals(collection.path("type").asText())) {
                for (JsonNode feature : collection.path("features")) {
                    releases.add(feature.path("properties"));
                }
                return releases;
            }
        }
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                releases.add(MAPPER.readTree(lines[i]));
            } catch (JsonProcessingException e) {
                throw new IOException(
                        file + ":" + (i + 1) + ": not a JSON record: " + e.getOriginalMessage(), e);
            }
        }
        return releases;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return MAPPER.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("a record of the topic is not JSON", e);
        }
    }
}
