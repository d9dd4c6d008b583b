package dev.veil.aggregate;

import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.LocationGeneraliser;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.function.BiConsumer;

/**
 * Reads the categories of each release from one anonymised record (the topics of {@code
 * schemas/output/}). Plain Java; thread-safe.
 */
public final class CategoryExtractor {
    private final AggregatesConfig config;

    public CategoryExtractor(AggregatesConfig config) {
        this.config = config;
    }

    /**
     * Heat map: the record's H3 cell, coarsened to the configured resolution; and for the release
     * {@code heatmap_parent}, when configured, its parent one resolution coarser.
     *
     * @throws InvalidValueException if the cell is missing, invalid, or finer data is not available
     */
    public void location(JsonNode record, BiConsumer<String, String> out)
            throws InvalidValueException {
        JsonNode cell = record.get("h3_cell");
        if (cell == null || !cell.isTextual()) {
            return;
        }
        String fine = LocationGeneraliser.parent(cell.asText(), config.heatmapResolution);
        out.accept("heatmap", fine);
        if (config.heatmapParent != null) {
            out.accept(
                    AggregatesConfig.PARENT_RELEASE,
                    LocationGeneraliser.parent(fine, config.heatmapResolution - 1));
        }
    }

    /**
     * Usage tables of a device record: app_version, os (family and major version), device_family.
     */
    public void device(JsonNode record, BiConsumer<String, String> out) {
        if (config.usage.containsKey("app_version") && record.hasNonNull("app_version")) {
            out.accept("app_version", record.get("app_version").asText());
        }
        if (config.usage.containsKey("os")) {
            String family =
                    record.hasNonNull("os_name")
                            ? record.get("os_name").asText()
                            : record.path("user_agent").path("os_family").asText(null);
            if (family != null) {
                String version = record.path("os_version").asText("");
                int dot = version.indexOf('.');
                String major = dot < 0 ? version : version.substring(0, dot);
                out.accept("os", major.isEmpty() ? family : family + " " + major);
            }
        }
        if (config.usage.containsKey("device_family")) {
            String device = record.path("user_agent").path("device_family").asText(null);
            if (device != null) {
                out.accept("device_family", device);
            }
        }
    }

    /** Usage tables of a service record: action, error_code (faults), duration bucket. */
    public void service(JsonNode record, BiConsumer<String, String> out) {
        String action = record.path("action").asText(null);
        if (action != null && config.usage.containsKey("action")) {
            out.accept("action", action);
        }
        if ("fault".equals(action)
                && config.usage.containsKey("error_code")
                && record.hasNonNull("error_code")) {
            out.accept("error_code", record.get("error_code").asText());
        }
        if (config.usage.containsKey("duration") && record.path("duration_ms").isNumber()) {
            out.accept("duration", durationBucket(record.get("duration_ms").asLong()));
        }
    }

    /**
     * Label of the configured bucket holding a duration, e.g. "1000-5000" (ms, upper bound
     * exclusive) or "600000+".
     */
    String durationBucket(long ms) {
        long[] edges = config.durationBucketsMs;
        for (int i = edges.length - 1; i >= 0; i--) {
            if (ms >= edges[i]) {
                return i == edges.length - 1 ? edges[i] + "+" : edges[i] + "-" + edges[i + 1];
            }
        }
        return edges[0] + "-" + (edges.length > 1 ? edges[1] : "");
    }
}
