package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.NoisyRelease;
import dev.veil.aggregate.ReleaseMechanism;
import dev.veil.config.KeyReference;
import dev.veil.config.YamlDocument;
import dev.veil.job.aggregate.AggregationTopology.Kind;
import dev.veil.record.Json;
import dev.veil.testing.ExactRelease;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;
import dev.veil.testing.LogCapture;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.uber.h3core.H3Core;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heat map and usage jobs on a Flink MiniCluster (parallelism 2, RocksDB, exactly-once sink)
 * against a real in-JVM Kafka broker, over known synthetic anonymised input: exact aggregates
 * through a release mechanism without noise ({@link ExactRelease}), aggregates within stated bounds
 * through the production one, and budget lines. (Late observations are tested in the operator
 * harness, where the watermark is under the test's control; the GeoJSON rendering of release
 * records in the tools module's HeatmapOfTheJobsOutputTest.)
 */
class AggregationJobITCase extends VeilTestBase {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static KafkaTestCluster kafka;

    @TempDir static Path tmp;

    static H3Core h3;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        h3 = H3Core.newInstance();
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The shipped config/aggregates.yaml with its topics prefixed and a test key file. */
    static AggregatesConfig config(String prefix) throws Exception {
        String text =
                Files.readString(Path.of("../config/aggregates.yaml"))
                        .replace("veil.", prefix + ".")
                        // the topics only, not the anonymisation job's file
                        .replace(prefix + ".yaml", "veil.yaml");
        Path keyFile = tmp.resolve(prefix + ".key");
        Files.writeString(keyFile, TEST_KEY_BASE64);
        AggregatesConfig c =
                AggregatesConfig.load(YamlDocument.parse("../config/aggregates.yaml", text));
        assertThat(c.keyEpochs.start()).isEqualTo(EPOCHS.start());
        assertThat(c.keyEpochs.length()).isEqualTo(EPOCHS.length());
        return c.withOverrides(
                kafka.bootstrapServers(),
                KeyReference.file(keyFile.toString()),
                Map.of(
                        "execution.checkpointing.interval",
                        "1s",
                        "execution.checkpointing.dir",
                        tmp.resolve(prefix + "-cp").toUri().toString(),
                        // RocksDB's files in a short folder: under the MiniCluster's own
                        // temp folder an instance path
                        // is too long to name RocksDB's log file after, and Flink warns for
                        // every instance.
                        "state.backend.rocksdb.localdir",
                        tmp.resolve("rocksdb").toString(),
                        "parallelism.default",
                        "2"));
    }

    static String res9(double lat, double lon) {
        return h3.latLngToCellAddress(lat, lon, 9);
    }

    static String res7(double lat, double lon) {
        return h3.latLngToCellAddress(lat, lon, 7);
    }

    static String location(String subject, String time, String cell) {
        return "{\"event_id\":\"e\",\"subject\":\""
                + subject
                + "\",\"event_time\":\""
                + time
                + "\",\"h3_cell\":\""
                + cell
                + "\",\"source\":\"gps\""
                + stamps(time)
                + "}";
    }

    /**
     * The stamps the anonymisation job puts on every record: rules_version, policy_version and the
     * key_epoch of the event time under the shipped key epochs (config/veil.yaml, {@link
     * VeilTestBase#EPOCHS}).
     */
    static String stamps(String time) {
        return stamps(EPOCHS.of(Instant.parse(time).toEpochMilli()));
    }

    static String stamps(long keyEpoch) {
        return ",\"rules_version\":\"t\",\"policy_version\":\"2026-11-01\",\"key_epoch\":"
                + keyEpoch;
    }

    static String device(String subject, String time, String app) {
        return "{\"event_id\":\"e\",\"subject\":\""
                + subject
                + "\",\"event_time\":\""
                + time
                + "\",\"os_name\":\"Android\","
                + "\"os_version\":\"14.1\",\"app_version\":\""
                + app
                + "\",\"user_agent\":{\"browser_family\":\"Chrome\","
                + "\"browser_major\":\"120\",\"os_family\":\"Android\",\"device_family\":\"Pixel 7\"}"
                + stamps(time)
                + "}";
    }

    static String service(String subject, String time, String action, String extra) {
        return "{\"event_id\":\"e\",\"subject\":\""
                + subject
                + "\",\"event_time\":\""
                + time
                + "\",\"action\":\""
                + action
                + "\""
                + extra
                + stamps(time)
                + "}";
    }

    // Dublin: two res-7 cells far enough apart; Cork for the movers.
    static final double[] DUBLIN = {53.3498, -6.2603};
    static final double[] DUBLIN_NORTH = {53.3900, -6.2603};
    static final double[] CORK_A = {51.8985, -8.4756};
    static final double[] CORK_B = {51.8985, -8.3900};
    static final double[] CORK_C = {51.9400, -8.4756};
    static final double[] GALWAY = {53.2707, -9.0568};

    /**
     * Input: known subjects per cell and category; returns nothing, produces to the prefixed
     * topics.
     */
    static void produceInput(AggregatesConfig c, boolean big) throws Exception {
        kafka.createTopics(
                1,
                List.of(
                        c.heatmapInputTopic,
                        c.deviceTopic,
                        c.serviceTopic,
                        c.heatmapOutputTopic,
                        c.usageOutputTopic,
                        c.budgetTopic));
        List<Raw> loc = new ArrayList<>();
        List<Raw> dev = new ArrayList<>();
        List<Raw> svc = new ArrayList<>();
        // 09:00-10:00. Dublin: 12 subjects, two fixes each in different res-9 children -> 12
        // distinct.
        for (int i = 0; i < 12; i++) {
            List<String> children = h3.cellToChildren(res7(DUBLIN[0], DUBLIN[1]), 9);
            loc.add(
                    new Raw(
                            c.heatmapInputTopic,
                            null,
                            location("d" + i, "2026-11-28T09:05:00Z", children.get(0))));
            loc.add(
                    new Raw(
                            c.heatmapInputTopic,
                            null,
                            location("d" + i, "2026-11-28T09:10:00Z", children.get(5))));
        }
        // Galway: 10 subjects, but their records carry a key epoch their window does not overlap
        // (the anonymisation job would have run with other key epochs): dropped, not published.
        for (int i = 0; i < 10; i++) {
            loc.add(
                    new Raw(
                            c.heatmapInputTopic,
                            null,
                            location("x" + i, "2026-11-28T09:05:00Z", res9(GALWAY[0], GALWAY[1]))
                                    .replace(stamps("2026-11-28T09:05:00Z"), stamps(12))));
        }
        // Dublin north: 9 subjects -> below k, suppressed.
        for (int i = 0; i < 9; i++) {
            loc.add(
                    new Raw(
                            c.heatmapInputTopic,
                            null,
                            location(
                                    "n" + i,
                                    "2026-11-28T09:15:00Z",
                                    res9(DUBLIN_NORTH[0], DUBLIN_NORTH[1]))));
        }
        // Cork: 15 movers, each in three cells (L = 2 keeps two of them).
        for (int i = 0; i < 15; i++) {
            for (double[] p : List.of(CORK_A, CORK_B, CORK_C)) {
                loc.add(
                        new Raw(
                                c.heatmapInputTopic,
                                null,
                                location("m" + i, "2026-11-28T09:20:00Z", res9(p[0], p[1]))));
            }
        }
        if (big) {
            // Galway: 300 subjects, for the noise bound.
            for (int i = 0; i < 300; i++) {
                loc.add(
                        new Raw(
                                c.heatmapInputTopic,
                                null,
                                location(
                                        "g" + i,
                                        "2026-11-28T09:25:00Z",
                                        res9(GALWAY[0], GALWAY[1]))));
            }
        }
        // 10:00-11:00: exactly k = 10 subjects in Dublin.
        for (int i = 0; i < 10; i++) {
            loc.add(
                    new Raw(
                            c.heatmapInputTopic,
                            null,
                            location("d" + i, "2026-11-28T10:30:00Z", res9(DUBLIN[0], DUBLIN[1]))));
        }

        // Usage, 09:00-10:00: app 5.2.0 by 11 subjects (one twice), 5.1.0 by 3 -> suppressed.
        for (int i = 0; i < 11; i++) {
            dev.add(new Raw(c.deviceTopic, null, device("u" + i, "2026-11-28T09:00:00Z", "5.2.0")));
        }
        dev.add(new Raw(c.deviceTopic, null, device("u0", "2026-11-28T09:00:00Z", "5.2.0")));
        for (int i = 0; i < 3; i++) {
            dev.add(new Raw(c.deviceTopic, null, device("v" + i, "2026-11-28T09:00:00Z", "5.1.0")));
        }
        if (big) {
            for (int i = 0; i < 300; i++) {
                dev.add(
                        new Raw(
                                c.deviceTopic,
                                null,
                                device("w" + i, "2026-11-28T09:00:00Z", "6.0.0")));
            }
        }
        // Service: 10 subjects with 5 views each (C = 3 caps each at 3 -> 30), faults E500 by 10
        // subjects.
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 5; j++) {
                svc.add(
                        new Raw(
                                c.serviceTopic,
                                null,
                                service(
                                        "u" + i,
                                        "2026-11-28T09:3" + j + ":00Z",
                                        "view",
                                        ",\"duration_ms\":2000")));
            }
            svc.add(
                    new Raw(
                            c.serviceTopic,
                            null,
                            service(
                                    "u" + i,
                                    "2026-11-28T09:40:00Z",
                                    "fault",
                                    ",\"error_code\":\"E500\"")));
        }
        svc.add(new Raw(c.serviceTopic, null, service("u0", "2026-11-28T12:00:00Z", "search", "")));
        kafka.produce(loc);
        kafka.produce(dev);
        kafka.produce(svc);
    }

    static void run(AggregatesConfig c, ReleaseMechanism.Factory mechanism) throws Exception {
        for (Kind kind : Kind.values()) {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            AggregationTopology.flinkConfiguration(c));
            env.setParallelism(2);
            AggregationTopology.build(
                    env,
                    c,
                    kind,
                    AggregationTopology.source(c, kind, true),
                    AggregationTopology.sink(c, kind),
                    mechanism);
            env.execute("it-" + kind.id);
        }
    }

    /**
     * Runs both jobs; the Galway records carry a key epoch outside their window, which the job
     * drops with one warning per task: asserted here instead of printed.
     */
    static void runExpectingTheGalwayEpochWarning(
            AggregatesConfig c, ReleaseMechanism.Factory mechanism) throws Exception {
        try (LogCapture log = LogCapture.of(ObservationDeserializer.class)) {
            run(c, mechanism);
            assertThat(log.messages())
                    .isNotEmpty()
                    .allMatch(m -> m.contains("has key_epoch 12, not an epoch of that window"));
        }
    }

    static List<JsonNode> read(String topic) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(topic)) {
            out.add(Json.MAPPER.readTree(r.value()));
        }
        return out;
    }

    static Map<String, Long> counts(List<JsonNode> releases, String field) {
        Map<String, Long> m = new HashMap<>();
        for (JsonNode n : releases) {
            m.put(
                    n.get("window_start").asText().substring(11, 16)
                            + " "
                            + n.get("release").asText()
                            + " "
                            + n.get(field).asText(),
                    n.get("count").asLong());
        }
        return m;
    }

    @Test
    void withoutNoise_exactAggregatesWithSuppressionAndBounding() throws Exception {
        AggregatesConfig c = config("off");
        produceInput(c, false);
        runExpectingTheGalwayEpochWarning(c, ExactRelease.FACTORY);

        Map<String, Long> heat = counts(read(c.heatmapOutputTopic), "cell");
        String dublin = res7(DUBLIN[0], DUBLIN[1]);
        assertThat(heat).containsEntry("09:00 heatmap " + dublin, 12L);
        assertThat(heat).containsEntry("10:00 heatmap " + dublin, 10L);
        assertThat(heat)
                .doesNotContainKey("09:00 heatmap " + res7(DUBLIN_NORTH[0], DUBLIN_NORTH[1]));
        long cork = 0;
        for (double[] p : List.of(CORK_A, CORK_B, CORK_C)) {
            cork += heat.getOrDefault("09:00 heatmap " + res7(p[0], p[1]), 0L);
        }
        assertThat(cork)
                .as("15 movers in 3 cells, at most L = 2 each, cells below k suppressed")
                .isLessThanOrEqualTo(30);
        assertThat(heat)
                .as("records of a key epoch outside their window are dropped")
                .doesNotContainKey("09:00 heatmap " + res7(GALWAY[0], GALWAY[1]));
        assertThat(heat.keySet())
                .as("only Dublin twice and Cork cells")
                .allMatch(
                        k ->
                                k.contains(dublin)
                                        || k.contains(res7(CORK_A[0], CORK_A[1]))
                                        || k.contains(res7(CORK_B[0], CORK_B[1]))
                                        || k.contains(res7(CORK_C[0], CORK_C[1])));

        Map<String, Long> usage = counts(read(c.usageOutputTopic), "category");
        assertThat(usage).containsEntry("09:00 app_version 5.2.0", 11L);
        assertThat(usage).doesNotContainKey("09:00 app_version 5.1.0");
        assertThat(usage)
                .as("11 + 3 subjects run Android 14")
                .containsEntry("09:00 os Android 14", 14L);
        assertThat(usage).containsEntry("09:00 device_family Pixel 7", 14L);
        assertThat(usage)
                .as("5 views each, capped at C = 3")
                .containsEntry("09:00 action view", 30L);
        assertThat(usage).containsEntry("09:00 action fault", 10L);
        assertThat(usage).containsEntry("09:00 error_code E500", 10L);
        assertThat(usage).containsEntry("09:00 duration 1000-5000", 30L);

        List<JsonNode> budget = read(c.budgetTopic);
        assertThat(budget)
                .extracting(
                        n ->
                                n.get("job").asText()
                                        + " "
                                        + n.get("window_start").asText().substring(11, 16))
                .contains("heatmap 09:00", "heatmap 10:00", "usage 09:00");
        assertThat(budget)
                .allSatisfy(
                        n ->
                                assertThat(n.get("total_epsilon").decimalValue())
                                        .isEqualByComparingTo("4.0"));
    }

    @Test
    void productionNoise_countsWithinStatedBoundsAndAboveThreshold() throws Exception {
        AggregatesConfig c = config("on");
        produceInput(c, true);
        runExpectingTheGalwayEpochWarning(c, NoisyRelease.factory(c.noiseKey));

        List<JsonNode> heat = read(c.heatmapOutputTopic);
        Map<String, Long> counts = counts(heat, "cell");
        String galway = "09:00 heatmap " + res7(GALWAY[0], GALWAY[1]);
        // Discrete Laplace, scale L/eps = 2: P(|Z| > 40) = 2 a^41/(1+a) with a = exp(-1/2), about
        // 3e-9.
        assertThat(counts).containsKey(galway);
        assertThat(counts.get(galway)).isBetween(300L - 40, 300L + 40);
        for (JsonNode n : heat) {
            assertThat(n.get("count").asLong()).isGreaterThanOrEqualTo(n.get("threshold").asLong());
            assertThat(n.get("noise").asText()).isEqualTo("discrete_laplace");
            assertThat(n.get("epsilon").decimalValue()).isEqualByComparingTo("1");
            assertThat(n.get("k").asLong()).isEqualTo(10);
            assertThat(n.get("max_contributions").asLong()).isEqualTo(2);
        }
        assertThat(counts)
                .as("small cells (12, 10, 9 subjects) are below the threshold 39")
                .doesNotContainKey("09:00 heatmap " + res7(DUBLIN[0], DUBLIN[1]));

        Map<String, Long> usage = counts(read(c.usageOutputTopic), "category");
        // Scale L/eps = 4: P(|Z| > 80) is about 4e-9.
        assertThat(usage.get("09:00 app_version 6.0.0")).isBetween(300L - 80, 300L + 80);

        // every record as published conforms to its topic's contract in schemas/output/
        assertConforms("heatmap", heat);
        assertConforms("usage", read(c.usageOutputTopic));
        assertConforms("budget", read(c.budgetTopic));
    }

    static void assertConforms(String schema, List<JsonNode> records) throws Exception {
        JsonSchema s =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(
                                Json.MAPPER.readTree(
                                        Files.readString(
                                                Path.of(
                                                        "../schemas/output/"
                                                                + schema
                                                                + ".schema.json"))),
                                SchemaValidatorsConfig.builder()
                                        .formatAssertionsEnabled(true)
                                        .build());
        assertThat(records).as(schema).isNotEmpty();
        for (JsonNode r : records) {
            assertThat(s.validate(r)).as("%s record %s", schema, r).isEmpty();
        }
    }
}
