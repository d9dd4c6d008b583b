package dev.veil.tools.bench;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.CategoryExtractor;
import dev.veil.aggregate.ContributionBounding;
import dev.veil.aggregate.NoisyRelease;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.aggregate.SubjectWindow;
import dev.veil.aggregate.Suppression;
import dev.veil.config.JobConfig;
import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentHistory;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.IsoInstant;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.LocationGeneraliser;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.ConsentRecordProcessor;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.sample.SampleData;
import dev.veil.tools.sample.SampleRecord;
import dev.veil.tools.sample.Topics;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code ./veil utility}: how much of the demo day the heat map and usage releases publish, under
 * exact or noisy suppression, with and without parent cells, at the same ε per release family.
 * Plain Java over the demo's generated input (same seed, subjects and day as {@code ./veil demo}),
 * through the classes the jobs use: the anonymisation job's record processors and consent rules,
 * {@link CategoryExtractor}, {@link ContributionBounding} with its ranks, {@link ReleaseSpec} and
 * {@link NoisyRelease} with fixed keys. No Kafka, no Flink.
 *
 * <p>Approximations (stated in docs/aggregates.md): consent is decided against every consent change
 * of the day, as the consent gate decides once the consent topic has been read; a person who erases
 * and returns stays one subject (the job would see two pseudonyms); every record is on time (the
 * jobs drop records later than the allowed lateness). Noise is averaged over {@code --runs} fixed
 * noise keys.
 */
@Command(
        name = "veil utility",
        mixinStandardHelpOptions = true,
        description =
                "Share of true cells and categories with at least k people that is published, and the"
                        + " mean absolute error of published counts, per suppression and parent-cell choice.")
public final class UtilityMain implements Callable<Integer> {

    static final String BEGIN = "<!-- utility table: ./veil utility --report -->";
    static final String END = "<!-- end of utility table -->";

    @Option(names = "--subjects", defaultValue = "3000", description = "As ./veil demo.")
    int subjects;

    @Option(names = "--seed", defaultValue = "20261128", description = "As ./veil demo.")
    long seed;

    @Option(names = "--day", defaultValue = "2026-11-28", description = "As ./veil demo.")
    LocalDate day;

    @Option(names = "--config", defaultValue = "config/veil.yaml")
    Path config;

    @Option(names = "--rules", defaultValue = "config/rules.yaml")
    Path rules;

    @Option(names = "--aggregates", defaultValue = "config/aggregates.yaml")
    Path aggregates;

    @Option(
            names = "--fine-epsilon",
            defaultValue = "0.75",
            description =
                    "ε of the fine cells when parent cells are on (default: ${DEFAULT-VALUE})")
    BigDecimal fineEpsilon;

    @Option(
            names = "--parent-epsilon",
            defaultValue = "0.25",
            description = "ε of the parent cells (default: ${DEFAULT-VALUE})")
    BigDecimal parentEpsilon;

    @Option(
            names = "--runs",
            defaultValue = "5",
            description = "Noise keys to average over (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(
            names = "--report",
            description = "Also write the table into docs/aggregates.md between its markers")
    boolean report;

    @Option(names = "--docs", defaultValue = "docs/aggregates.md", hidden = true)
    Path docs;

    public static void main(String[] args) {
        System.exit(Cli.execute(new UtilityMain(), args));
    }

    /** One configuration of the heat map and the suppression, at the same ε per family. */
    record Variant(String label, Suppression suppression, boolean parent) {}

    /** Bounded counts of one (release, window, category), and its true number of people. */
    static final class Cell {
        long subjects;
        long sum;
        final Set<String> people = new HashSet<>();
    }

    @Override
    public Integer call() throws Exception {
        JobConfig job = JobConfig.load(config);
        RuleSet ruleSet = RuleSetLoader.load(rules);
        AggregatesConfig agg = AggregatesConfig.load(aggregates);
        byte[] master = fixedKey("veil-utility-master");
        Pseudonymiser pseudonymiser = new Pseudonymiser(master);

        SampleData data = SampleData.generate(seed, subjects, day, Topics.of(job));
        Map<String, ConsentHistory> consent =
                consent(data, job.consentTopic, ruleSet, pseudonymiser);
        List<String[]> observations =
                observations(data, job, ruleSet, agg, consent, master, pseudonymiser);
        Map<String, Cell> cells = bound(observations, agg);

        List<Variant> variants =
                List.of(
                        new Variant("(a) exact (shipped)", Suppression.EXACT, false),
                        new Variant("(b) noisy", Suppression.NOISY, false),
                        new Variant("(c) exact + parent", Suppression.EXACT, true),
                        new Variant("(d) noisy + parent", Suppression.NOISY, true));
        StringBuilder table = new StringBuilder();
        table.append(
                "| configuration | heat map ε (cell + parent) | τ cell (parent) | cells ≥ k published |"
                        + " weighted by people | ≥ k cells shown (cell or parent) | weighted by people |"
                        + " published with < k people | MAE cell (parent) | usage categories ≥ k published |"
                        + " MAE usage |\n");
        table.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Variant v : variants) {
            table.append(row(v, agg, cells)).append('\n');
        }
        String header =
                String.format(
                        Locale.ROOT,
                        "%,d data subjects (seed %d, %s), %,d consented observations, %d noise keys; k = %d,"
                                + " δ = %s per release, heat map resolution %d.%n%n",
                        subjects,
                        seed,
                        day,
                        observations.size(),
                        runs,
                        agg.k,
                        agg.delta,
                        agg.heatmapResolution);
        System.out.print(header + table);
        if (report) {
            writeReport(header + table);
            System.out.println("written into " + docs);
        }
        return 0;
    }

    private String row(Variant v, AggregatesConfig agg, Map<String, Cell> cells) {
        ReleaseSpec fine =
                spec(
                        agg.heatmap,
                        v.parent ? fineEpsilon : agg.heatmap.epsilon(),
                        v.suppression,
                        agg);
        ReleaseSpec parent =
                spec(
                        new ReleaseSpec(
                                AggregatesConfig.PARENT_RELEASE,
                                parentEpsilon,
                                agg.delta,
                                agg.k,
                                agg.heatmap.maxContributions(),
                                1),
                        parentEpsilon,
                        v.suppression,
                        agg);
        Map<String, ReleaseSpec> usage = new HashMap<>();
        agg.usage.forEach((name, s) -> usage.put(name, spec(s, s.epsilon(), v.suppression, agg)));

        double[] sums = new double[11];
        for (int run = 0; run < runs; run++) {
            NoisyRelease mechanism =
                    new NoisyRelease(fixedKey("veil-utility-noise-" + run), agg.window.toMillis());
            Map<String, Long> published = new HashMap<>();
            for (Map.Entry<String, Cell> e : cells.entrySet()) {
                String[] key = e.getKey().split("\\|", 3);
                ReleaseSpec spec =
                        key[0].equals("heatmap")
                                ? fine
                                : key[0].equals(AggregatesConfig.PARENT_RELEASE)
                                        ? (v.parent ? parent : null)
                                        : usage.get(key[0]);
                if (spec == null) {
                    continue;
                }
                Cell c = e.getValue();
                OptionalLong value =
                        mechanism.release(spec, Long.parseLong(key[1]), key[2], c.subjects, c.sum);
                if (value.isPresent()) {
                    published.put(e.getKey(), value.getAsLong());
                }
            }
            long trueCells = 0;
            long truePeople = 0;
            long shownCells = 0;
            long shownPeople = 0;
            long coveredCells = 0;
            long coveredPeople = 0;
            long belowK = 0;
            double errFine = 0;
            long nFine = 0;
            double errParent = 0;
            long nParent = 0;
            long trueUsage = 0;
            long shownUsage = 0;
            double errUsage = 0;
            long nUsage = 0;
            for (Map.Entry<String, Cell> e : cells.entrySet()) {
                String[] key = e.getKey().split("\\|", 3);
                Cell c = e.getValue();
                int people = c.people.size();
                Long value = published.get(e.getKey());
                boolean atLeastK = people >= agg.k;
                if (value != null) {
                    if (!atLeastK) {
                        belowK++;
                    }
                    double err = Math.abs(value - c.sum);
                    if (key[0].equals("heatmap")) {
                        errFine += err;
                        nFine++;
                    } else if (key[0].equals(AggregatesConfig.PARENT_RELEASE)) {
                        errParent += err;
                        nParent++;
                    } else {
                        errUsage += err;
                        nUsage++;
                    }
                }
                if (!atLeastK) {
                    continue;
                }
                if (key[0].equals("heatmap")) {
                    trueCells++;
                    truePeople += people;
                    boolean shown = value != null;
                    boolean covered =
                            shown
                                    || published.containsKey(
                                            AggregatesConfig.PARENT_RELEASE
                                                    + '|'
                                                    + key[1]
                                                    + '|'
                                                    + parentCell(key[2], agg));
                    shownCells += shown ? 1 : 0;
                    shownPeople += shown ? people : 0;
                    coveredCells += covered ? 1 : 0;
                    coveredPeople += covered ? people : 0;
                } else if (!key[0].equals(AggregatesConfig.PARENT_RELEASE)) {
                    trueUsage++;
                    shownUsage += value != null ? 1 : 0;
                }
            }
            double[] r = {
                ratio(shownCells, trueCells),
                ratio(shownPeople, truePeople),
                ratio(coveredCells, trueCells),
                ratio(coveredPeople, truePeople),
                belowK,
                nFine == 0 ? Double.NaN : errFine / nFine,
                nParent == 0 ? Double.NaN : errParent / nParent,
                ratio(shownUsage, trueUsage),
                nUsage == 0 ? Double.NaN : errUsage / nUsage,
                trueCells,
                trueUsage
            };
            for (int i = 0; i < r.length; i++) {
                sums[i] += r[i] / runs;
            }
        }
        return String.format(
                Locale.ROOT,
                "| %s | %s | %d%s | %.1f %% | %.1f %% | %s | %s | %.1f | %.2f%s | %.1f %% | %.2f |",
                v.label,
                v.parent
                        ? fineEpsilon.toPlainString() + " + " + parentEpsilon.toPlainString()
                        : fine.epsilon().toPlainString(),
                fine.threshold(),
                v.parent ? " (" + parent.threshold() + ")" : "",
                100 * sums[0],
                100 * sums[1],
                v.parent ? String.format(Locale.ROOT, "%.1f %%", 100 * sums[2]) : "–",
                v.parent ? String.format(Locale.ROOT, "%.1f %%", 100 * sums[3]) : "–",
                sums[4],
                sums[5],
                v.parent ? String.format(Locale.ROOT, " (%.2f)", sums[6]) : "",
                100 * sums[7],
                sums[8]);
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    private static ReleaseSpec spec(
            ReleaseSpec base, BigDecimal epsilon, Suppression suppression, AggregatesConfig agg) {
        return new ReleaseSpec(
                base.name(),
                epsilon,
                agg.delta,
                agg.k,
                base.maxContributions(),
                base.maxPerCategory(),
                suppression);
    }

    private static String parentCell(String cell, AggregatesConfig agg) {
        try {
            return LocationGeneraliser.parent(cell, agg.heatmapResolution - 1);
        } catch (InvalidValueException e) {
            throw new IllegalStateException("a published cell without a parent: " + cell, e);
        }
    }

    /** Every consent change of the day, by subject key, as the consent gate holds them. */
    private static Map<String, ConsentHistory> consent(
            SampleData data, String topic, RuleSet ruleSet, Pseudonymiser pseudonymiser) {
        Map<String, ConsentHistory> histories = new HashMap<>();
        ConsentRecordProcessor processor = new ConsentRecordProcessor(ruleSet, pseudonymiser);
        for (SampleRecord r : data.records()) {
            if (!r.topic().equals(topic)) {
                continue;
            }
            processor.process(
                    r.value().getBytes(StandardCharsets.UTF_8),
                    Long.MAX_VALUE,
                    new ConsentRecordProcessor.Emitter() {
                        @Override
                        public void change(String subjectKey, ConsentChange change) {
                            histories
                                    .computeIfAbsent(subjectKey, k -> new ConsentHistory())
                                    .insert(change);
                        }

                        @Override
                        public void deadLetter(DeadLetterReason reason, String detail) {}
                    });
        }
        return histories;
    }

    /**
     * Anonymised records the consent gate lets through, read into (subject, window start, release,
     * category) as the aggregate jobs read them.
     */
    private static List<String[]> observations(
            SampleData data,
            JobConfig job,
            RuleSet ruleSet,
            AggregatesConfig agg,
            Map<String, ConsentHistory> consent,
            byte[] master,
            Pseudonymiser pseudonymiser) {
        Map<String, String> streamOfTopic = new HashMap<>();
        job.inputTopics.forEach((stream, topic) -> streamOfTopic.put(topic, stream));
        KeyEpochs epochs = job.keyEpochs;
        LogRecordProcessor processor =
                new LogRecordProcessor(ruleSet, pseudonymiser, new PseudonymKeys(master), epochs);
        CategoryExtractor extractor = new CategoryExtractor(agg);
        List<String[]> out = new ArrayList<>();
        for (SampleRecord r : data.records()) {
            String stream = streamOfTopic.get(r.topic());
            if (stream == null) {
                continue;
            }
            processor.process(
                    stream,
                    r.value().getBytes(StandardCharsets.UTF_8),
                    Long.MAX_VALUE,
                    new LogRecordProcessor.Emitter() {
                        @Override
                        public void anonymised(
                                OutputRules output,
                                String subjectKey,
                                long eventTime,
                                byte[] anonymised,
                                String outputKey,
                                int[] slots,
                                int keySlot) {
                            ConsentHistory h = consent.get(subjectKey);
                            ConsentState state = h == null ? null : h.at(eventTime);
                            if (!ConsentRules.decide(
                                            state,
                                            output.requiredPurposes(),
                                            output.publishMinors())
                                    .allowed()) {
                                return;
                            }
                            read(output.topic(), subjectKey, anonymised, agg, extractor, out);
                        }

                        @Override
                        public void deadLetter(DeadLetterReason reason, String detail) {}
                    });
        }
        return out;
    }

    private static void read(
            String topic,
            String subject,
            byte[] anonymised,
            AggregatesConfig agg,
            CategoryExtractor extractor,
            List<String[]> out) {
        try {
            JsonNode node = Json.MAPPER.readTree(anonymised);
            long window = agg.windowStart(IsoInstant.parseMillis(node.get("event_time").asText()));
            String w = Long.toString(window);
            if (topic.equals(agg.heatmapInputTopic)) {
                extractor.location(
                        node,
                        (release, cell) -> {
                            out.add(new String[] {subject, w, release, cell});
                            if (agg.heatmapResolution > 0) {
                                out.add(
                                        new String[] {
                                            subject,
                                            w,
                                            AggregatesConfig.PARENT_RELEASE,
                                            parentCell(cell, agg)
                                        });
                            }
                        });
            } else if (topic.equals(agg.deviceTopic)) {
                extractor.device(
                        node, (release, c) -> out.add(new String[] {subject, w, release, c}));
            } else if (topic.equals(agg.serviceTopic)) {
                extractor.service(
                        node, (release, c) -> out.add(new String[] {subject, w, release, c}));
            }
        } catch (IOException | InvalidValueException e) {
            // unreadable for the aggregate jobs too (veil.unreadable)
        }
    }

    /**
     * Contribution bounding per subject and window, then the counts per (release, window,
     * category), with the true number of people before bounding.
     */
    private static Map<String, Cell> bound(List<String[]> observations, AggregatesConfig agg) {
        byte[] rankKey = fixedKey("veil-utility-rank");
        Pseudonymiser ranker = new Pseudonymiser(rankKey);
        Map<String, SubjectWindow> windows = new HashMap<>();
        Map<String, Cell> cells = new TreeMap<>();
        for (String[] o : observations) {
            String release = o[2];
            long maxCategories;
            long maxPer;
            if (release.equals("heatmap") || release.equals(AggregatesConfig.PARENT_RELEASE)) {
                maxCategories = agg.heatmap.maxContributions();
                maxPer = 1;
            } else {
                maxCategories = agg.usage.get(release).maxContributions();
                maxPer = agg.usage.get(release).maxPerCategory();
            }
            long window = Long.parseLong(o[1]);
            SubjectWindow w = windows.computeIfAbsent(o[0] + '|' + o[1], k -> new SubjectWindow());
            ContributionBounding.add(
                    w,
                    release,
                    o[3],
                    ContributionBounding.rank(ranker, o[0], window, release, o[3]),
                    maxCategories,
                    maxPer);
            cells.computeIfAbsent(release + '|' + o[1] + '|' + o[3], k -> new Cell())
                    .people
                    .add(o[0]);
        }
        for (Map.Entry<String, SubjectWindow> e : windows.entrySet()) {
            String window = e.getKey().substring(e.getKey().indexOf('|') + 1);
            for (SubjectWindow.Entry entry : e.getValue().entries) {
                Cell c = cells.get(entry.release + '|' + window + '|' + entry.category);
                c.subjects++;
                c.sum += entry.count;
            }
        }
        return cells;
    }

    /** A fixed 32-byte key: SHA-256 of a name, so every run and machine gets the same figures. */
    static byte[] fixedKey(String name) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void writeReport(String table) throws IOException {
        String text = Files.readString(docs, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalStateException(
                    docs
                            + " has no markers "
                            + BEGIN
                            + " ... "
                            + END
                            + " to write the table between");
        }
        String stamp =
                String.format(
                        Locale.ROOT,
                        "`./veil utility --report` on %s, %s (%d cores), %s.%n%n",
                        ZonedDateTime.now(ZoneOffset.UTC).toLocalDate(),
                        System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                        Runtime.getRuntime().availableProcessors(),
                        "Java " + System.getProperty("java.version"));
        Files.writeString(
                docs,
                text.substring(0, begin + BEGIN.length())
                        + "\n"
                        + stamp
                        + table
                        + text.substring(end),
                StandardCharsets.UTF_8);
    }
}
