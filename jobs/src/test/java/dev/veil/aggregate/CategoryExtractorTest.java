package dev.veil.aggregate;

import dev.veil.config.YamlDocument;
import dev.veil.privacy.InvalidValueException;
import dev.veil.record.Json;

import com.fasterxml.jackson.databind.JsonNode;
import com.uber.h3core.H3Core;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** Categories of each release read from anonymised records, with the shipped configuration. */
class CategoryExtractorTest {
    private static H3Core h3;
    private static CategoryExtractor extractor;

    @BeforeAll
    static void setUp() throws IOException {
        h3 = H3Core.newInstance();
        extractor = new CategoryExtractor(AggregatesConfig.load(AggregatesConfigTest.SHIPPED));
    }

    private static JsonNode json(String text) throws IOException {
        return Json.MAPPER.readTree(text);
    }

    private interface Extraction {
        void run(JsonNode record, BiConsumer<String, String> out) throws Exception;
    }

    private static List<Map.Entry<String, String>> extract(Extraction how, String record)
            throws Exception {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        how.run(json(record), (release, category) -> out.add(Map.entry(release, category)));
        return out;
    }

    @Test
    void heatmap_resolutionNineCell_coarsenedToTheConfiguredResolutionSeven() throws Exception {
        String cell = h3.latLngToCellAddress(53.35, -6.26, 9);
        String expected = h3.cellToParentAddress(cell, 7);

        assertThat(extract(extractor::location, "{\"h3_cell\":\"" + cell + "\"}"))
                .containsExactly(Map.entry("heatmap", expected));
        assertThat(h3.getResolution(expected)).isEqualTo(7);
    }

    @Test
    void heatmap_upperCaseInput_sameLowerCaseCategory() throws Exception {
        String cell = h3.latLngToCellAddress(53.35, -6.26, 9);
        assertThat(
                        extract(
                                extractor::location,
                                "{\"h3_cell\":\"" + cell.toUpperCase(Locale.ROOT) + "\"}"))
                .containsExactly(Map.entry("heatmap", h3.cellToParentAddress(cell, 7)));
    }

    @Test
    void heatmap_inputAlreadyAtResolutionSeven_keptAsIs() throws Exception {
        String cell = h3.latLngToCellAddress(53.35, -6.26, 7);
        assertThat(extract(extractor::location, "{\"h3_cell\":\"" + cell + "\"}"))
                .containsExactly(Map.entry("heatmap", cell));
    }

    @Test
    void heatmap_coarserInputThanConfigured_invalidValue() throws Exception {
        String coarse = h3.latLngToCellAddress(53.35, -6.26, 5);
        JsonNode record = json("{\"h3_cell\":\"" + coarse + "\"}");
        List<String> out = new ArrayList<>();
        assertThatThrownBy(() -> extractor.location(record, (r, c) -> out.add(c)))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageNotContaining(coarse);
        assertThat(out).isEmpty();
    }

    @Test
    void heatmap_invalidCell_invalidValue() throws Exception {
        JsonNode record = json("{\"h3_cell\":\"not-a-cell\"}");
        assertThatThrownBy(() -> extractor.location(record, (r, c) -> {}))
                .isInstanceOf(InvalidValueException.class);
    }

    @Test
    void heatmap_noCell_noCategory() throws Exception {
        assertThat(extract(extractor::location, "{\"accuracy_m\":50}")).isEmpty();
    }

    @Test
    void device_appVersionOsMajorAndDeviceFamily() throws Exception {
        String record =
                "{\"app_version\":\"5.2.0\",\"os_name\":\"Android\",\"os_version\":\"14.1\","
                        + "\"user_agent\":{\"browser_family\":\"Chrome Mobile\",\"browser_major\":\"120\","
                        + "\"os_family\":\"Linux\",\"device_family\":\"Pixel 7\"}}";
        assertThat(extract(extractor::device, record))
                .containsExactly(
                        Map.entry("app_version", "5.2.0"),
                        Map.entry("os", "Android 14"),
                        Map.entry("device_family", "Pixel 7"));
    }

    @Test
    void device_noOsName_osFamilyFromUserAgentWithoutVersion() throws Exception {
        String record = "{\"user_agent\":{\"os_family\":\"iOS\",\"device_family\":\"iPhone\"}}";
        assertThat(extract(extractor::device, record))
                .containsExactly(Map.entry("os", "iOS"), Map.entry("device_family", "iPhone"));
    }

    @Test
    void device_versionWithoutDot_wholeVersionIsTheMajor() throws Exception {
        assertThat(extract(extractor::device, "{\"os_name\":\"Android\",\"os_version\":\"15\"}"))
                .containsExactly(Map.entry("os", "Android 15"));
    }

    @Test
    void device_tableNotConfigured_notExtracted() throws Exception {
        String text =
                AggregatesConfigTest.edited("    device_family: 0.5", "    # device_family: 0.5");
        CategoryExtractor partial =
                new CategoryExtractor(
                        AggregatesConfig.load(
                                YamlDocument.parse("../config/aggregates.yaml", text)));
        String record =
                "{\"app_version\":\"5.2.0\",\"user_agent\":{\"os_family\":\"iOS\",\"device_family\":\"iPhone\"}}";
        assertThat(extract(partial::device, record))
                .extracting(Map.Entry::getKey)
                .containsExactly("app_version", "os");
    }

    @Test
    void service_actionAndDurationBucket() throws Exception {
        assertThat(
                        extract(
                                extractor::service,
                                "{\"action\":\"search\",\"duration_ms\":3000,\"error_code\":\"E503\"}"))
                .as("error_code only for faults")
                .containsExactly(Map.entry("action", "search"), Map.entry("duration", "1000-5000"));
    }

    @Test
    void service_fault_errorCodeCounted() throws Exception {
        assertThat(
                        extract(
                                extractor::service,
                                "{\"action\":\"fault\",\"error_code\":\"E503\",\"duration_ms\":0}"))
                .containsExactly(
                        Map.entry("action", "fault"),
                        Map.entry("error_code", "E503"),
                        Map.entry("duration", "0-1000"));
    }

    @Test
    void service_faultWithoutErrorCode_noErrorCodeCategory() throws Exception {
        assertThat(extract(extractor::service, "{\"action\":\"fault\",\"error_code\":null}"))
                .containsExactly(Map.entry("action", "fault"));
    }

    @Test
    void durationBucket_edgesGoToTheUpperBucket() {
        assertThat(extractor.durationBucket(0)).isEqualTo("0-1000");
        assertThat(extractor.durationBucket(999)).isEqualTo("0-1000");
        assertThat(extractor.durationBucket(1000)).isEqualTo("1000-5000");
        assertThat(extractor.durationBucket(4999)).isEqualTo("1000-5000");
        assertThat(extractor.durationBucket(5000)).isEqualTo("5000-30000");
        assertThat(extractor.durationBucket(119_999)).isEqualTo("30000-120000");
        assertThat(extractor.durationBucket(599_999)).isEqualTo("120000-600000");
        assertThat(extractor.durationBucket(600_000)).isEqualTo("600000+");
        assertThat(extractor.durationBucket(86_400_000)).isEqualTo("600000+");
    }

    @Test
    void service_durationAtTheLastEdge_openBucket() throws Exception {
        assertThat(extract(extractor::service, "{\"action\":\"call\",\"duration_ms\":600000}"))
                .containsExactly(Map.entry("action", "call"), Map.entry("duration", "600000+"));
    }

    private static AggregatesConfig withParent() {
        return AggregatesConfig.load(
                YamlDocument.parse(
                        "../config/aggregates.yaml",
                        AggregatesConfigTest.shippedText()
                                .replace("  # parent_epsilon: 0.25 ", "  parent_epsilon: 0.25 ")));
    }

    @Test
    void heatmapParent_configured_alsoTheParentCellOneResolutionCoarser() throws Exception {
        CategoryExtractor parents = new CategoryExtractor(withParent());
        String cell = h3.latLngToCellAddress(53.35, -6.26, 9);

        assertThat(extract(parents::location, "{\"h3_cell\":\"" + cell + "\"}"))
                .containsExactly(
                        Map.entry("heatmap", h3.cellToParentAddress(cell, 7)),
                        Map.entry("heatmap_parent", h3.cellToParentAddress(cell, 6)));
    }

    @Test
    void heatmapParent_subjectInTwoChildrenOfOneParent_countedOnceThere() throws Exception {
        AggregatesConfig config = withParent();
        CategoryExtractor parents = new CategoryExtractor(config);
        String parent = h3.latLngToCellAddress(53.35, -6.26, 6);
        List<String> children = h3.cellToChildren(parent, 9);
        // Two res-9 cells in different res-7 children of the one res-6 parent.
        String first = children.get(0);
        String second =
                children.stream()
                        .filter(
                                c ->
                                        !h3.cellToParentAddress(c, 7)
                                                .equals(h3.cellToParentAddress(first, 7)))
                        .findFirst()
                        .orElseThrow();
        SubjectWindow w = new SubjectWindow();
        long rank = 0;
        for (String cell : List.of(first, second, first, second)) {
            for (Map.Entry<String, String> e :
                    extract(parents::location, "{\"h3_cell\":\"" + cell + "\"}")) {
                ReleaseSpec spec =
                        e.getKey().equals("heatmap") ? config.heatmap : config.heatmapParent;
                ContributionBounding.add(
                        w,
                        e.getKey(),
                        e.getValue(),
                        rank++,
                        spec.maxContributions(),
                        spec.maxPerCategory());
            }
        }

        assertThat(w.entries)
                .filteredOn(e -> e.release.equals("heatmap"))
                .extracting(e -> e.count)
                .containsExactly(1, 1);
        assertThat(w.entries)
                .filteredOn(e -> e.release.equals("heatmap_parent"))
                .extracting(e -> e.category, e -> e.count)
                .containsExactly(tuple(parent, 1));
    }
}
