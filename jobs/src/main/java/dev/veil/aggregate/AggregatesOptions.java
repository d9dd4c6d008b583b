package dev.veil.aggregate;

import dev.veil.config.VeilOptions;

import org.apache.flink.configuration.ConfigOption;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * Every option of {@code config/aggregates.yaml} (the heat map and usage jobs) as a typed Flink
 * {@link ConfigOption} with its description; the key is the option's dotted path in the file. The
 * {@code kafka.*}, {@code delivery.*} and {@code flink} options are {@link VeilOptions}'. Design
 * and the reasons for the shipped values: docs/aggregates.md.
 */
public final class AggregatesOptions {
    private AggregatesOptions() {}

    public static final ConfigOption<String> VERSION =
            key("version")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Version of this configuration, carried on every release record.");

    public static final ConfigOption<String> ANONYMISATION_CONFIG =
            key("anonymisation_config")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The anonymisation job's configuration (its config/veil.yaml), a path relative to this"
                                    + " file: its key_epochs say how many pseudonyms one data subject can have in a"
                                    + " window, which the noise and thresholds are calibrated for"
                                    + " (docs/aggregates.md).");

    public static final ConfigOption<Duration> WINDOW =
            key("time.window")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Tumbling event-time window, aligned to UTC; must divide a day (PT15M, PT1H, P1D ...).");

    public static final ConfigOption<Duration> ALLOWED_LATENESS =
            key("time.allowed_lateness")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "Records up to this late are still counted; a window is released once, after it.");

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            key("time.max_out_of_orderness")
                    .durationType()
                    .noDefaultValue()
                    .withDescription("Watermark bound of the anonymised input (0 to 24 h).");

    public static final ConfigOption<Duration> SOURCE_IDLENESS =
            key("time.source_idleness")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "A silent input partition stops holding the watermark back after this (1 s to 24 h).");

    public static final ConfigOption<Long> K =
            key("privacy.k")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "Small-count suppression: a category with fewer distinct data subjects (before noise) is"
                                    + " never published.");

    public static final ConfigOption<Double> DELTA =
            key("privacy.delta")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "δ of each release: the chance that one subject's presence decides whether a category"
                                    + " appears (1e-15 to 1e-3).");

    public static final ConfigOption<Suppression> SUPPRESSION =
            key("privacy.suppression")
                    .enumType(Suppression.class)
                    .defaultValue(Suppression.EXACT)
                    .withDescription(
                            "exact: a category needs k distinct data subjects before noise, then a noisy count of at"
                                    + " least k·C + m; noisy: the noisy count alone decides, against max(C + m, k·C),"
                                    + " same ε and δ (docs/aggregates.md, Utility).");

    public static final ConfigOption<Map<String, String>> NOISE_KEY =
            key("privacy.noise_key")
                    .mapType()
                    .noDefaultValue()
                    .withDescription(
                            "Where each task reads the noise key: env: VARIABLE or file: /path, base64 of at least 32"
                                    + " random bytes. Whoever holds it can remove the noise.");

    public static final ConfigOption<String> LEDGER =
            key("privacy.ledger")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The privacy ledger (a path relative to this file): every deployment that publishes about"
                                    + " the same people, and the cap on what one data subject can spend per period; checked"
                                    + " before the job starts (docs/aggregates.md).");

    public static final ConfigOption<String> HEATMAP_INPUT_TOPIC =
            key("heatmap.input_topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Anonymised location topic.");

    public static final ConfigOption<String> HEATMAP_OUTPUT_TOPIC =
            key("heatmap.output_topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Heat map release topic.");

    public static final ConfigOption<Integer> HEATMAP_RESOLUTION =
            key("heatmap.resolution")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "H3 resolution of the published cells (0 to 15; the input's or coarser).");

    public static final ConfigOption<Double> HEATMAP_EPSILON =
            key("heatmap.epsilon")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "ε of the heat map release, with discrete Laplace noise (or heatmap.rho instead).");

    public static final ConfigOption<Double> HEATMAP_RHO =
            key("heatmap.rho")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "ρ (zCDP) of the heat map release, with discrete Gaussian noise; instead of heatmap.epsilon.");

    public static final ConfigOption<Double> HEATMAP_PARENT_EPSILON =
            key("heatmap.parent_epsilon")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "ε of the release heatmap_parent: the same observations in the parent cells (resolution"
                                    + " − 1), same L; absent: no such release.");

    public static final ConfigOption<Long> HEATMAP_MAX_CELLS_PER_SUBJECT =
            key("heatmap.max_cells_per_subject")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "L: cells one subject counts in per window (contribution bounding).");

    public static final ConfigOption<String> USAGE_DEVICE_TOPIC =
            key("usage.device_topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Anonymised device topic.");

    public static final ConfigOption<String> USAGE_SERVICE_TOPIC =
            key("usage.service_topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Anonymised service topic.");

    public static final ConfigOption<String> USAGE_OUTPUT_TOPIC =
            key("usage.output_topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Usage release topic.");

    public static final ConfigOption<Long> USAGE_MAX_CATEGORIES_PER_SUBJECT =
            key("usage.max_categories_per_subject")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "L: categories of one table one subject counts in per window.");

    public static final ConfigOption<Long> USAGE_MAX_EVENTS_PER_CATEGORY =
            key("usage.max_events_per_category")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "C: events one subject adds to one category of an event-count table per window.");

    public static final ConfigOption<List<Long>> USAGE_DURATION_BUCKETS_MS =
            key("usage.duration_buckets_ms")
                    .longType()
                    .asList()
                    .noDefaultValue()
                    .withDescription(
                            "Edges of the duration table's buckets in milliseconds, increasing from 0.");

    public static final ConfigOption<Map<String, String>> USAGE_TABLES =
            key("usage.tables")
                    .mapType()
                    .noDefaultValue()
                    .withDescription(
                            "The usage tables to publish, each with its ε (a number, discrete Laplace noise) or {rho: ρ}"
                                    + " (zCDP, discrete Gaussian noise): app_version, os, device_family (distinct"
                                    + " subjects), action, error_code, duration (events).");

    public static final ConfigOption<String> BUDGET_TOPIC =
            key("budget_topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Topic of the budget lines: per window, the releases with their ε and δ and the totals.");

    /** Every option of the file: these, then the shared kafka.*, delivery.* and flink options. */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> all =
                new ArrayList<>(
                        List.of(
                                VERSION,
                                ANONYMISATION_CONFIG,
                                WINDOW,
                                ALLOWED_LATENESS,
                                MAX_OUT_OF_ORDERNESS,
                                SOURCE_IDLENESS,
                                K,
                                DELTA,
                                SUPPRESSION,
                                NOISE_KEY,
                                LEDGER,
                                HEATMAP_INPUT_TOPIC,
                                HEATMAP_OUTPUT_TOPIC,
                                HEATMAP_RESOLUTION,
                                HEATMAP_EPSILON,
                                HEATMAP_RHO,
                                HEATMAP_PARENT_EPSILON,
                                HEATMAP_MAX_CELLS_PER_SUBJECT,
                                USAGE_DEVICE_TOPIC,
                                USAGE_SERVICE_TOPIC,
                                USAGE_OUTPUT_TOPIC,
                                USAGE_MAX_CATEGORIES_PER_SUBJECT,
                                USAGE_MAX_EVENTS_PER_CATEGORY,
                                USAGE_DURATION_BUCKETS_MS,
                                USAGE_TABLES,
                                BUDGET_TOPIC));
        for (ConfigOption<?> o : VeilOptions.all()) {
            if (o.key().startsWith("kafka.")
                    || o.key().startsWith("delivery.")
                    || o.key().equals("flink")) {
                all.add(o);
            }
        }
        return all;
    }
}
