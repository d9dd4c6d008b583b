package dev.veil.aggregate;

import dev.veil.config.ConfigException;
import dev.veil.config.ConfigNode;
import dev.veil.config.ConfigSections;
import dev.veil.config.FlinkOptionCatalog;
import dev.veil.config.JobConfig;
import dev.veil.config.KeyReference;
import dev.veil.config.SensitiveKeys;
import dev.veil.config.VeilOptions;
import dev.veil.config.YamlDocument;
import dev.veil.privacy.KeyEpochs;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Configuration of the heat map and usage jobs ({@code config/aggregates.yaml}), validated: an
 * error names the file, the line, the key and the problem. Immutable.
 */
public final class AggregatesConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Usage tables Veil knows how to compute, and whether they count distinct subjects (C = 1) or
     * events.
     */
    public static final Map<String, Boolean> USAGE_TABLES_DISTINCT = tables();

    private static Map<String, Boolean> tables() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("app_version", true);
        m.put("os", true);
        m.put("device_family", true);
        m.put("action", false);
        m.put("error_code", false);
        m.put("duration", false);
        return Collections.unmodifiableMap(m);
    }

    /** Name of the heat map release in parent cells ({@code heatmap.parent_epsilon}). */
    public static final String PARENT_RELEASE = "heatmap_parent";

    /** Version of this configuration, carried on every release record. */
    public final String version;

    /** {@code anonymisation_config} as written: the anonymisation job's file, relative to this. */
    public final String anonymisationConfig;

    /**
     * The key epochs of the anonymisation job, read from {@link #anonymisationConfig}: the subject
     * pseudonyms change at their boundaries, so they decide how many pseudonyms one data subject
     * can have in a window ({@link #keyEpochsIn}).
     */
    public final KeyEpochs keyEpochs;

    public final String bootstrapServers;
    public final String groupId;
    public final VeilOptions.StartingOffsets startingOffsets;
    public final Map<String, String> kafkaProperties;
    public final Duration window;
    public final Duration allowedLateness;
    public final Duration maxOutOfOrderness;
    public final Duration sourceIdleness;
    public final long k;
    public final double delta;

    /** How every release chooses its candidates: exact k-suppression (the default) or noisy. */
    public final Suppression suppression;

    public final KeyReference noiseKey;
    public final String heatmapInputTopic;
    public final String heatmapOutputTopic;
    public final int heatmapResolution;
    public final ReleaseSpec heatmap;

    /**
     * The heat map in the parent cells (H3 resolution {@link #heatmapResolution} − 1), or null when
     * {@code heatmap.parent_epsilon} is not set.
     */
    public final ReleaseSpec heatmapParent;

    public final String deviceTopic;
    public final String serviceTopic;
    public final String usageOutputTopic;
    public final long usageMaxCategories;
    public final long usageMaxEvents;
    public final long[] durationBucketsMs;
    public final Map<String, ReleaseSpec> usage;
    public final String budgetTopic;

    /**
     * The privacy ledger this configuration names ({@code privacy.ledger}), checked at load; null
     * when it names none, or when it was loaded as another deployment of a ledger.
     */
    public final PrivacyLedger ledger;

    public final JobConfig.Guarantee guarantee;
    public final String transactionalIdPrefix;
    public final Duration transactionTimeout;
    public final Map<String, String> flink;

    /**
     * The file this configuration was read from, as the user named it; for errors found after
     * loading.
     */
    public final String sourceFile;

    /**
     * The line of the {@code flink:} section in {@link #sourceFile}, or 0 when the file has none.
     */
    public final int flinkLine;

    private AggregatesConfig(YamlDocument doc, boolean withLedger) {
        ConfigNode root = doc.root();
        List<ConfigOption<?>> options = AggregatesOptions.all();
        root.allowOnly(options);
        version = root.text(AggregatesOptions.VERSION);
        ConfigNode anonymisation = root.node(AggregatesOptions.ANONYMISATION_CONFIG);
        anonymisationConfig = anonymisation.asText();
        keyEpochs = keyEpochsOf(doc, anonymisation);
        ConfigSections.Kafka kafka = ConfigSections.Kafka.read(root.child("kafka"));
        bootstrapServers = kafka.bootstrapServers();
        groupId = kafka.groupId();
        startingOffsets = kafka.startingOffsets();
        kafkaProperties = kafka.properties();

        root.child("time").allowOnly(options);
        ConfigNode w = root.node(AggregatesOptions.WINDOW);
        window = w.asDuration(Duration.ofMinutes(1), Duration.ofDays(1));
        if (Duration.ofDays(1).toMillis() % window.toMillis() != 0) {
            throw w.error(
                    "must divide a day evenly so windows align with UTC days (PT15M, PT1H, PT6H, P1D ...), was "
                            + w.asText());
        }
        allowedLateness =
                root.duration(
                        AggregatesOptions.ALLOWED_LATENESS, Duration.ZERO, Duration.ofDays(1));
        maxOutOfOrderness =
                root.duration(
                        AggregatesOptions.MAX_OUT_OF_ORDERNESS,
                        Duration.ZERO,
                        Duration.ofHours(24));
        sourceIdleness =
                root.duration(
                        AggregatesOptions.SOURCE_IDLENESS,
                        Duration.ofSeconds(1),
                        Duration.ofHours(24));

        root.child("privacy").allowOnly(options);
        k = root.whole(AggregatesOptions.K, 1, 1_000_000);
        delta = root.number(AggregatesOptions.DELTA, 1e-15, 1e-3);
        suppression = root.enumValue(AggregatesOptions.SUPPRESSION, Suppression.class);
        noiseKey = KeyReference.fromConfig(root.node(AggregatesOptions.NOISE_KEY));

        ConfigNode hm = root.child("heatmap").allowOnly(options);
        heatmapInputTopic = root.text(AggregatesOptions.HEATMAP_INPUT_TOPIC);
        heatmapOutputTopic = root.text(AggregatesOptions.HEATMAP_OUTPUT_TOPIC);
        heatmapResolution = root.integer(AggregatesOptions.HEATMAP_RESOLUTION, 0, 15);
        ConfigNode hmEpsilon = root.optNode(AggregatesOptions.HEATMAP_EPSILON);
        ConfigNode hmRho = root.optNode(AggregatesOptions.HEATMAP_RHO);
        if ((hmEpsilon == null) == (hmRho == null)) {
            throw hm.error(
                    "needs either epsilon (discrete Laplace noise) or rho (zCDP, discrete Gaussian"
                            + " noise), not "
                            + (hmEpsilon == null ? "neither" : "both"));
        }
        long maxCells = root.whole(AggregatesOptions.HEATMAP_MAX_CELLS_PER_SUBJECT, 1, 1000);
        heatmap = release(hm, "heatmap", hmEpsilon, hmRho, maxCells, 1);
        ConfigNode parentEpsilon = root.optNode(AggregatesOptions.HEATMAP_PARENT_EPSILON);
        if (parentEpsilon != null && heatmapResolution == 0) {
            throw parentEpsilon.error(
                    "resolution 0 cells have no parent: remove parent_epsilon or choose a"
                            + " resolution of 1 or more");
        }
        // A subject in at most L cells is in at most L parents; bounding keeps L on its own.
        heatmapParent =
                parentEpsilon == null
                        ? null
                        : release(parentEpsilon, PARENT_RELEASE, parentEpsilon, null, maxCells, 1);

        root.child("usage").allowOnly(options);
        deviceTopic = root.text(AggregatesOptions.USAGE_DEVICE_TOPIC);
        serviceTopic = root.text(AggregatesOptions.USAGE_SERVICE_TOPIC);
        usageOutputTopic = root.text(AggregatesOptions.USAGE_OUTPUT_TOPIC);
        usageMaxCategories =
                root.whole(AggregatesOptions.USAGE_MAX_CATEGORIES_PER_SUBJECT, 1, 1000);
        usageMaxEvents = root.whole(AggregatesOptions.USAGE_MAX_EVENTS_PER_CATEGORY, 1, 1000);
        List<Long> buckets = new ArrayList<>();
        ConfigNode bucketsNode = root.node(AggregatesOptions.USAGE_DURATION_BUCKETS_MS);
        for (ConfigNode b : bucketsNode.items()) {
            long v = b.asLong(0, Long.MAX_VALUE / 2);
            if (!buckets.isEmpty() && v <= buckets.get(buckets.size() - 1)) {
                throw b.error(
                        "bucket edges must increase, "
                                + v
                                + " follows "
                                + buckets.get(buckets.size() - 1));
            }
            buckets.add(v);
        }
        if (buckets.isEmpty() || buckets.get(0) != 0) {
            throw bucketsNode.error("the first bucket edge must be 0");
        }
        durationBucketsMs = buckets.stream().mapToLong(Long::longValue).toArray();
        Map<String, ReleaseSpec> tables = new LinkedHashMap<>();
        ConfigNode tablesNode = root.node(AggregatesOptions.USAGE_TABLES);
        for (Map.Entry<String, ConfigNode> e : tablesNode.entries().entrySet()) {
            Boolean distinct = USAGE_TABLES_DISTINCT.get(e.getKey());
            if (distinct == null) {
                throw e.getValue()
                        .error(
                                "unknown usage table '"
                                        + e.getKey()
                                        + "'; tables are "
                                        + USAGE_TABLES_DISTINCT.keySet());
            }
            ConfigNode v = e.getValue();
            ConfigNode tableEpsilon = v;
            ConfigNode tableRho = null;
            if (v.json().isObject()) {
                v.allowOnly("epsilon", "rho");
                tableEpsilon = v.optChild("epsilon");
                tableRho = v.optChild("rho");
                if ((tableEpsilon == null) == (tableRho == null)) {
                    throw v.error(
                            "a table has either an epsilon (a number, or {epsilon: x}) or {rho: x},"
                                    + " not "
                                    + (tableEpsilon == null ? "neither" : "both"));
                }
            }
            tables.put(
                    e.getKey(),
                    release(
                            v,
                            e.getKey(),
                            tableEpsilon,
                            tableRho,
                            usageMaxCategories,
                            distinct ? 1 : usageMaxEvents));
        }
        usage = Collections.unmodifiableMap(tables);

        budgetTopic = root.text(AggregatesOptions.BUDGET_TOPIC);
        ConfigSections.Delivery delivery = ConfigSections.Delivery.read(root.child("delivery"));
        guarantee = delivery.guarantee();
        if (guarantee != JobConfig.Guarantee.EXACTLY_ONCE) {
            // A release written twice (a retry after a failure) is two releases of one window,
            // and a consumer that sees both sees more than the budget line says was spent.
            throw root.node(VeilOptions.GUARANTEE)
                    .error(
                            "the aggregate jobs publish exactly_once only: at_least_once can write a"
                                    + " window's release twice, and consumers would see two noisy values of"
                                    + " one window (docs/aggregates.md)");
        }
        transactionalIdPrefix = delivery.transactionalIdPrefix();
        transactionTimeout = delivery.transactionTimeout();
        ConfigNode flinkNode = root.optNode(VeilOptions.FLINK);
        flink = flinkNode == null ? Map.of() : Map.copyOf(FlinkOptionCatalog.read(flinkNode));
        sourceFile = doc.fileName();
        flinkLine = flinkNode == null ? 0 : flinkNode.line();
        // last: every other mistake in this file is reported before the ledger's
        ConfigNode ledgerNode = root.optNode(AggregatesOptions.LEDGER);
        if (ledgerNode == null || !withLedger) {
            ledger = null;
        } else {
            Map<String, PrivacySpend> spends = new LinkedHashMap<>();
            for (ReleaseSpec r : allReleases()) {
                spends.put(r.name(), PrivacySpend.of(r));
            }
            ledger =
                    PrivacyLedger.load(
                            ledgerNode,
                            Path.of(doc.fileName()),
                            spends,
                            window,
                            p -> new AggregatesConfig(YamlDocument.read(p), false));
        }
    }

    /**
     * The effective configuration, one {@code key: value} line per setting, for the startup log.
     * Holds no secret: the noise key appears as its reference, Kafka properties whose name looks
     * secret as {@code ******}.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("version: " + version);
        lines.add(
                "anonymisation_config: " + anonymisationConfig + " (key epochs " + keyEpochs + ")");
        lines.add("kafka.bootstrap_servers: " + bootstrapServers);
        lines.add("kafka.group_id: " + groupId);
        lines.add("kafka.starting_offsets: " + startingOffsets.name().toLowerCase(Locale.ROOT));
        kafkaProperties.forEach(
                (k, v) -> lines.add("kafka.properties." + k + ": " + SensitiveKeys.display(k, v)));
        lines.add("time.window: " + window);
        lines.add("time.allowed_lateness: " + allowedLateness);
        lines.add("time.max_out_of_orderness: " + maxOutOfOrderness);
        lines.add("time.source_idleness: " + sourceIdleness);
        lines.add("privacy.k: " + k);
        lines.add("privacy.delta: " + delta);
        lines.add("privacy.suppression: " + suppression.label());
        lines.add("privacy.noise_key: " + noiseKey);
        for (ReleaseSpec r : allReleases()) {
            lines.add(
                    "release "
                            + r.name()
                            + ": "
                            + (r.gaussian()
                                    ? "rho " + r.configuredRho().toPlainString()
                                    : "epsilon " + r.epsilon().toPlainString())
                            + ", "
                            + r.noise().name()
                            + " noise scale "
                            + r.noise().scale()
                            + ", L "
                            + r.maxContributions()
                            + ", C "
                            + r.maxPerCategory()
                            + ", threshold "
                            + r.threshold()
                            + "; in a window across two key epochs: noise scale "
                            + r.acrossKeyEpochs(2).noise().scale()
                            + ", threshold "
                            + r.acrossKeyEpochs(2).threshold());
        }
        lines.add(
                "heatmap: "
                        + heatmapInputTopic
                        + " -> "
                        + heatmapOutputTopic
                        + ", resolution "
                        + heatmapResolution);
        lines.add("usage: " + deviceTopic + ", " + serviceTopic + " -> " + usageOutputTopic);
        lines.add("budget_topic: " + budgetTopic);
        if (ledger != null) {
            lines.addAll(ledger.describe());
        } else {
            lines.add("privacy.ledger: none (what one data subject spends per day is not capped)");
        }
        lines.add(
                "delivery: "
                        + guarantee.name().toLowerCase(Locale.ROOT)
                        + ", transactional_id_prefix "
                        + transactionalIdPrefix
                        + ", transaction_timeout "
                        + transactionTimeout);
        return lines;
    }

    /** A release of ε (epsilonNode, discrete Laplace) or ρ (rhoNode, discrete Gaussian). */
    private ReleaseSpec release(
            ConfigNode where,
            String name,
            ConfigNode epsilonNode,
            ConfigNode rhoNode,
            long maxContributions,
            long maxPerCategory) {
        ConfigNode budgetNode = rhoNode != null ? rhoNode : epsilonNode;
        double eps = budgetNode.asDouble(rhoNode != null ? 0.00001 : 0.001, 100);
        BigDecimal budget = new BigDecimal(budgetNode.json().asText()).stripTrailingZeros();
        try {
            ReleaseSpec spec =
                    rhoNode != null
                            ? ReleaseSpec.gaussian(
                                    name,
                                    budget,
                                    delta,
                                    k,
                                    maxContributions,
                                    maxPerCategory,
                                    suppression)
                            : new ReleaseSpec(
                                    name,
                                    budget,
                                    delta,
                                    k,
                                    maxContributions,
                                    maxPerCategory,
                                    suppression);
            // A window never overlaps more epochs than this: fail here, not when a window fires.
            spec.acrossKeyEpochs(maxKeyEpochs(window, keyEpochs));
            return spec;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw where.error(
                    "invalid privacy parameters for release '"
                            + name
                            + "' ("
                            + (rhoNode != null ? "rho " : "epsilon ")
                            + eps
                            + "): "
                            + e.getMessage());
        }
    }

    /**
     * The key epochs of the anonymisation job's file that {@code node} names, relative to the
     * directory of {@code doc}'s file (or to the working directory when its name has none). The
     * whole file is validated as that job validates it, so both jobs read the same settings.
     */
    private static KeyEpochs keyEpochsOf(YamlDocument doc, ConfigNode node) {
        Path parent = Path.of(doc.fileName()).getParent();
        Path file = parent == null ? Path.of(node.asText()) : parent.resolve(node.asText());
        try {
            return JobConfig.load(file).keyEpochs;
        } catch (ConfigException e) {
            throw node.error(
                    "cannot take key_epochs from the anonymisation job's configuration "
                            + file
                            + ": "
                            + e.getMessage());
        }
    }

    /**
     * The most key epochs a window of length {@code window} can overlap: the epochs of its first
     * and last millisecond are at most (window − 1) / length + 1 apart.
     */
    static int maxKeyEpochs(Duration window, KeyEpochs epochs) {
        long apart = (window.toMillis() - 1) / epochs.length().toMillis() + 1;
        return Math.toIntExact(Math.min(apart + 1, Integer.MAX_VALUE));
    }

    /**
     * The number g of key epochs that the window starting at {@code windowStart} overlaps, [start,
     * start + {@link #window}): the most subject pseudonyms one data subject can have in it. A
     * function of the configuration and the window alone, never of the data, so calibrating a
     * release on it leaks nothing.
     *
     * @param windowStart epoch milliseconds UTC, a multiple of the window length
     * @return g, at least 1
     */
    public int keyEpochsIn(long windowStart) {
        long first = keyEpochs.of(windowStart);
        long last = keyEpochs.of(windowStart + window.toMillis() - 1);
        return Math.toIntExact(last - first + 1);
    }

    /** The start of the window holding an event time (epoch milliseconds UTC). */
    public long windowStart(long eventTime) {
        long size = window.toMillis();
        return Math.floorDiv(eventTime, size) * size;
    }

    /**
     * Whether a record's {@code key_epoch} is one of the epochs its window overlaps. A record whose
     * epoch is not could carry a pseudonym beyond the g that {@link #keyEpochsIn} allows for: the
     * anonymisation job then runs with other key epochs than {@link #anonymisationConfig} says, or
     * truncates event times coarser than the window across an epoch boundary.
     *
     * @param eventTime the record's event time, epoch milliseconds UTC
     * @param keyEpoch the record's key_epoch
     */
    public boolean keyEpochFits(long eventTime, long keyEpoch) {
        long start = windowStart(eventTime);
        return keyEpoch >= keyEpochs.of(start)
                && keyEpoch <= keyEpochs.of(start + window.toMillis() - 1);
    }

    /**
     * The release {@code name} as calibrated for the window starting at {@code windowStart}: its
     * spec {@link ReleaseSpec#acrossKeyEpochs across} the window's {@link #keyEpochsIn key epochs}.
     *
     * @throws IllegalArgumentException for an unknown release
     */
    public ReleaseSpec spec(String name, long windowStart) {
        ReleaseSpec spec =
                name.equals(heatmap.name())
                        ? heatmap
                        : name.equals(PARENT_RELEASE) ? heatmapParent : usage.get(name);
        if (spec == null) {
            throw new IllegalArgumentException("unknown release " + name);
        }
        return spec.acrossKeyEpochs(keyEpochsIn(windowStart));
    }

    /**
     * Reads and validates the file. @throws dev.veil.config.ConfigException naming file, line, key
     * and problem
     */
    public static AggregatesConfig load(Path file) {
        return new AggregatesConfig(YamlDocument.read(file), true);
    }

    /** Validates a parsed document, and the ledger it names (relative to its file name). */
    public static AggregatesConfig load(YamlDocument doc) {
        return new AggregatesConfig(doc, true);
    }

    /** The H3 resolution of a heat map release's cells: the parent's is one coarser. */
    public int resolutionOf(String release) {
        return release.equals(PARENT_RELEASE) ? heatmapResolution - 1 : heatmapResolution;
    }

    /** Whether {@code release} is a heat map release (its records go to the heat map topic). */
    public static boolean isHeatmap(String release) {
        return release.equals("heatmap") || release.equals(PARENT_RELEASE);
    }

    /** The heat map releases: {@code heatmap}, then {@code heatmap_parent} when configured. */
    public List<ReleaseSpec> heatmapReleases() {
        return heatmapParent == null ? List.of(heatmap) : List.of(heatmap, heatmapParent);
    }

    /**
     * All releases of both jobs: the heat map (and its parent cells when configured), then the
     * usage tables.
     */
    public List<ReleaseSpec> allReleases() {
        List<ReleaseSpec> all = new ArrayList<>(heatmapReleases());
        all.addAll(usage.values());
        return all;
    }

    /**
     * Total ε one data subject can spend in one window across every release of both jobs (basic
     * sequential composition: the releases are computed from overlapping data, so their epsilons
     * add up); null when a release is a discrete Gaussian one, accounted in ρ only ({@link
     * #windowSpend()}).
     */
    public BigDecimal totalEpsilon() {
        return windowSpend().basicEpsilon();
    }

    /** What one data subject spends in one window across every release of both jobs. */
    public PrivacySpend windowSpend() {
        PrivacySpend sum = PrivacySpend.NONE;
        for (ReleaseSpec r : allReleases()) {
            sum = sum.plus(PrivacySpend.of(r));
        }
        return sum;
    }

    /** Total δ per window across every release (δs add up under basic composition). */
    public double totalDelta() {
        return delta * allReleases().size();
    }

    /** A copy with other brokers, key reference and extra Flink options (demo, tests). */
    public AggregatesConfig withOverrides(
            String servers, KeyReference key, Map<String, String> extraFlink) {
        return new AggregatesConfig(this, servers, key, extraFlink, maxOutOfOrderness, keyEpochs);
    }

    /**
     * A copy with other key epochs: for a run whose anonymisation job was given other epochs than
     * its file's ({@link JobConfig#withKeyEpochs}; the demo, tests). Pass that job's epochs, never
     * others: records of any other epoch are dropped ({@link #keyEpochFits}).
     *
     * @throws IllegalArgumentException if a release cannot be calibrated for the windows these
     *     epochs allow (epochs far shorter than the window)
     */
    public AggregatesConfig withKeyEpochs(KeyEpochs epochs) {
        for (ReleaseSpec r : allReleases()) {
            r.acrossKeyEpochs(maxKeyEpochs(window, epochs));
        }
        return new AggregatesConfig(
                this, bootstrapServers, noiseKey, Map.of(), maxOutOfOrderness, epochs);
    }

    /**
     * A copy with another out-of-orderness bound. A replay or backfill of the anonymised topics at
     * high speed needs a larger bound than live operation: the anonymisation job then emits many
     * minutes of event time per watermark step.
     */
    public AggregatesConfig withMaxOutOfOrderness(Duration bound) {
        return new AggregatesConfig(this, bootstrapServers, noiseKey, Map.of(), bound, keyEpochs);
    }

    private AggregatesConfig(
            AggregatesConfig o,
            String servers,
            KeyReference key,
            Map<String, String> extraFlink,
            Duration outOfOrderness,
            KeyEpochs epochs) {
        version = o.version;
        anonymisationConfig = o.anonymisationConfig;
        keyEpochs = epochs;
        bootstrapServers = servers;
        groupId = o.groupId;
        startingOffsets = o.startingOffsets;
        kafkaProperties = o.kafkaProperties;
        window = o.window;
        allowedLateness = o.allowedLateness;
        maxOutOfOrderness = outOfOrderness;
        sourceIdleness = o.sourceIdleness;
        k = o.k;
        delta = o.delta;
        suppression = o.suppression;
        noiseKey = key;
        heatmapInputTopic = o.heatmapInputTopic;
        heatmapOutputTopic = o.heatmapOutputTopic;
        heatmapResolution = o.heatmapResolution;
        heatmap = o.heatmap;
        heatmapParent = o.heatmapParent;
        deviceTopic = o.deviceTopic;
        serviceTopic = o.serviceTopic;
        usageOutputTopic = o.usageOutputTopic;
        usageMaxCategories = o.usageMaxCategories;
        usageMaxEvents = o.usageMaxEvents;
        durationBucketsMs = o.durationBucketsMs;
        usage = o.usage;
        budgetTopic = o.budgetTopic;
        ledger = o.ledger;
        guarantee = o.guarantee;
        transactionalIdPrefix = o.transactionalIdPrefix;
        transactionTimeout = o.transactionTimeout;
        Map<String, String> f = new LinkedHashMap<>(o.flink);
        f.putAll(extraFlink);
        flink = Map.copyOf(f);
        sourceFile = o.sourceFile;
        flinkLine = o.flinkLine;
    }
}
