package dev.veil.aggregate;

import dev.veil.config.ConfigException;
import dev.veil.config.JobConfig;
import dev.veil.config.YamlDocument;
import dev.veil.dp.DiscreteLaplace;
import dev.veil.dp.PartitionSelection;
import dev.veil.privacy.KeyEpochs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The shipped aggregates configuration, and errors that name file, line and key for broken ones.
 */
class AggregatesConfigTest {
    static final Path SHIPPED = Path.of("../config/aggregates.yaml");

    // In config/, so that its anonymisation_config (veil.yaml) is found next to it.
    /**
     * Edited copies of the shipped text, under its name: the privacy ledger next to it lists it.
     */
    private static final String FILE = "../config/aggregates.yaml";

    static String shippedText() {
        try {
            return Files.readString(SHIPPED, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The shipped text with one exact fragment replaced; fails if the fragment is not there exactly
     * once.
     */
    static String edited(String from, String to) {
        String text = shippedText();
        int at = text.indexOf(from);
        assertThat(at).as("fragment '%s' in the shipped config", from).isNotNegative();
        assertThat(text.indexOf(from, at + 1)).as("fragment '%s' occurs once", from).isNegative();
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    /** 1-based line of the first occurrence of a fragment. */
    private static int lineOf(String text, String fragment) {
        int at = text.indexOf(fragment);
        assertThat(at).isNotNegative();
        return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    /**
     * Loads the edited text, expecting a ConfigException at the line of {@code lineMarker} for key
     * {@code path}.
     */
    private static ConfigException rejected(String text, String lineMarker, String path) {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () -> AggregatesConfig.load(YamlDocument.parse(FILE, text)));
        assertThat(e).as("rejected").isNotNull();
        int line = lineOf(text, lineMarker);
        assertThat(e.file()).isEqualTo(FILE);
        assertThat(e.line()).isEqualTo(line);
        assertThat(e.path()).isEqualTo(path);
        assertThat(e.getMessage()).startsWith(FILE + ":" + line + ":").contains("(" + path + ")");
        return e;
    }

    private static long threshold(long l, long c, String epsilon) {
        return PartitionSelection.threshold(
                10,
                l,
                c,
                DiscreteLaplace.forSensitivityAndEpsilon(l * c, new BigDecimal(epsilon)),
                1e-6);
    }

    @Test
    void shippedConfig_loadsWithTheDocumentedValues() {
        AggregatesConfig c = AggregatesConfig.load(SHIPPED);

        assertThat(c.window).isEqualTo(Duration.ofHours(1));
        assertThat(c.allowedLateness).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.k).isEqualTo(10);
        assertThat(c.delta).isEqualTo(1e-6);
        assertThat(c.noiseKey.toString()).isEqualTo("env:VEIL_NOISE_KEY");
        assertThat(c.heatmapResolution).isEqualTo(7);
        assertThat(c.durationBucketsMs).containsExactly(0, 1000, 5000, 30000, 120000, 600000);
        assertThat(c.guarantee).isEqualTo(JobConfig.Guarantee.EXACTLY_ONCE);
        assertThat(c.allReleases())
                .extracting(ReleaseSpec::name)
                .containsExactly(
                        "heatmap",
                        "app_version",
                        "os",
                        "device_family",
                        "action",
                        "error_code",
                        "duration");
        assertThat(c.usage.keySet())
                .containsExactly(
                        "app_version", "os", "device_family", "action", "error_code", "duration");
        assertThat(c.totalEpsilon()).isEqualByComparingTo("4.0");
        assertThat(c.totalDelta()).isCloseTo(7e-6, org.assertj.core.data.Offset.offset(1e-18));
    }

    @Test
    void shippedConfig_releaseParametersAndThresholdsFollowFromLCAndEpsilon() {
        AggregatesConfig c = AggregatesConfig.load(SHIPPED);

        ReleaseSpec heatmap = c.heatmap;
        assertThat(heatmap.epsilon()).isEqualByComparingTo("1.0");
        assertThat(heatmap.maxContributions()).isEqualTo(2);
        assertThat(heatmap.maxPerCategory()).isEqualTo(1);
        assertThat(heatmap.noise().scale()).isEqualTo(2.0);
        assertThat(heatmap.threshold()).isEqualTo(threshold(2, 1, "1.0"));

        for (String distinct : List.of("app_version", "os", "device_family")) {
            ReleaseSpec r = c.usage.get(distinct);
            assertThat(r.maxPerCategory()).as(distinct).isEqualTo(1);
            assertThat(r.noise().scale()).as(distinct).isEqualTo(4.0);
            assertThat(r.threshold()).as(distinct).isEqualTo(threshold(2, 1, "0.5"));
        }
        for (String events : List.of("action", "error_code", "duration")) {
            ReleaseSpec r = c.usage.get(events);
            assertThat(r.maxContributions()).as(events).isEqualTo(2);
            assertThat(r.maxPerCategory()).as(events).isEqualTo(3);
            assertThat(r.noise().scale()).as(events).isEqualTo(12.0);
            assertThat(r.threshold()).as(events).isEqualTo(threshold(2, 3, "0.5"));
        }
        for (ReleaseSpec r : c.allReleases()) {
            assertThat(r.k()).isEqualTo(10);
            assertThat(r.delta()).isEqualTo(1e-6);
            assertThat(r.threshold())
                    .as("threshold above k*C")
                    .isGreaterThan(r.k() * r.maxPerCategory());
        }
    }

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long W10 = Instant.parse("2026-11-28T10:00:00Z").toEpochMilli();

    /** The shipped config with key epochs of {@code length} from {@code start}. */
    private static AggregatesConfig withEpochs(String start, Duration length) {
        return AggregatesConfig.load(SHIPPED)
                .withKeyEpochs(new KeyEpochs(Instant.parse(start), length));
    }

    @Test
    void shippedConfig_takesTheKeyEpochsOfTheAnonymisationJobsFile() {
        AggregatesConfig c = AggregatesConfig.load(SHIPPED);
        JobConfig veil = JobConfig.load(Path.of("../config/veil.yaml"));

        assertThat(c.anonymisationConfig).isEqualTo("veil.yaml");
        assertThat(c.keyEpochs.start()).isEqualTo(veil.keyEpochs.start());
        assertThat(c.keyEpochs.length()).isEqualTo(veil.keyEpochs.length());
        assertThat(c.describe()).anyMatch(l -> l.startsWith("anonymisation_config: veil.yaml"));
    }

    @Test
    void shippedConfig_epochBoundariesOnWindowBoundaries_everyWindowInOneEpoch() {
        // key_epochs.start is a UTC midnight and its length whole days; windows divide a day.
        AggregatesConfig c = AggregatesConfig.load(SHIPPED);
        long boundary = c.keyEpochs.startOf(11);
        for (long start = boundary - 48 * HOUR; start < boundary + 48 * HOUR; start += HOUR) {
            assertThat(c.keyEpochsIn(start)).as("window at %s", start).isEqualTo(1);
        }
    }

    @Test
    void keyEpochsIn_windowInsideOneEpoch_one() {
        AggregatesConfig c = withEpochs("2026-11-28T10:30:00Z", Duration.ofDays(1));
        assertThat(c.keyEpochsIn(W10 + HOUR)).as("11:00-12:00, from 10:30").isEqualTo(1);
        assertThat(c.keyEpochsIn(W10 - HOUR)).as("09:00-10:00, before 10:30").isEqualTo(1);
        assertThat(c.keyEpochsIn(W10 + 24 * HOUR + HOUR)).as("a day later").isEqualTo(1);
    }

    @Test
    void keyEpochsIn_windowStraddlingABoundary_two() {
        AggregatesConfig c = withEpochs("2026-11-28T10:30:00Z", Duration.ofDays(1));
        assertThat(c.keyEpochsIn(W10)).as("10:00-11:00 across 10:30").isEqualTo(2);
        assertThat(c.keyEpochsIn(W10 + 24 * HOUR)).as("the next boundary").isEqualTo(2);

        AggregatesConfig lastMs = withEpochs("2026-11-28T10:59:59.999Z", Duration.ofDays(1));
        assertThat(lastMs.keyEpochsIn(W10)).as("boundary at the last millisecond").isEqualTo(2);
        AggregatesConfig atEnd = withEpochs("2026-11-28T11:00:00Z", Duration.ofDays(1));
        assertThat(atEnd.keyEpochsIn(W10)).as("boundary at the window's end").isEqualTo(1);
        assertThat(atEnd.keyEpochsIn(W10 + HOUR)).as("boundary at its start").isEqualTo(1);
    }

    @Test
    void keyEpochsIn_windowSpanningSeveralEpochs_allOfThem() {
        AggregatesConfig aligned = withEpochs("2026-11-28T10:00:00Z", Duration.ofMinutes(20));
        assertThat(aligned.keyEpochsIn(W10)).as("three 20-minute epochs").isEqualTo(3);
        AggregatesConfig shifted = withEpochs("2026-11-28T10:10:00Z", Duration.ofMinutes(20));
        assertThat(shifted.keyEpochsIn(W10))
                .as("part of 09:50-10:10, three whole, part of 10:50-11:10")
                .isEqualTo(4);
        assertThat(AggregatesConfig.maxKeyEpochs(Duration.ofHours(1), shifted.keyEpochs))
                .as("the bound validated at load")
                .isEqualTo(4);
    }

    @Test
    void keyEpochFits_onlyTheEpochsOfTheRecordsWindow() {
        AggregatesConfig c = withEpochs("2026-11-28T10:30:00Z", Duration.ofDays(1));
        long epoch = c.keyEpochs.of(W10 + HOUR);
        assertThat(c.keyEpochFits(W10 + 5 * 60_000, epoch - 1)).isTrue();
        assertThat(c.keyEpochFits(W10 + 5 * 60_000, epoch))
                .as("an event before 10:30 whose time was truncated into the window")
                .isTrue();
        assertThat(c.keyEpochFits(W10 + 5 * 60_000, epoch + 1)).isFalse();
        assertThat(c.keyEpochFits(W10 + HOUR, epoch - 1))
                .as("11:00-12:00 lies in one epoch")
                .isFalse();
        assertThat(c.keyEpochFits(W10 + HOUR, epoch)).isTrue();
    }

    @Test
    void specOfAWindow_calibratedForItsKeyEpochs() {
        AggregatesConfig c = withEpochs("2026-11-28T10:30:00Z", Duration.ofDays(1));
        assertThat(c.spec("heatmap", W10 + HOUR)).isSameAs(c.heatmap);
        ReleaseSpec boundary = c.spec("heatmap", W10);
        assertThat(boundary.keyEpochs()).isEqualTo(2);
        assertThat(boundary.noise().scale()).isEqualTo(4.0);
        assertThat(c.spec("action", W10).noise().scale()).as("2 * L 2 * C 3 / 0.5").isEqualTo(24.0);
        assertThatThrownBy(() -> c.spec("clicks", W10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anonymisationConfigThatCannotBeRead_rejectedNamingTheKey() {
        String text = edited("anonymisation_config: veil.yaml", "anonymisation_config: nope.yaml");
        ConfigException e = rejected(text, "anonymisation_config:", "anonymisation_config");
        assertThat(e.problem()).contains("nope.yaml").contains("cannot take key_epochs");
    }

    @Test
    void missingAnonymisationConfig_rejected() {
        assertThatThrownBy(
                        () ->
                                AggregatesConfig.load(
                                        YamlDocument.parse(
                                                FILE,
                                                edited(
                                                        "anonymisation_config: veil.yaml",
                                                        "# none"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("anonymisation_config");
    }

    @Test
    void keyEpochsFarShorterThanTheWindow_stillCalibratedForEveryPseudonym() {
        AggregatesConfig c = AggregatesConfig.load(SHIPPED);
        // A window of an hour over epochs of a second is up to 3,601 pseudonyms per person: still
        // calibrated (the noise is then useless, but it is not wrong).
        assertThat(c.withKeyEpochs(new KeyEpochs(Instant.EPOCH, Duration.ofSeconds(1))).keyEpochs)
                .isNotNull();
        assertThat(
                        c.withKeyEpochs(new KeyEpochs(Instant.EPOCH, Duration.ofSeconds(1)))
                                .spec("action", W10)
                                .sensitivity())
                .isEqualTo(3600L * 2 * 3);
    }

    @Test
    void shippedConfigParsedFromText_sameAsReadFromFile() {
        AggregatesConfig fromText = AggregatesConfig.load(YamlDocument.parse(FILE, shippedText()));
        assertThat(fromText.totalEpsilon()).isEqualByComparingTo("4.0");
        assertThat(fromText.allReleases())
                .extracting(ReleaseSpec::threshold)
                .containsExactlyElementsOf(
                        AggregatesConfig.load(SHIPPED).allReleases().stream()
                                .map(ReleaseSpec::threshold)
                                .toList());
    }

    @Test
    void atLeastOnce_rejectedNamingDeliveryGuarantee() {
        String text = edited("guarantee: exactly_once", "guarantee: at_least_once");
        ConfigException e = rejected(text, "guarantee: at_least_once", "delivery.guarantee");
        assertThat(e.problem()).contains("exactly_once only").contains("twice");
    }

    @Test
    void windowThatDoesNotDivideADay_rejectedNamingTimeWindow() {
        String text = edited("window: PT1H", "window: PT7M");
        ConfigException e = rejected(text, "window: PT7M", "time.window");
        assertThat(e.problem()).contains("divide a day");
    }

    @Test
    void unknownUsageTable_rejectedNamingTheTable() {
        String text = edited("    duration: 0.5", "    duration: 0.5\n    clicks: 0.5");
        ConfigException e = rejected(text, "clicks: 0.5", "usage.tables.clicks");
        assertThat(e.problem()).contains("unknown usage table 'clicks'");
    }

    @Test
    void epsilonZero_rejectedForTheHeatmapAndForAUsageTable() {
        String heat = edited("  epsilon: 1.0", "  epsilon: 0");
        rejected(heat, "epsilon: 0", "heatmap.epsilon");

        String table = edited("    action: 0.5", "    action: 0");
        rejected(table, "action: 0", "usage.tables.action");
    }

    @Test
    void epsilonWithTooManyDecimalPlaces_configExceptionNotIllegalArgument() {
        String text = edited("    os: 0.5", "    os: 0.1234567891234");
        ConfigException e = rejected(text, "os: 0.1234567891234", "usage.tables.os");
        assertThat(e.problem()).contains("release 'os'");
    }

    @Test
    void deltaOutOfRange_rejectedNamingPrivacyDelta() {
        String text = edited("delta: 1.0e-6", "delta: 0.5");
        rejected(text, "delta: 0.5", "privacy.delta");
    }

    @Test
    void decreasingDurationBuckets_rejectedAtTheOffendingEdge() {
        String text = edited("[0, 1000, 5000, 30000", "[0, 5000, 1000, 30000");
        ConfigException e = rejected(text, "duration_buckets_ms:", "usage.duration_buckets_ms[2]");
        assertThat(e.problem()).contains("must increase");
    }

    @Test
    void equalDurationBuckets_rejected() {
        String text = edited("[0, 1000, 5000, 30000", "[0, 1000, 1000, 30000");
        rejected(text, "duration_buckets_ms:", "usage.duration_buckets_ms[2]");
    }

    @Test
    void firstDurationBucketNotZero_rejected() {
        String text = edited("[0, 1000, 5000", "[100, 1000, 5000");
        ConfigException e = rejected(text, "duration_buckets_ms:", "usage.duration_buckets_ms");
        assertThat(e.problem()).contains("first bucket edge must be 0");
    }

    @Test
    void noiseKeyWithBothEnvAndFile_rejected() {
        String text =
                edited(
                        "    env: VEIL_NOISE_KEY",
                        "    env: VEIL_NOISE_KEY\n    file: /run/secrets/noise-key");
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () -> AggregatesConfig.load(YamlDocument.parse(FILE, text)));
        assertThat(e).isNotNull();
        assertThat(e.path()).isEqualTo("privacy.noise_key");
        assertThat(e.line())
                .isBetween(lineOf(text, "noise_key:"), lineOf(text, "env: VEIL_NOISE_KEY"));
        assertThat(e.getMessage())
                .startsWith(FILE + ":" + e.line() + ":")
                .contains("exactly one of");
    }

    @Test
    void noiseKeyEnvThatIsNotAVariableName_rejectedWithoutQuotingTheValue() {
        // What a pasted key looks like: base64 with '+', '/' and '='.
        String pasted = "q83vEjRWeJq+/c2LmTnT0Ay7xP1oWb3hK2J8zD9sQeU=";
        String text = edited("env: VEIL_NOISE_KEY", "env: \"" + pasted + "\"");
        ConfigException e = rejected(text, pasted, "privacy.noise_key.env");
        assertThat(e.getMessage()).doesNotContain(pasted).doesNotContain(pasted.substring(0, 12));
        assertThat(e.problem()).contains("environment variable name");
    }

    @Test
    void noiseKeyFile_accepted() {
        String text = edited("env: VEIL_NOISE_KEY", "file: /run/secrets/noise-key");
        AggregatesConfig c = AggregatesConfig.load(YamlDocument.parse(FILE, text));
        assertThat(c.noiseKey.toString()).isEqualTo("file:/run/secrets/noise-key");
    }

    @Test
    void missingTables_rejectedNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                AggregatesConfig.load(
                                        YamlDocument.parse(
                                                FILE,
                                                edited("budget_topic: veil.agg.budget\n", ""))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(FILE)
                .hasMessageContaining("budget_topic");
    }

    @Test
    void keyPastedInsteadOfAReference_rejectedWithoutQuotingIt() {
        String pasted = "q83vEjRWeJq+/c2LmTnT0Ay7xP1oWb3hK2J8zD9sQeU=";
        String text =
                edited(
                        "  noise_key:\n    env: VEIL_NOISE_KEY",
                        "  noise_key: \"" + pasted + "\"\n    # env: VEIL_NOISE_KEY");
        ConfigException e = rejected(text, "noise_key:", "privacy.noise_key");
        assertThat(e.getMessage()).doesNotContain(pasted).doesNotContain(pasted.substring(0, 12));
    }

    @Test
    void noiseSwitch_isNoLongerAKey_aDeployedJobAlwaysAddsNoise() {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () ->
                                AggregatesConfig.load(
                                        YamlDocument.parse(
                                                "../config/agg.yaml",
                                                edited(
                                                        "  delta: 1.0e-6 ",
                                                        "  noise: false\n  delta: 1.0e-6 "))));
        assertThat(e).isNotNull();
        assertThat(e.path()).isEqualTo("privacy.noise");
        assertThat(e.problem()).contains("unknown key 'noise'");
    }

    @Test
    void suppression_defaultExact_noisyLowersEveryThresholdByKMinusOneTimesC() {
        AggregatesConfig exact = AggregatesConfig.load(SHIPPED);
        AggregatesConfig noisy =
                AggregatesConfig.load(
                        YamlDocument.parse(
                                FILE, edited("suppression: exact ", "suppression: noisy ")));

        assertThat(exact.suppression).isEqualTo(Suppression.EXACT);
        assertThat(noisy.suppression).isEqualTo(Suppression.NOISY);
        List<ReleaseSpec> before = exact.allReleases();
        List<ReleaseSpec> after = noisy.allReleases();
        for (int i = 0; i < before.size(); i++) {
            ReleaseSpec e = before.get(i);
            assertThat(after.get(i).suppression()).isEqualTo(Suppression.NOISY);
            assertThat(after.get(i).threshold())
                    .as(e.name())
                    .isEqualTo(e.threshold() - (e.k() - 1) * e.maxPerCategory());
        }
        assertThat(noisy.totalEpsilon()).isEqualByComparingTo(exact.totalEpsilon());
    }

    @Test
    void suppression_unknownValue_rejectedNamingPrivacySuppression() {
        String text = edited("suppression: exact ", "suppression: fuzzy ");
        assertThat(rejected(text, "suppression: fuzzy", "privacy.suppression").getMessage())
                .contains("fuzzy");
    }

    private static final String PARENT_OFF = "  # parent_epsilon: 0.25 ";

    @Test
    void parentEpsilon_addsTheReleaseHeatmapParentToEveryTotal() {
        AggregatesConfig c =
                AggregatesConfig.load(
                        YamlDocument.parse(FILE, edited(PARENT_OFF, "  parent_epsilon: 0.25 ")));

        ReleaseSpec parent = c.heatmapParent;
        assertThat(parent.name()).isEqualTo("heatmap_parent");
        assertThat(parent.epsilon()).isEqualByComparingTo("0.25");
        assertThat(parent.maxContributions()).isEqualTo(c.heatmap.maxContributions());
        assertThat(parent.maxPerCategory()).isEqualTo(1);
        assertThat(c.allReleases())
                .extracting(ReleaseSpec::name)
                .containsSubsequence("heatmap", "heatmap_parent", "app_version");
        assertThat(c.totalEpsilon()).isEqualByComparingTo("4.25");
        assertThat(c.totalDelta()).isCloseTo(8e-6, org.assertj.core.data.Offset.offset(1e-18));
        assertThat(c.resolutionOf("heatmap_parent")).isEqualTo(6);
        assertThat(c.spec("heatmap_parent", W10)).isSameAs(parent);
        assertThat(AggregatesConfig.load(SHIPPED).heatmapParent).as("absent: off").isNull();
    }

    @Test
    void parentEpsilon_atResolutionZero_rejectedNamingParentEpsilon() {
        String text =
                edited("resolution: 7 ", "resolution: 0 ")
                        .replace(PARENT_OFF, "  parent_epsilon: 0.25 ");
        assertThat(rejected(text, "parent_epsilon: 0.25", "heatmap.parent_epsilon").getMessage())
                .contains("no parent");
    }

    @Test
    void parentEpsilon_zero_rejectedNamingParentEpsilon() {
        String text = edited(PARENT_OFF, "  parent_epsilon: 0 ");
        rejected(text, "parent_epsilon: 0", "heatmap.parent_epsilon");
    }
}
