package dev.veil.tools.render;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.KeyReference;
import dev.veil.config.YamlDocument;
import dev.veil.job.aggregate.AggregationTopology;
import dev.veil.job.aggregate.AggregationTopology.Kind;
import dev.veil.record.Json;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.uber.h3core.H3Core;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analysts' GeoJSON of what the heat map job really publishes: the job (production noise,
 * shipped config) runs on a MiniCluster against a real broker, and its release records are rendered
 * as they come. Keeps the contract between the release records and the renderer under test.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class HeatmapOfTheJobsOutputTest extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void releasesOfTheHeatmapJob_renderAsClosedPolygonsAroundTheirPlaces() throws Exception {
        // topics of its own; anonymisation_config still names veil.yaml, next to the file
        String text =
                Files.readString(Path.of("../config/aggregates.yaml"))
                        .replace("veil.", "geo.")
                        .replace("geo.yaml", "veil.yaml");
        Path keyFile = tmp.resolve("noise.key");
        Files.writeString(keyFile, TEST_KEY_BASE64);
        AggregatesConfig c =
                AggregatesConfig.load(YamlDocument.parse("../config/aggregates.yaml", text))
                        .withOverrides(
                                kafka.bootstrapServers(),
                                KeyReference.file(keyFile.toString()),
                                Map.of(
                                        "execution.checkpointing.interval", "1s",
                                        "execution.checkpointing.dir",
                                                tmp.resolve("cp").toUri().toString(),
                                        "state.backend.rocksdb.localdir",
                                                tmp.resolve("rocksdb").toString()));
        kafka.createTopics(1, List.of(c.heatmapInputTopic, c.heatmapOutputTopic, c.budgetTopic));
        // Far above the noisy threshold (39 at the shipped ε): 300 subjects in Dublin and Galway.
        H3Core h3 = H3Core.newInstance();
        List<Raw> in = new ArrayList<>();
        double[][] places = {{53.3498, -6.2603}, {53.2707, -9.0568}};
        for (double[] p : places) {
            String cell = h3.latLngToCellAddress(p[0], p[1], 9);
            for (int i = 0; i < 300; i++) {
                in.add(
                        new Raw(
                                c.heatmapInputTopic,
                                null,
                                "{\"event_id\":\"e\",\"subject\":\"s"
                                        + p[1]
                                        + "-"
                                        + i
                                        + "\",\"event_time\":\"2026-11-28T09:25:00Z\",\"h3_cell\":\""
                                        + cell
                                        + "\",\"source\":\"gps\",\"rules_version\":\"t\","
                                        + "\"key_epoch\":11,\"policy_version\":\"2026-11\"}"));
            }
        }
        kafka.produce(in);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AggregationTopology.flinkConfiguration(c));
        env.setParallelism(2);
        AggregationTopology.build(
                env,
                c,
                Kind.HEATMAP,
                AggregationTopology.source(c, Kind.HEATMAP, true),
                AggregationTopology.sink(c, Kind.HEATMAP));
        env.execute("geo-heatmap");
        List<JsonNode> releases = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(c.heatmapOutputTopic)) {
            releases.add(Json.MAPPER.readTree(r.value()));
        }
        assertThat(releases).as("both cities published").hasSize(2);

        Path geojson = tmp.resolve("heatmap.geojson");
        HeatmapGeoJson.write(releases, geojson);

        JsonNode fc = Json.MAPPER.readTree(geojson.toFile());
        assertThat(fc.get("type").asText()).isEqualTo("FeatureCollection");
        assertThat(fc.get("features")).hasSize(2);
        for (JsonNode f : fc.get("features")) {
            JsonNode ring = f.get("geometry").get("coordinates").get(0);
            assertThat(f.get("geometry").get("type").asText()).isEqualTo("Polygon");
            assertThat(ring.size()).isGreaterThanOrEqualTo(7);
            assertThat(ring.get(0)).isEqualTo(ring.get(ring.size() - 1));
            for (JsonNode pos : ring) {
                assertThat(pos.get(0).asDouble()).as("longitude, Ireland").isBetween(-10.5, -5.5);
                assertThat(pos.get(1).asDouble()).as("latitude, Ireland").isBetween(51.0, 55.5);
            }
        }
    }
}
