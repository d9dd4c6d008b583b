package dev.veil.tools.bench;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;
import dev.veil.job.RulesText;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.local.KafkaIo;
import dev.veil.tools.local.LocalKafka;
import dev.veil.tools.sample.SampleData;
import dev.veil.tools.sample.SampleRecord;
import dev.veil.tools.sample.Topics;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./veil bench}: one run on one machine, one broker, the same preloaded topics, parallelism,
 * checkpoint interval and exactly-once Kafka sink for every job, each job in its own JVM. The
 * peers, one row each:
 *
 * <ol>
 *   <li>{@code passthrough}: raw topics to Kafka unchanged, the physical limit;
 *   <li>{@code json-passthrough}: the same plus one JSON parse and write per record ({@link
 *       JsonPassThrough}), the floor of any JSON job;
 *   <li>{@code anonymise}: the anonymisation job, consent decided at event time;
 *   <li>{@code arrival-gate}: the same sources with consent looked up on arrival ({@link
 *       ArrivalGate}), what a per-event consent filter does;
 *   <li>{@code sql-temporal-join}: what a Flink user would write instead, Flink SQL with an
 *       event-time temporal join against consent ({@link SqlTemporalJoin});
 * </ol>
 *
 * then the heat map and usage jobs over the anonymised topics. For each: events per second,
 * Flink-process CPU per event (procfs) and peak RSS, output records and late dead letters; then
 * end-to-end latency of every peer at one fixed rate below saturation; then consent state size per
 * subject and restore time. Inserts a dated run section into the report (out/benchmarks.md by
 * default; docs/benchmarks.md too with --write-docs) right after its results marker, above the
 * earlier runs.
 */
@Command(
        name = "veil bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks the Veil jobs against a pass-through baseline and peers.")
public final class BenchMain implements Callable<Integer> {
    @Option(
            names = "--events",
            defaultValue = "2000000",
            description = "Raw events to preload, about (default: ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--parallelism", defaultValue = "2")
    int parallelism;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "5s",
            description = "For every job (default: ${DEFAULT-VALUE})")
    String checkpointInterval;

    @Option(
            names = "--latency-rate",
            defaultValue = "0",
            description =
                    "Events/s of the latency pass; 0 = half the anonymisation throughput, at most 20000")
    int latencyRate;

    @Option(names = "--latency-seconds", defaultValue = "60")
    int latencySeconds;

    @Option(names = "--state-subjects", defaultValue = "1000000")
    int stateSubjects;

    @Option(
            names = "--profile",
            description =
                    "Record a Java Flight Recording of the anonymisation job in out/bench/anonymise.jfr")
    boolean profile;

    @Option(
            names = "--state-backend",
            defaultValue = "rocksdb",
            description =
                    "rocksdb (default, as in production) or hashmap, to see what RocksDB costs")
    String stateBackend;

    @Option(names = "--skip-latency", description = "Skip the latency pass")
    boolean skipLatency;

    @Option(names = "--skip-state", description = "Skip the state-size measurement")
    boolean skipState;

    @Option(
            names = "--report",
            defaultValue = "out/benchmarks.md",
            description = "Where the run's section goes (default: ${DEFAULT-VALUE})")
    Path report;

    /** The tracked results page: a run changes it only when asked. */
    static final Path DOCS_REPORT = Path.of("docs/benchmarks.md");

    @Option(
            names = "--write-docs",
            description =
                    "Also insert the run into docs/benchmarks.md (the published results); off by"
                            + " default, so that a trial run leaves the docs alone")
    boolean writeDocs;

    @Option(
            names = "--broker-classpath",
            defaultValue = "kafka-local/target/runtime.classpath",
            hidden = true)
    Path brokerClasspath;

    /**
     * Where each run section goes: right after this marker, above the earlier runs; the text above
     * it is kept.
     */
    static final String MARKER = "<!-- bench:results -->";

    private Path work;
    private String commandLine;
    private long started;
    private int step;
    private int steps;

    public static void main(String[] args) {
        BenchMain m = new BenchMain();
        m.commandLine = "./veil bench " + String.join(" ", args);
        System.exit(Cli.execute(m, args));
    }

    static void say(String format, Object... args) {
        System.out.printf("[veil bench] " + format + "%n", args);
        System.out.flush();
    }

    /**
     * One job of the comparison.
     *
     * @param kind the {@link BenchJob} kind
     * @param label its name in the report
     * @param group the consumer group whose committed offsets show its progress
     * @param outputs the topics it publishes to (dead letters not included)
     * @param deadLetters its dead-letter topic, or null if it has none
     * @param liveTopic where the latency pass looks for its device records
     * @param anonymised whether it publishes the anonymised outputs (so event ids in {@code
     *     liveTopic} are pseudonyms)
     * @param late what to report for late dead letters when it has no dead-letter topic
     */
    record Peer(
            String kind,
            String label,
            String group,
            List<String> outputs,
            String deadLetters,
            String liveTopic,
            boolean anonymised,
            String late) {
        List<String> allTopics() {
            List<String> all = new ArrayList<>(outputs);
            if (deadLetters != null) {
                all.add(deadLetters);
            }
            return all;
        }
    }

    record Row(
            String job,
            long events,
            long outputs,
            double seconds,
            double cpuSeconds,
            long peakRss,
            String late,
            String throughputBasis) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double cpuMicrosPerEvent() {
            return cpuSeconds * 1e6 / events;
        }
    }

    @Override
    public Integer call() throws Exception {
        started = System.nanoTime();
        work = Path.of("out", "bench").toAbsolutePath();
        LocalKafka.deleteRecursively(work);
        Files.createDirectories(work);
        byte[] key = randomKey(work.resolve("pseudonym.key"));
        randomKey(work.resolve("noise.key"));
        JobConfig jobConfig = JobConfig.load(Path.of("config/veil.yaml"));
        RulesText rules = RulesText.read(Path.of("config/rules.yaml"));
        AggregatesConfig agg = AggregatesConfig.load(Path.of("config/aggregates.yaml"));
        List<Peer> peers = peers(jobConfig, rules);
        steps = 2 + peers.size() + 1 + (skipLatency ? 0 : peers.size()) + (skipState ? 0 : 2);

        step("starting a Kafka broker ...");
        try (LocalKafka kafka = LocalKafka.start(brokerClasspath, work.resolve("kafka"))) {
            KafkaIo io = new KafkaIo(kafka.bootstrapServers());
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String t : jobConfig.inputTopics.values()) {
                topics.put(t, 3);
            }
            topics.put(jobConfig.consentTopic, 3);
            topics.put(jobConfig.erasureTopic, 1);
            topics.put(jobConfig.riskTopic, 1);
            for (Peer p : peers) {
                p.outputs().forEach(t -> topics.put(t, 3));
                if (p.deadLetters() != null) {
                    topics.put(p.deadLetters(), 1);
                }
            }
            topics.put(agg.heatmapOutputTopic, 1);
            topics.put(agg.usageOutputTopic, 1);
            topics.put(agg.budgetTopic, 1);
            for (String s : List.of("device", "location", "service", "consent")) {
                topics.put("state.raw." + s, 3);
            }
            io.createTopics(topics);

            step("preloading the raw topics ...");
            long raw = preload(io, jobConfig);

            List<Row> rows = new ArrayList<>();
            Map<String, Map<String, Long>> perTopic = new LinkedHashMap<>();
            for (Peer p : peers) {
                step("throughput: %s ...", p.label());
                JsonNode r = runChild(p.kind(), kafka, true, null, io, List.of(p.group()), raw);
                Map<String, Long> counts = countRecords(io, p.outputs());
                perTopic.put(p.kind(), counts);
                long outputs = counts.values().stream().mapToLong(Long::longValue).sum();
                String late =
                        p.deadLetters() == null
                                ? p.late()
                                : String.format(
                                        Locale.ROOT,
                                        "%,d",
                                        countDeadLetters(
                                                io,
                                                p.deadLetters(),
                                                DeadLetterReason.LATE_EVENT.label()));
                rows.add(row(p.label(), raw, outputs, r, late, io.timestampRange(p.allTopics())));
                printRow(rows.get(rows.size() - 1));
            }
            Peer anonymise =
                    peers.stream()
                            .filter(p -> p.kind().equals("anonymise"))
                            .findFirst()
                            .orElseThrow();
            step("throughput: heat map + usage over the anonymised topics ...");
            long anonymised = io.endOffsets(anonymise.outputs());
            JsonNode aggr = runChild("aggregates", kafka, true, null, io, List.of(), anonymised);
            long aggOutputs =
                    countRecords(io, List.of(agg.heatmapOutputTopic, agg.usageOutputTopic))
                            .values()
                            .stream()
                            .mapToLong(Long::longValue)
                            .sum();
            rows.add(
                    new Row(
                            "heat map + usage (over the anonymised topics)",
                            anonymised,
                            aggOutputs,
                            aggr.get("wall_seconds").asDouble(),
                            aggr.get("cpu_seconds").asDouble(),
                            aggr.get("peak_rss_bytes").asLong(),
                            "n/a",
                            "job wall time"));
            printRow(rows.get(rows.size() - 1));

            double anonRate = rows.get(peers.indexOf(anonymise)).eventsPerSecond();
            int rate =
                    latencyRate > 0
                            ? latencyRate
                            : (int) Math.min(20_000, Math.max(100, anonRate / 2));
            Map<String, long[]> latencies = new LinkedHashMap<>();
            LiveLoad live =
                    new LiveLoad(
                            io,
                            jobConfig.inputTopics.get("device"),
                            jobConfig.consentTopic,
                            key,
                            5_000);
            if (!skipLatency) {
                for (Peer p : peers) {
                    step("latency: %s ...", p.label());
                    latencies.put(p.label(), latencyPass(kafka, p, live, rate));
                }
            }
            Map<String, Double> state = skipState ? Map.of() : stateSize(kafka, io);
            String md = markdown(peers, rows, perTopic, rate, latencies, state, raw);
            insertRun(report, md);
            if (writeDocs && !report.toAbsolutePath().equals(DOCS_REPORT.toAbsolutePath())) {
                insertRun(DOCS_REPORT, md);
            }
            System.out.println(md);
            say(
                    "written to %s%s (%.0f s in all)",
                    report,
                    writeDocs ? " and " + DOCS_REPORT : "",
                    (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    /** The peers, in report order; the pass-through first: it is the base of every ratio. */
    private static List<Peer> peers(JobConfig c, RulesText rulesText) {
        RuleSet rules = rulesText.parse();
        List<String> raw = new ArrayList<>(c.inputTopics.values());
        raw.add(c.consentTopic);
        List<String> anon = new ArrayList<>();
        for (OutputRules o : rules.outputs().values()) {
            anon.add(o.topic());
        }
        String device = c.inputTopics.get("device");
        String anonDevice = rules.outputsOf("device").get(0).topic();
        return List.of(
                new Peer(
                        "passthrough",
                        "pass-through (raw topics to Kafka, unchanged)",
                        BenchJob.PASSTHROUGH_GROUP,
                        prefixed("passthrough.", raw),
                        null,
                        "passthrough." + device,
                        false,
                        "n/a"),
                new Peer(
                        "json-passthrough",
                        "JSON pass-through (parse, write again)",
                        JsonPassThrough.GROUP,
                        prefixed(JsonPassThrough.PREFIX, raw),
                        null,
                        JsonPassThrough.PREFIX + device,
                        false,
                        "n/a"),
                new Peer(
                        "anonymise",
                        "anonymisation (Veil: consent at event time)",
                        c.groupId,
                        anon,
                        c.deadLetterTopic,
                        anonDevice,
                        true,
                        null),
                new Peer(
                        "arrival-gate",
                        "arrival gate (consent as of arrival)",
                        ArrivalGate.GROUP,
                        prefixed(ArrivalGate.PREFIX, anon),
                        ArrivalGate.PREFIX + c.deadLetterTopic,
                        ArrivalGate.PREFIX + anonDevice,
                        true,
                        null),
                new Peer(
                        "sql-temporal-join",
                        "Flink SQL event-time temporal join",
                        SqlTemporalJoin.GROUP,
                        prefixed(SqlTemporalJoin.PREFIX, anon),
                        null,
                        SqlTemporalJoin.PREFIX + anonDevice,
                        true,
                        "n/a (dropped silently)"));
    }

    private static List<String> prefixed(String prefix, List<String> topics) {
        return topics.stream().map(t -> prefix + t).toList();
    }

    /**
     * Prints the next step of the run with the time since the start, so that a long run shows where
     * it is.
     */
    private void step(String format, Object... args) {
        step++;
        say("[%d/%d, %s] %s", step, steps, elapsed(), String.format(Locale.ROOT, format, args));
    }

    private String elapsed() {
        long s = (System.nanoTime() - started) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /**
     * Committed records per topic (read_committed, so aborted transactions and markers do not
     * count).
     */
    private static Map<String, Long> countRecords(KafkaIo io, List<String> topics) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String t : topics) {
            m.put(t, io.readCommitted(t, r -> {}));
        }
        return m;
    }

    /** Dead letters of one reason in a dead-letter topic. */
    private static long countDeadLetters(KafkaIo io, String topic, String reason) {
        long[] n = {0};
        io.readCommitted(
                topic,
                r -> {
                    try {
                        if (reason.equals(
                                Json.MAPPER.readTree(r.value()).path("reason").asText())) {
                            n[0]++;
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(
                                "a dead letter that is not JSON in " + topic, e);
                    }
                });
        return n[0];
    }

    /**
     * Writes {@code md} right after the marker of {@code file}, keeping everything above and below
     * it.
     */
    static void insertRun(Path file, String md) throws Exception {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        String old = Files.exists(file) ? Files.readString(file) : "";
        int i = old.indexOf(MARKER);
        String text;
        if (i < 0) {
            // No marker yet: add one at the end, so that later runs stack above this one.
            text =
                    old
                            + (old.isEmpty() || old.endsWith("\n") ? "" : "\n")
                            + (old.isEmpty() ? "" : "\n")
                            + MARKER
                            + "\n\n"
                            + md;
        } else {
            String above = old.substring(0, i + MARKER.length());
            String below = old.substring(i + MARKER.length()).stripLeading();
            text = above + "\n\n" + md + (below.isEmpty() ? "" : "\n" + below);
        }
        Files.writeString(file, text);
    }

    private static byte[] randomKey(Path file) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(file, Base64.getEncoder().encodeToString(key));
        return key;
    }

    private long preload(KafkaIo io, JobConfig c) throws Exception {
        int subjects = (int) Math.max(100, events / 62);
        say(
                "generating about %,d raw events (%,d data subjects, the demo's mix) ...",
                events, subjects);
        SampleData data =
                SampleData.generate(42, subjects, LocalDate.of(2026, 11, 28), Topics.of(c));
        long n = 0;
        long t0 = System.nanoTime();
        try (KafkaIo.Producer p = io.producer()) {
            for (SampleRecord r : data.records()) {
                p.send(
                        r.topic(),
                        r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                        r.value().getBytes(StandardCharsets.UTF_8),
                        r.timestampMillis());
                if (++n % 250_000 == 0) {
                    say("preloaded %,d of %,d", n, data.records().size());
                }
            }
            p.flush();
        }
        say("preloaded %,d raw events in %.0f s", n, (System.nanoTime() - t0) / 1e9);
        return n;
    }

    private Process startChild(String kind, LocalKafka kafka, boolean bounded, String recoveryPath)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(
                List.of(
                        "-Xms2g",
                        "-Xmx2g",
                        "-XX:+UseG1GC",
                        "-Djava.io.tmpdir=" + work,
                        "-Dveil.log.file=" + work.resolve(kind + (bounded ? "" : "-live") + ".log"),
                        "--add-opens=java.base/java.util=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED"));
        if (profile && kind.equals("anonymise") && bounded) {
            cmd.add("-XX:FlightRecorderOptions:stackdepth=512");
            cmd.add(
                    "-XX:StartFlightRecording=filename="
                            + work.resolve("anonymise.jfr")
                            + ",settings=profile");
        }
        cmd.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        BenchJob.class.getName(),
                        kind,
                        kafka.bootstrapServers(),
                        work.toString(),
                        Integer.toString(parallelism),
                        checkpointInterval,
                        Boolean.toString(bounded),
                        stateBackend));
        if (recoveryPath != null) {
            cmd.add(recoveryPath);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /**
     * Runs a bounded child and returns its BENCH_RESULT; prints progress from the consumer groups
     * meanwhile.
     */
    private JsonNode runChild(
            String kind,
            LocalKafka kafka,
            boolean bounded,
            String recoveryPath,
            KafkaIo io,
            List<String> groups,
            long expected)
            throws Exception {
        say("running %s ...", kind);
        Process p = startChild(kind, kafka, bounded, recoveryPath);
        JsonNode[] result = {null};
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    p.getInputStream(), StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    if (line.startsWith("BENCH_RESULT ")) {
                                        result[0] = Json.MAPPER.readTree(line.substring(13));
                                    }
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        reader.start();
        long t0 = System.nanoTime();
        while (!p.waitFor(10, TimeUnit.SECONDS)) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (groups.isEmpty()) {
                say("  %s: %.0f s", kind, seconds);
                continue;
            }
            long done = 0;
            for (String g : groups) {
                done += io.committedOffsets(g, allRawTopics());
            }
            // Offsets are committed on checkpoints, so this lags by up to one checkpoint interval.
            say(
                    "  %s: %,d of %,d raw events consumed and checkpointed (%.0f%%), %,.0f events/s so far, %.0f s",
                    kind, done, expected, 100.0 * done / expected, done / seconds, seconds);
        }
        reader.join();
        if (result[0] == null) {
            throw new IllegalStateException(
                    kind
                            + " failed (exit "
                            + p.exitValue()
                            + "); see "
                            + work.resolve(kind + ".log"));
        }
        return result[0];
    }

    private static List<String> allRawTopics() {
        return List.of(
                "veil.raw.device", "veil.raw.location", "veil.raw.service", "veil.raw.consent");
    }

    private static Row row(
            String name, long events, long outputs, JsonNode r, String late, long[] range) {
        double seconds = (range[1] - range[0]) / 1000.0;
        return new Row(
                name,
                events,
                outputs,
                seconds,
                r.get("cpu_seconds").asDouble(),
                r.get("peak_rss_bytes").asLong(),
                late,
                "first to last output record");
    }

    private static void printRow(Row r) {
        say(
                "  %s: %,.0f events/s, %.1f µs CPU/event, peak RSS %,d MiB, %,d output records, late dead letters %s",
                r.job(),
                r.eventsPerSecond(),
                r.cpuMicrosPerEvent(),
                r.peakRss() >> 20,
                r.outputs(),
                r.late());
    }

    private long[] latencyPass(LocalKafka kafka, Peer peer, LiveLoad live, int rate)
            throws Exception {
        String kind = peer.kind();
        say("  %s at %,d events/s for %d s (after 15 s warm-up) ...", kind, rate, latencySeconds);
        Process p = startChild(kind, kafka, false, null);
        CountDownLatch running = new CountDownLatch(1);
        Thread drain =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    p.getInputStream(), StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    if (line.equals("BENCH_RUNNING")) {
                                        running.countDown();
                                    }
                                }
                            } catch (IOException ignored) {
                                // the process was stopped
                            }
                        });
        drain.start();
        if (!running.await(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(
                    kind + " did not start; see " + work.resolve(kind + "-live.log"));
        }
        live.grantConsent();
        long[] lat = live.run(peer.liveTopic(), peer.anonymised(), rate, 15, latencySeconds);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        say(
                "  %s: %,d records matched, p50 %d ms, p99 %d ms",
                kind, lat.length, LiveLoad.percentile(lat, 50), LiveLoad.percentile(lat, 99));
        return lat;
    }

    private Map<String, Double> stateSize(LocalKafka kafka, KafkaIo io) throws Exception {
        step(
                "state size: %,d data subjects with consent and one published event each ...",
                stateSubjects);
        // Effective times 100 ms apart, so that the watermark passes (almost) all of them: the
        // state measured is the
        // steady state of applied consent, not changes still waiting.
        long base = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        try (KafkaIo.Producer p = io.producer()) {
            for (int i = 0; i < stateSubjects; i++) {
                String user = "s-" + i;
                String at = Instant.ofEpochMilli(base + i * 100L).toString();
                String v =
                        "{\"user_id\":\""
                                + user
                                + "\",\"effective_time\":\""
                                + at
                                + "\",\"action\":\"grant\","
                                + "\"purposes\":[\"analytics\",\"product_improvement\",\"location\"],\"policy_version\":\"2026-09\"}";
                p.send(
                        "state.raw.consent",
                        user.getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8),
                        System.currentTimeMillis());
                // one published event each, so that every subject holds its secret as in
                // production
                String e =
                        "{\"event_id\":\"st-"
                                + i
                                + "\",\"user_id\":\""
                                + user
                                + "\",\"session_id\":\"st-"
                                + i
                                + "\",\"event_time\":\""
                                + Instant.ofEpochMilli(base + i * 100L + 50)
                                + "\",\"action\":\"view\"}";
                p.send(
                        "state.raw.service",
                        user.getBytes(StandardCharsets.UTF_8),
                        e.getBytes(StandardCharsets.UTF_8),
                        System.currentTimeMillis());
            }
            p.flush();
        }
        JsonNode s = runChild("state", kafka, false, null, io, List.of(), stateSubjects);
        String savepoint = s.get("savepoint_path").asText();
        step("restore from the savepoint ...");
        JsonNode r = runChild("restore", kafka, false, savepoint, io, List.of(), stateSubjects);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("savepoint_bytes", s.get("savepoint_bytes").asDouble());
        m.put("bytes_per_subject", s.get("savepoint_bytes").asDouble() / stateSubjects);
        m.put("restore_seconds", r.get("restore_seconds").asDouble());
        say(
                "  savepoint %,.0f bytes = %.1f bytes per subject; restore to first checkpoint %.1f s",
                m.get("savepoint_bytes"), m.get("bytes_per_subject"), m.get("restore_seconds"));
        return m;
    }

    private String markdown(
            List<Peer> peers,
            List<Row> rows,
            Map<String, Map<String, Long>> perTopic,
            int rate,
            Map<String, long[]> latencies,
            Map<String, Double> state,
            long raw)
            throws Exception {
        String cpu =
                Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                        .filter(l -> l.startsWith("model name"))
                        .findFirst()
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .orElse("unknown CPU");
        long memKb =
                Files.readAllLines(Path.of("/proc/meminfo")).stream()
                        .filter(l -> l.startsWith("MemTotal"))
                        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                        .findFirst()
                        .orElse(0L);
        StringBuilder sb = new StringBuilder();
        sb.append("## Run of ").append(ZonedDateTime.now().withNano(0)).append("\n\n");
        sb.append(
                String.format(
                        Locale.ROOT,
                        "Machine: %d cores (%s), %d GiB; Java %s. Command: `%s`.%n%n",
                        Runtime.getRuntime().availableProcessors(),
                        cpu,
                        memKb >> 20,
                        System.getProperty("java.version"),
                        commandLine));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%,d raw events (demo mix), parallelism %d, checkpoints every %s, exactly-once "
                                + "Kafka sink, state backend %s; one broker on the same machine; each job in its own JVM (CPU and peak RSS "
                                + "from procfs). Every peer reads the same preloaded raw topics:%n%n",
                        raw,
                        parallelism,
                        checkpointInterval,
                        stateBackend));
        sb.append(
                """
                - **pass-through**: raw records to Kafka unchanged, the physical limit; the base of every ratio.
                - **JSON pass-through**: the same plus one Jackson parse and write per record, the floor of any
                  JSON job.
                - **anonymisation**: the Veil job; each event decided with the consent in force at its own event
                  time, once the consent watermark has passed it.
                - **arrival gate**: the same sources (parsing, validation, anonymisation) keyed by subject, but consent
                  looked up on arrival against the latest state, as per-event consent filters do: no buffering, no
                  timers, decisions depend on arrival order.
                - **Flink SQL event-time temporal join**: what a Flink user would write instead; Kafka SQL tables with
                  watermarks, consent folded per subject (OVER aggregation with a UDAF over Veil's consent rules) and
                  deduplicated into a versioned table, `FOR SYSTEM_TIME AS OF` joins, HMAC-SHA256 pseudonyms as a UDF.
                  Approximates the rules: no schema validation or dead letters, a subset of the output columns.

                """);
        sb.append(
                "| job | events | output records | events/s | vs pass-through | Flink CPU µs/event | peak RSS MiB "
                        + "| late dead letters | throughput from |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        double base = rows.get(0).eventsPerSecond();
        for (Row r : rows) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,d | %,.0f | %.2f | %.1f | %,d | %s | %s |%n",
                            r.job(),
                            r.events(),
                            r.outputs(),
                            r.eventsPerSecond(),
                            r.eventsPerSecond() / base,
                            r.cpuMicrosPerEvent(),
                            r.peakRss() >> 20,
                            r.late(),
                            r.throughputBasis()));
        }
        sb.append(
                """

                Late dead letters: `late_event` dead letters in the job's dead-letter topic. The arrival gate has no
                notion of late (0 by construction): an event that arrives before the consent change that governed it is
                simply decided with the older consent. The SQL job reports nothing: its OVER aggregation drops consent
                changes behind the watermark, and its temporal join matches a late log row against the consent versions
                it still holds (or drops it), both silently.

                """);
        List<Peer> gated = peers.stream().filter(Peer::anonymised).toList();
        sb.append(
                "Records per output (differences come from the consent semantics, and for SQL also from the rules it "
                        + "approximates):\n\n| output |");
        gated.forEach(p -> sb.append(' ').append(p.label()).append(" |"));
        sb.append("\n|---|").append("---:|".repeat(gated.size())).append('\n');
        for (int i = 0; i < gated.get(0).outputs().size(); i++) {
            sb.append("| ").append(gated.get(0).outputs().get(i)).append(" |");
            for (Peer p : gated) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                " %,d |",
                                perTopic.get(p.kind()).get(p.outputs().get(i))));
            }
            sb.append('\n');
        }
        if (!latencies.isEmpty()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nEnd-to-end latency at %,d events/s (device records, event time = now; "
                                    + "max_out_of_orderness PT1S, source_idleness PT2S, consent max_delivery_delay PT1S for the jobs "
                                    + "with watermarks; read_committed consumer, so the checkpoint interval is part of it):%n%n"
                                    + "| job | records | p50 ms | p99 ms |%n"
                                    + "|---|---:|---:|---:|%n",
                            rate));
            latencies.forEach(
                    (k, v) ->
                            sb.append(
                                    String.format(
                                            Locale.ROOT,
                                            "| %s | %,d | %d | %d |%n",
                                            k,
                                            v.length,
                                            LiveLoad.percentile(v, 50),
                                            LiveLoad.percentile(v, 99))));
        }
        if (!state.isEmpty()) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%nConsent state: %,d data subjects, canonical savepoint %,.0f bytes = "
                                    + "**%.1f bytes per subject**; restore from it to the first completed checkpoint: %.1f s.%n",
                            stateSubjects,
                            state.get("savepoint_bytes"),
                            state.get("bytes_per_subject"),
                            state.get("restore_seconds")));
        }
        return sb.toString();
    }
}
