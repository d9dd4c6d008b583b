package dev.veil.tools.demo;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.ReleaseSpec;
import dev.veil.config.JobConfig;
import dev.veil.config.KeyReference;
import dev.veil.job.RulesText;
import dev.veil.job.aggregate.AggregationTopology;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.privacy.KeyEpochs;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.local.KafkaIo;
import dev.veil.tools.local.LocalKafka;
import dev.veil.tools.local.LocalMetrics;
import dev.veil.tools.render.HeatmapGeoJson;
import dev.veil.tools.render.HeatmapHtml;
import dev.veil.tools.render.HeatmapPng;
import dev.veil.tools.render.TopCells;
import dev.veil.tools.render.UsageCsv;
import dev.veil.tools.sample.SampleData;
import dev.veil.tools.sample.SampleRecord;
import dev.veil.tools.sample.Topics;
import dev.veil.tools.topics.VeilTopics;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * {@code ./veil demo}: starts a real Kafka broker on loopback, produces a generated day of raw
 * logs, runs the anonymisation job on a local Flink (MiniCluster, RocksDB, checkpoints,
 * exactly-once sink) until the input is consumed, and writes what it sent and what it read back
 * (read_committed) to {@code out/}.
 */
@Command(
        name = "veil demo",
        mixinStandardHelpOptions = true,
        description =
                "Runs the anonymisation job over generated sample input on a local Kafka and Flink.")
public final class DemoMain implements Callable<Integer> {
    /** Kafka 4's default log.message.timestamp.after.max.ms: later timestamps are refused. */
    private static final Duration BROKER_MAX_FUTURE = Duration.ofHours(1);

    @Option(
            names = "--out",
            defaultValue = "out",
            description = "Output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--subjects",
            defaultValue = "3000",
            description = "Data subjects to generate (default: ${DEFAULT-VALUE})")
    int subjects;

    @Option(
            names = "--seed",
            defaultValue = "20261128",
            description = "Seed of the generator (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(
            names = "--day",
            defaultValue = "2026-11-28",
            description = "Day the sample covers, UTC (default: ${DEFAULT-VALUE})")
    LocalDate day;

    @Option(
            names = "--config",
            defaultValue = "config/veil.yaml",
            description = "Job configuration (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(
            names = "--rules",
            defaultValue = "config/rules.yaml",
            description = "Field rules (default: ${DEFAULT-VALUE})")
    Path rules;

    @Option(
            names = "--aggregates",
            defaultValue = "config/aggregates.yaml",
            description = "Heat map and usage configuration (default: ${DEFAULT-VALUE})")
    Path aggregates;

    @Option(
            names = "--broker-classpath",
            defaultValue = "kafka-local/target/runtime.classpath",
            hidden = true)
    Path brokerClasspath;

    @Option(
            names = "--parallelism",
            defaultValue = "2",
            description = "Flink parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    public static void main(String[] args) {
        System.exit(Cli.execute(new DemoMain(), args));
    }

    static void say(String format, Object... args) {
        System.out.printf("[veil demo] " + format + "%n", args);
        System.out.flush();
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        JobConfig base = JobConfig.load(config);
        RulesText rulesText = RulesText.read(rules);
        RuleSet ruleSet = rulesText.parse();
        AggregatesConfig aggBase = AggregatesConfig.load(aggregates);
        Files.createDirectories(out);
        Path runDir = out.resolve(".run");
        LocalKafka.deleteRecursively(runDir);
        Files.createDirectories(runDir);

        KeyReference key =
                demoKey(runDir, "VEIL_PSEUDONYM_KEY", "pseudonym.key", "pseudonymisation");
        KeyReference noiseKey = demoKey(runDir, "VEIL_NOISE_KEY", "noise.key", "noise");

        say("starting a Kafka broker (KRaft) on 127.0.0.1 ...");
        try (LocalKafka kafka = LocalKafka.start(brokerClasspath, runDir.resolve("kafka"))) {
            say("Kafka is up at %s", kafka.bootstrapServers());
            KeyEpochs epochs = demoEpochs(base.keyEpochs, day);
            JobConfig jobConfig =
                    base.withOverrides(
                                    kafka.bootstrapServers(),
                                    key,
                                    localFlink(runDir.resolve("checkpoints")))
                            .withKeyEpochs(epochs);
            say(
                    "key epochs: every %s as configured, but the demo puts a key-epoch boundary at"
                            + " %s (12:00 UTC of its day) so that the rotation shows: epoch %d"
                            + " before, %d after",
                    readable(epochs.length()),
                    noon(day),
                    epochs.of(noon(day).toEpochMilli() - 1),
                    epochs.of(noon(day).toEpochMilli()));
            KafkaIo io = new KafkaIo(kafka.bootstrapServers());
            AggregatesConfig agg =
                    aggBase.withOverrides(
                                    kafka.bootstrapServers(),
                                    noiseKey,
                                    localFlink(runDir.resolve("checkpoints-aggregates")))
                            // The demo replays a day in about a minute: a watermark step of the
                            // anonymisation job then covers minutes to hours of event time, and its
                            // output is that much out of order (docs/aggregates.md).
                            .withMaxOutOfOrderness(Duration.ofHours(24))
                            // the epochs the anonymisation job runs with (a boundary at noon):
                            // records of any other epoch would be dropped
                            .withKeyEpochs(jobConfig.keyEpochs);
            List<VeilTopics.Topic> veilTopics = VeilTopics.of(jobConfig, ruleSet, agg, 3);
            io.createTopics(
                    VeilTopics.partitionsByName(veilTopics),
                    VeilTopics.localConfigsByName(veilTopics));

            say("generating %,d data subjects over %s (seed %d) ...", subjects, day, seed);
            SampleData data = SampleData.generate(seed, subjects, day, Topics.of(jobConfig));
            long latest =
                    data.records().stream()
                            .mapToLong(SampleRecord::timestampMillis)
                            .max()
                            .orElse(0);
            if (latest > System.currentTimeMillis() + BROKER_MAX_FUTURE.toMillis()) {
                System.err.printf(
                        "veil demo: --day %s is too far in the future: its records carry Kafka"
                                + " timestamps up to %s, and the broker refuses timestamps more than %d"
                                + " min ahead of its clock (log.message.timestamp.after.max.ms)."
                                + " Choose a day that has ended, e.g. --day %s%n",
                        day,
                        Instant.ofEpochMilli(latest),
                        BROKER_MAX_FUTURE.toMinutes(),
                        LocalDate.now(ZoneOffset.UTC).minusDays(1));
                return 2;
            }
            Map<String, Long> sent = produce(io, data, out.resolve("input"));
            long totalIn = sent.values().stream().mapToLong(Long::longValue).sum();
            say("produced %,d raw records: %s", totalIn, sent);

            runJob(jobConfig, rulesText, io, totalIn);

            say("reading the output topics back (read_committed) ...");
            Map<String, Long> outCounts = new LinkedHashMap<>();
            Map<String, Long> deadLetters = new TreeMap<>();
            Set<String> raw = data.rawIdentifiers();
            long[] leaks = {0};
            long[] values = {0};
            Lifecycle lifecycle = new Lifecycle();
            for (OutputRules o : ruleSet.outputs().values()) {
                outCounts.put(
                        o.topic(),
                        readBack(
                                io,
                                o.topic(),
                                out,
                                node -> {
                                    values[0] += scan(node, raw, leaks);
                                    lifecycle.published(node, o.keyField());
                                }));
            }
            outCounts.put(
                    jobConfig.deadLetterTopic,
                    readBack(
                            io,
                            jobConfig.deadLetterTopic,
                            out,
                            node -> {
                                deadLetters.merge(node.path("reason").asText(), 1L, Long::sum);
                                values[0] += scan(node, raw, leaks);
                            }));
            readBack(
                    io,
                    jobConfig.erasureTopic,
                    out,
                    node -> {
                        values[0] += scan(node, raw, leaks);
                        lifecycle.notice(node);
                    });
            List<JsonNode> risk = new ArrayList<>();
            readBack(
                    io,
                    jobConfig.riskTopic,
                    out,
                    node -> {
                        values[0] += scan(node, raw, leaks);
                        risk.add(node);
                    });

            printSummary(
                    sent,
                    outCounts,
                    LocalMetrics.totals(AnonymisationTopology.JOB_NAME, "dropped"),
                    deadLetters,
                    lifecycle.summary(
                            epochs,
                            data.countsByKind().get("consent_mix.erasure"),
                            LocalMetrics.total(AnonymisationTopology.JOB_NAME, "erasure_notices"),
                            LocalMetrics.total(
                                    AnonymisationTopology.JOB_NAME, "subject_secrets_shredded")),
                    RiskSummary.format(risk),
                    values[0],
                    leaks[0],
                    started);

            runAggregates(agg, io);
            return leaks[0] == 0 ? 0 : 3;
        }
    }

    /** P30D rather than Duration's PT720H; other lengths as Duration writes them. */
    static String readable(Duration length) {
        return length.toSeconds() % 86_400 == 0 ? "P" + length.toDays() + "D" : length.toString();
    }

    /** 12:00 UTC of {@code day}. */
    static Instant noon(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    /**
     * The configured key epochs with their length, shifted so that one starts at 12:00 UTC of
     * {@code day}: a day's worth of input then spans two epochs, and the summary shows records,
     * pseudonyms and erasure notices of both. The morning keeps the number the configured epochs
     * give it, and the epoch from noon on is the next.
     */
    static KeyEpochs demoEpochs(KeyEpochs configured, LocalDate day) {
        long noon = noon(day).toEpochMilli();
        long number = configured.of(noon - 1) + 1;
        return new KeyEpochs(
                Instant.ofEpochMilli(noon - number * configured.length().toMillis()),
                configured.length());
    }

    /**
     * Flink options of the demo's local jobs: fast checkpoints under out/, and the reporter its
     * summary reads.
     */
    private Map<String, String> localFlink(Path checkpoints) {
        Map<String, String> flink = new HashMap<>(LocalMetrics.flinkOptions());
        flink.put("execution.checkpointing.interval", "2s");
        flink.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        flink.put("parallelism.default", Integer.toString(parallelism));
        flink.put("taskmanager.memory.managed.size", "512m");
        return flink;
    }

    /**
     * A fresh random key for this run, in a file only the owner can read; config names the file,
     * never the key.
     */
    private static KeyReference demoKey(Path runDir, String variable, String fileName, String what)
            throws Exception {
        String fromEnv = System.getenv(variable);
        if (fromEnv != null && !fromEnv.isBlank()) {
            say("%s key: from the environment variable %s", what, variable);
            return KeyReference.environment(variable);
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path file = runDir.resolve(fileName);
        Files.createFile(
                file,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(key));
        say(
                "%s key: a fresh random key for this run in %s (set %s to use your own)",
                what, file, variable);
        return KeyReference.file(file.toAbsolutePath().toString());
    }

    /**
     * Runs the heat map and usage jobs over the anonymised topics, side by side, then writes the
     * analysts' files.
     */
    private void runAggregates(AggregatesConfig agg, KafkaIo io) throws Exception {
        say(
                "running the heat map and usage jobs over the anonymised topics (window %s, k %d, delta %s) ...",
                agg.window, agg.k, agg.delta);
        List<JobClient> clients = new ArrayList<>();
        for (AggregationTopology.Kind kind : AggregationTopology.Kind.values()) {
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(
                            AggregationTopology.flinkConfiguration(agg));
            env.setParallelism(parallelism);
            AggregationTopology.build(
                    env,
                    agg,
                    kind,
                    AggregationTopology.source(agg, kind, true),
                    AggregationTopology.sink(agg, kind));
            clients.add(env.executeAsync("veil-" + kind.id));
        }
        long late = 0;
        for (JobClient c : clients) {
            c.getJobExecutionResult().get();
        }
        for (AggregationTopology.Kind kind : AggregationTopology.Kind.values()) {
            late += LocalMetrics.total("veil-" + kind.id, "late_observations");
        }
        List<JsonNode> heat = new ArrayList<>();
        List<JsonNode> usage = new ArrayList<>();
        List<JsonNode> budget = new ArrayList<>();
        readBack(io, agg.heatmapOutputTopic, out, heat::add);
        readBack(io, agg.usageOutputTopic, out, usage::add);
        readBack(io, agg.budgetTopic, out, budget::add);
        HeatmapGeoJson.write(heat, out.resolve("heatmap.geojson"));
        HeatmapPng.write(
                heat,
                out.resolve("heatmap.png"),
                "Distinct people per H3 cell (res "
                        + agg.heatmapResolution
                        + "), "
                        + (agg.heatmap.gaussian()
                                ? "\u03c1 " + agg.heatmap.configuredRho().toPlainString()
                                : "\u03b5 " + agg.heatmap.epsilon().toPlainString())
                        + ", k "
                        + agg.k);
        HeatmapHtml.write(
                heat,
                out.resolve("heatmap.html"),
                "Veil demo: noisy count of distinct people per H3 cell (res "
                        + agg.heatmapResolution
                        + ")");
        UsageCsv.write(usage, out.resolve("usage.csv"));

        StringBuilder sb =
                new StringBuilder("\n================ Veil aggregates summary ================\n");
        sb.append(
                String.format(
                        "heat map: %,d cells published over %,d windows; usage: %,d categories; budget lines: %d%n",
                        heat.size(),
                        heat.stream().map(n -> n.path("window_start").asText()).distinct().count(),
                        usage.size(),
                        budget.size()));
        sb.append(
                String.format(
                        "privacy: window %s, allowed lateness %s, k %d, delta %s per release, noise %s%n",
                        agg.window,
                        agg.allowedLateness,
                        agg.k,
                        agg.delta,
                        "discrete Laplace or Gaussian (keyed CSPRNG, exact samplers)"));
        Map<String, Long> publishedPerRelease = new TreeMap<>();
        for (JsonNode n : heat) {
            publishedPerRelease.merge(n.path("release").asText(), 1L, Long::sum);
        }
        for (JsonNode n : usage) {
            publishedPerRelease.merge(n.path("release").asText(), 1L, Long::sum);
        }
        List<String> silent = new ArrayList<>();
        for (ReleaseSpec r : agg.allReleases()) {
            long published = publishedPerRelease.getOrDefault(r.name(), 0L);
            if (published == 0) {
                silent.add(r.name());
            }
            sb.append(
                    String.format(
                            "  %-14s %-13s L %d, C %d, noise scale %.2f, threshold %d: %,d published%n",
                            r.name(),
                            r.gaussian()
                                    ? "rho " + r.configuredRho().toPlainString()
                                    : "epsilon " + r.epsilon().toPlainString(),
                            r.maxContributions(),
                            r.maxPerCategory(),
                            r.noise().scale(),
                            r.threshold(),
                            published));
        }
        if (!silent.isEmpty()) {
            sb.append(
                    String.format(
                            "  nothing published for %s: in no window did a category have k people and a noisy"
                                    + " count at its threshold (more people, a longer window or a larger epsilon"
                                    + " would publish; docs/aggregates.md)%n",
                            String.join(", ", silent)));
        }
        Set<String> mapped = TopCells.placesWithACell(heat);
        List<String> unmapped = new ArrayList<>();
        for (String city : SampleData.homeCities()) {
            if (!mapped.contains(city)) {
                unmapped.add(city);
            }
        }
        if (!unmapped.isEmpty()) {
            sb.append(
                    String.format(
                            "  no heat map cell near %s: no cell and hour there had k people and a noisy count"
                                    + " at the threshold %d%n",
                            String.join(", ", unmapped), agg.heatmap.threshold()));
        }
        sb.append(
                String.format(
                        "  total per window and data subject: %s, delta %.1e%n",
                        agg.totalEpsilon() != null
                                ? "epsilon "
                                        + agg.totalEpsilon().toPlainString()
                                        + " (basic composition)"
                                : String.format("rho %.4g (zCDP)", agg.windowSpend().rho()),
                        agg.totalDelta()));
        if (agg.ledger != null) {
            sb.append(
                    String.format(
                            "  per data subject and %s (privacy ledger %s, every window charged): epsilon %.1f at delta"
                                    + " %.0e (%s), cap epsilon %s%n",
                            agg.ledger.period.toDays() == 1
                                    ? "day"
                                    : agg.ledger.period.toDays() + " days",
                            agg.ledger.file,
                            agg.ledger.totalEpsilon(),
                            agg.ledger.capDelta,
                            agg.ledger.total().methodAt(agg.ledger.capDelta),
                            BigDecimal.valueOf(agg.ledger.capEpsilon)
                                    .stripTrailingZeros()
                                    .toPlainString()));
        }
        sb.append(String.format("late observations (after window end + lateness): %d%n", late));
        if (!heat.isEmpty()) {
            sb.append("heat map per city (cells published over all windows, the largest count):\n")
                    .append(TopCells.perPlace(heat));
        }
        sb.append("top cells:\n").append(TopCells.format(heat, 10));
        sb.append(
                        "files: out/heatmap.html (open it in a browser), out/heatmap.geojson, out/heatmap.png, out/usage.csv, out/")
                .append(agg.heatmapOutputTopic)
                .append(".jsonl, out/")
                .append(agg.usageOutputTopic)
                .append(".jsonl, out/")
                .append(agg.budgetTopic)
                .append(".jsonl\n");
        sb.append("=========================================================");
        System.out.println(sb);
    }

    private static Map<String, Long> produce(KafkaIo io, SampleData data, Path inputDir)
            throws Exception {
        Files.createDirectories(inputDir);
        Map<String, BufferedWriter> writers = new HashMap<>();
        Map<String, Long> counts = new TreeMap<>();
        try (KafkaIo.Producer producer = io.producer()) {
            for (SampleRecord r : data.records()) {
                producer.send(
                        r.topic(),
                        r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                        r.value().getBytes(StandardCharsets.UTF_8),
                        r.timestampMillis());
                BufferedWriter w = writers.get(r.topic());
                if (w == null) {
                    w = Files.newBufferedWriter(inputDir.resolve(r.topic() + ".jsonl"));
                    writers.put(r.topic(), w);
                }
                // One line per record; a malformed record may hold a newline, which is escaped to
                // keep one line.
                w.write(r.value().replace("\n", "\\n"));
                w.newLine();
                counts.merge(r.topic(), 1L, Long::sum);
            }
            producer.flush();
        } finally {
            for (BufferedWriter w : writers.values()) {
                w.close();
            }
        }
        return counts;
    }

    private void runJob(JobConfig jobConfig, RulesText rulesText, KafkaIo io, long totalIn)
            throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        AnonymisationTopology.flinkConfiguration(jobConfig));
        env.setParallelism(parallelism);
        AnonymisationTopology.build(
                env,
                jobConfig,
                rulesText,
                AnonymisationTopology.logSource(jobConfig, rulesText, true),
                AnonymisationTopology.consentSource(jobConfig, rulesText, true),
                AnonymisationTopology.sink(jobConfig));
        say(
                "running the anonymisation job on a local Flink (parallelism %d, RocksDB, checkpoints every 2 s, exactly-once sink) ...",
                parallelism);
        JobClient client = env.executeAsync(AnonymisationTopology.JOB_NAME);
        List<String> inputTopics = new ArrayList<>(jobConfig.inputTopics.values());
        inputTopics.add(jobConfig.consentTopic);
        long t0 = System.nanoTime();
        var result = client.getJobExecutionResult();
        while (!result.isDone()) {
            try {
                result.get(3, TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                long done = io.committedOffsets(jobConfig.groupId, inputTopics);
                say(
                        "progress: %,d of %,d raw records consumed and checkpointed (%d%%), %d s",
                        done,
                        totalIn,
                        totalIn == 0 ? 100 : done * 100 / totalIn,
                        Duration.ofNanos(System.nanoTime() - t0).toSeconds());
            }
        }
        JobExecutionResult r = result.get();
        say("job finished in %.1f s", r.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0);
    }

    private static long readBack(KafkaIo io, String topic, Path out, Consumer<JsonNode> each)
            throws Exception {
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve(topic + ".jsonl"))) {
            return io.readCommitted(
                    topic,
                    r -> {
                        try {
                            w.write(new String(r.value(), StandardCharsets.UTF_8));
                            w.newLine();
                            each.accept(Json.MAPPER.readTree(r.value()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
    }

    /**
     * Counts values of an output record that equal a raw identifier of the input; returns the
     * values scanned.
     */
    private static long scan(JsonNode node, Set<String> raw, long[] leaks) {
        long n = 0;
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                n += scan(child, raw, leaks);
            }
            return n;
        }
        if (raw.contains(node.asText())) {
            leaks[0]++;
        }
        return 1;
    }

    /**
     * @param droppedByReason the consent gate's {@code veil.reason.<r>.dropped} counters, summed
     *     over subtasks
     * @param lifecycle the lines of {@link Lifecycle#summary}
     * @param risk the lines of {@link RiskSummary#format}
     */
    private static void printSummary(
            Map<String, Long> sent,
            Map<String, Long> outCounts,
            Map<String, Long> droppedByReason,
            Map<String, Long> deadLetters,
            String lifecycle,
            String risk,
            long valuesScanned,
            long leaks,
            long started) {
        Map<String, Long> dropped = new TreeMap<>();
        droppedByReason.forEach(
                (reason, n) -> {
                    if (n > 0) {
                        dropped.put(reason, n);
                    }
                });
        StringBuilder sb = new StringBuilder();
        sb.append("\n==================== Veil demo summary ====================\n");
        sb.append("records in (raw topics):\n");
        sent.forEach((t, n) -> sb.append(String.format("  %-24s %,10d%n", t, n)));
        sb.append(
                String.format(
                        "  %-24s %,10d%n",
                        "total", sent.values().stream().mapToLong(Long::longValue).sum()));
        sb.append("records out (anonymised topics, read_committed):\n");
        outCounts.forEach(
                (t, n) -> {
                    if (!t.contains("dead-letter")) {
                        sb.append(String.format("  %-24s %,10d%n", t, n));
                    }
                });
        sb.append("dropped by the consent gate, by reason:\n");
        dropped.forEach((r, n) -> sb.append(String.format("  %-32s %,10d%n", r, n)));
        sb.append(
                "dead-lettered, by reason (invalid_value: published, without the field named in the dead letter):\n");
        deadLetters.forEach((r, n) -> sb.append(String.format("  %-32s %,10d%n", r, n)));
        sb.append(lifecycle);
        sb.append(risk);
        sb.append(
                String.format(
                        "leak scan: %,d values of the anonymised, dead-letter, erasure and risk topics checked against"
                                + " the input's raw identifiers: %d found%n",
                        valuesScanned, leaks));
        sb.append(
                String.format(
                        "wall time: %.0f s; files in out/ (input/*.jsonl, <topic>.jsonl)%n",
                        (System.nanoTime() - started) / 1e9));
        sb.append("===========================================================");
        System.out.println(sb);
    }
}
