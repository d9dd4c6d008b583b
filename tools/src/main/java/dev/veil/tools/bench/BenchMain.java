package dev.veil.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;
import dev.veil.job.RulesText;
import dev.veil.job.aggregate.AggregationTopology;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.tools.local.KafkaIo;
import dev.veil.tools.local.LocalKafka;
import dev.veil.tools.sample.SampleData;
import dev.veil.tools.sample.SampleRecord;
import dev.veil.tools.sample.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./veil bench}: one run on one machine, one broker, the same parallelism and checkpoint settings for every job.
 * Measures (1) a pass-through job (raw topics to Kafka unchanged: the physical limit), (2) the anonymisation job, (3)
 * the heat map and usage jobs, each in its own JVM: events per second, Flink-process CPU per event (procfs) and
 * peak RSS; then end-to-end latency at a fixed rate below saturation; then consent state size per subject and
 * restore time. Writes the table, machine, date and command to docs/benchmarks.md.
 */
@Command(name = "veil bench", mixinStandardHelpOptions = true, description = "Benchmarks the Veil jobs against a pass-through baseline.")
public final class BenchMain implements Callable<Integer> {
    @Option(names = "--events", defaultValue = "2000000", description = "Raw events to preload, about (default: ${DEFAULT-VALUE})")
    long events;

    @Option(names = "--parallelism", defaultValue = "2")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "5s", description = "For every job (default: ${DEFAULT-VALUE})")
    String checkpointInterval;

    @Option(names = "--latency-rate", defaultValue = "0", description = "Events/s of the latency pass; 0 = half the anonymisation throughput, at most 20000")
    int latencyRate;

    @Option(names = "--latency-seconds", defaultValue = "60")
    int latencySeconds;

    @Option(names = "--state-subjects", defaultValue = "1000000")
    int stateSubjects;

    @Option(names = "--profile", description = "Record a Java Flight Recording of the anonymisation job in out/bench/anonymise.jfr")
    boolean profile;

    @Option(names = "--state-backend", defaultValue = "rocksdb",
            description = "rocksdb (default, as in production) or hashmap, to see what RocksDB costs")
    String stateBackend;

    @Option(names = "--skip-latency", description = "Skip the latency pass")
    boolean skipLatency;

    @Option(names = "--skip-state", description = "Skip the state-size measurement")
    boolean skipState;

    @Option(names = "--report", defaultValue = "docs/benchmarks.md")
    Path report;

    @Option(names = "--broker-classpath", defaultValue = "kafka-local/target/runtime.classpath", hidden = true)
    Path brokerClasspath;

    private Path work;
    private String commandLine;

    public static void main(String[] args) {
        BenchMain m = new BenchMain();
        m.commandLine = "./veil bench " + String.join(" ", args);
        System.exit(new CommandLine(m).execute(args));
    }

    static void say(String format, Object... args) {
        System.out.printf("[veil bench] " + format + "%n", args);
        System.out.flush();
    }

    record Row(String job, long events, double seconds, double cpuSeconds, long peakRss, String throughputBasis) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double cpuMicrosPerEvent() {
            return cpuSeconds * 1e6 / events;
        }
    }

    @Override
    public Integer call() throws Exception {
        work = Path.of("out", "bench").toAbsolutePath();
        LocalKafka.deleteRecursively(work);
        Files.createDirectories(work);
        byte[] key = randomKey(work.resolve("pseudonym.key"));
        randomKey(work.resolve("noise.key"));
        JobConfig jobConfig = JobConfig.load(Path.of("config/veil.yaml"));
        RulesText rules = RulesText.read(Path.of("config/rules.yaml"));
        AggregatesConfig agg = AggregatesConfig.load(Path.of("config/aggregates.yaml"));

        say("starting a Kafka broker ...");
        try (LocalKafka kafka = LocalKafka.start(brokerClasspath, work.resolve("kafka"))) {
            KafkaIo io = new KafkaIo(kafka.bootstrapServers());
            Map<String, Integer> topics = new LinkedHashMap<>();
            for (String t : jobConfig.inputTopics.values()) {
                topics.put(t, 3);
                topics.put("passthrough." + t, 3);
            }
            topics.put(jobConfig.consentTopic, 3);
            topics.put("passthrough." + jobConfig.consentTopic, 3);
            topics.put(jobConfig.deadLetterTopic, 1);
            List<String> anonTopics = new ArrayList<>();
            for (OutputRules o : rules.parse().outputs().values()) {
                topics.put(o.topic(), 3);
                anonTopics.add(o.topic());
            }
            for (AggregationTopology.Kind k : AggregationTopology.Kind.values()) {
                topics.put(AggregationTopology.lateTopic(agg, k), 1);
            }
            topics.put(agg.heatmapOutputTopic, 1);
            topics.put(agg.usageOutputTopic, 1);
            topics.put(agg.budgetTopic, 1);
            for (String s : List.of("device", "location", "service", "consent")) {
                topics.put("state.raw." + s, 3);
            }
            io.createTopics(topics);

            long raw = preload(io, jobConfig);
            List<String> passTopics = new ArrayList<>();
            for (String t : jobConfig.inputTopics.values()) {
                passTopics.add("passthrough." + t);
            }
            passTopics.add("passthrough." + jobConfig.consentTopic);

            List<Row> rows = new ArrayList<>();
            JsonNode pass = runChild("passthrough", kafka, true, null, io, List.of("bench-passthrough"), raw);
            rows.add(row("pass-through (raw topics to Kafka, unchanged)", raw, pass, io.timestampRange(passTopics)));
            List<String> anonOut = new ArrayList<>(anonTopics);
            anonOut.add(jobConfig.deadLetterTopic);
            JsonNode anon = runChild("anonymise", kafka, true, null, io, List.of(jobConfig.groupId), raw);
            rows.add(row("anonymisation", raw, anon, io.timestampRange(anonOut)));
            long anonymised = io.endOffsets(anonTopics);
            JsonNode aggr = runChild("aggregates", kafka, true, null, io, List.of(), anonymised);
            rows.add(new Row("heat map + usage (over the anonymised topics)", anonymised, aggr.get("wall_seconds").asDouble(),
                    aggr.get("cpu_seconds").asDouble(), aggr.get("peak_rss_bytes").asLong(), "job wall time"));
            printRows(rows);

            double anonRate = rows.get(1).eventsPerSecond();
            int rate = latencyRate > 0 ? latencyRate : (int) Math.min(20_000, Math.max(100, anonRate / 2));
            Map<String, long[]> latencies = new LinkedHashMap<>();
            LiveLoad live = new LiveLoad(io, jobConfig.inputTopics.get("device"), jobConfig.consentTopic, key, 5_000);
            if (!skipLatency) {
                latencies.put("pass-through", latencyPass(kafka, "passthrough",
                        "passthrough." + jobConfig.inputTopics.get("device"), false, live, rate));
                latencies.put("anonymisation", latencyPass(kafka, "anonymise", "veil.anon.device", true, live, rate));
            }
            Map<String, Double> state = skipState ? Map.of() : stateSize(kafka, io);
            String md = markdown(rows, rate, latencies, state, raw);
            Files.createDirectories(report.toAbsolutePath().getParent());
            // Keep the hand-written part of the report (method, profile findings) above the marker.
            String marker = "<!-- bench:results -->";
            String preamble = "";
            if (Files.exists(report)) {
                String old = Files.readString(report);
                int i = old.indexOf(marker);
                if (i >= 0) {
                    preamble = old.substring(0, i + marker.length()) + "\n\n";
                }
            }
            Files.writeString(report, preamble + md);
            System.out.println(md);
            say("written to %s", report);
        }
        return 0;
    }

    private static byte[] randomKey(Path file) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(file, Base64.getEncoder().encodeToString(key));
        return key;
    }

    private long preload(KafkaIo io, JobConfig c) throws Exception {
        int subjects = (int) Math.max(100, events / 62);
        say("generating about %,d raw events (%,d data subjects, the demo's mix) ...", events, subjects);
        SampleData data = SampleData.generate(42, subjects, LocalDate.of(2026, 11, 28), new Topics(
                c.inputTopics.get("device"), c.inputTopics.get("location"), c.inputTopics.get("service"), c.consentTopic));
        long n = 0;
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = io.producer()) {
            for (SampleRecord r : data.records()) {
                KafkaIo.send(p, r.topic(), r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                        r.value().getBytes(StandardCharsets.UTF_8), r.timestampMillis());
                if (++n % 250_000 == 0) {
                    say("preloaded %,d of %,d", n, data.records().size());
                }
            }
            p.flush();
        }
        say("preloaded %,d raw events in %.0f s", n, (System.nanoTime() - t0) / 1e9);
        return n;
    }

    private Process startChild(String kind, LocalKafka kafka, boolean bounded, String recoveryPath) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-Xms2g", "-Xmx2g", "-XX:+UseG1GC", "-Djava.io.tmpdir=" + work, "-Dveil.log.file=" + work.resolve(kind + (bounded ? "" : "-live") + ".log"),
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED"));
        if (profile && kind.equals("anonymise") && bounded) {
            cmd.add("-XX:FlightRecorderOptions:stackdepth=512");
            cmd.add("-XX:StartFlightRecording=filename=" + work.resolve("anonymise.jfr") + ",settings=profile");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchJob.class.getName(), kind,
                kafka.bootstrapServers(), work.toString(), Integer.toString(parallelism), checkpointInterval,
                Boolean.toString(bounded), stateBackend));
        if (recoveryPath != null) {
            cmd.add(recoveryPath);
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Runs a bounded child and returns its BENCH_RESULT; prints progress from the consumer groups meanwhile. */
    private JsonNode runChild(String kind, LocalKafka kafka, boolean bounded, String recoveryPath, KafkaIo io,
            List<String> groups, long expected) throws Exception {
        say("running %s ...", kind);
        Process p = startChild(kind, kafka, bounded, recoveryPath);
        JsonNode[] result = {null};
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
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
        while (!p.waitFor(5, TimeUnit.SECONDS)) {
            long done = 0;
            for (String g : groups) {
                done += io.committedOffsets(g, allRawTopics());
            }
            if (groups.isEmpty()) {
                say("  %s: %.0f s", kind, (System.nanoTime() - t0) / 1e9);
            } else {
                say("  %s: %,d of %,d raw events consumed and checkpointed, %.0f s", kind, done, expected,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
        reader.join();
        if (result[0] == null) {
            throw new IllegalStateException(kind + " failed (exit " + p.exitValue() + "); see " + work.resolve(kind + ".log"));
        }
        return result[0];
    }

    private static List<String> allRawTopics() {
        return List.of("veil.raw.device", "veil.raw.location", "veil.raw.service", "veil.raw.consent");
    }

    private static Row row(String name, long events, JsonNode r, long[] range) {
        double seconds = (range[1] - range[0]) / 1000.0;
        return new Row(name, events, seconds, r.get("cpu_seconds").asDouble(), r.get("peak_rss_bytes").asLong(),
                "first to last output record");
    }

    private static void printRows(List<Row> rows) {
        for (Row r : rows) {
            say("%-48s %,10.0f events/s  %6.1f µs CPU/event  peak RSS %,d MiB", r.job(), r.eventsPerSecond(),
                    r.cpuMicrosPerEvent(), r.peakRss() >> 20);
        }
    }

    private long[] latencyPass(LocalKafka kafka, String kind, String outputTopic, boolean anonymised, LiveLoad live, int rate)
            throws Exception {
        say("latency pass: %s at %,d events/s for %d s (after 15 s warm-up) ...", kind, rate, latencySeconds);
        Process p = startChild(kind, kafka, false, null);
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("BENCH_RUNNING")) {
                        running.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process was stopped
            }
        });
        drain.start();
        if (!running.await(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(kind + " did not start; see " + work.resolve(kind + "-live.log"));
        }
        live.grantConsent();
        long[] lat = live.run(outputTopic, anonymised, rate, 15, latencySeconds);
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        say("  %s: %,d records matched, p50 %d ms, p99 %d ms", kind, lat.length, LiveLoad.percentile(lat, 50),
                LiveLoad.percentile(lat, 99));
        return lat;
    }

    private Map<String, Double> stateSize(LocalKafka kafka, KafkaIo io) throws Exception {
        say("state size: %,d data subjects with consent ...", stateSubjects);
        // Effective times 100 ms apart, so that the watermark passes (almost) all of them: the state measured is the
        // steady state of applied consent, not changes still waiting.
        long base = java.time.Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();
        try (KafkaProducer<byte[], byte[]> p = io.producer()) {
            for (int i = 0; i < stateSubjects; i++) {
                String user = "s-" + i;
                String at = java.time.Instant.ofEpochMilli(base + i * 100L).toString();
                String v = "{\"user_id\":\"" + user + "\",\"effective_time\":\"" + at + "\",\"action\":\"grant\","
                        + "\"purposes\":[\"analytics\",\"product_improvement\",\"location\"],\"policy_version\":\"2026-09\"}";
                KafkaIo.send(p, "state.raw.consent", user.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8),
                        System.currentTimeMillis());
            }
            p.flush();
        }
        JsonNode s = runChild("state", kafka, false, null, io, List.of(), stateSubjects);
        String savepoint = s.get("savepoint_path").asText();
        JsonNode r = runChild("restore", kafka, false, savepoint, io, List.of(), stateSubjects);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("savepoint_bytes", s.get("savepoint_bytes").asDouble());
        m.put("bytes_per_subject", s.get("savepoint_bytes").asDouble() / stateSubjects);
        m.put("restore_seconds", r.get("restore_seconds").asDouble());
        say("  savepoint %,.0f bytes = %.1f bytes per subject; restore to first checkpoint %.1f s", m.get("savepoint_bytes"),
                m.get("bytes_per_subject"), m.get("restore_seconds"));
        return m;
    }

    private String markdown(List<Row> rows, int rate, Map<String, long[]> latencies, Map<String, Double> state, long raw)
            throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        long memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(0L);
        StringBuilder sb = new StringBuilder();
        sb.append("## Run of ").append(ZonedDateTime.now().withNano(0)).append("\n\n");
        sb.append(String.format(Locale.ROOT, "Machine: %d cores (%s), %d GiB; Java %s. Command: `%s`.%n%n",
                Runtime.getRuntime().availableProcessors(), cpu, memKb >> 20, System.getProperty("java.version"), commandLine));
        sb.append(String.format(Locale.ROOT, "%,d raw events (demo mix), parallelism %d, checkpoints every %s, exactly-once "
                + "Kafka sink, state backend %s; one broker on the same machine; each job in its own JVM (CPU and peak RSS "
                + "from procfs).%n%n", raw, parallelism, checkpointInterval, stateBackend));
        sb.append("| job | events | events/s | vs pass-through | Flink CPU µs/event | peak RSS MiB | throughput from |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---|\n");
        double base = rows.get(0).eventsPerSecond();
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.2f | %.1f | %,d | %s |%n", r.job(), r.events(),
                    r.eventsPerSecond(), r.eventsPerSecond() / base, r.cpuMicrosPerEvent(), r.peakRss() >> 20,
                    r.throughputBasis()));
        }
        if (!latencies.isEmpty()) {
        sb.append(String.format(Locale.ROOT, "%nEnd-to-end latency at %,d events/s (device records, event time = now; "
                + "anonymisation with max_out_of_orderness PT1S, source_idleness PT2S; read_committed consumer, so the "
                + "checkpoint interval is part of it):%n%n| job | records | p50 ms | p99 ms |%n|---|---:|---:|---:|%n", rate));
        latencies.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "| %s | %,d | %d | %d |%n", k, v.length,
                LiveLoad.percentile(v, 50), LiveLoad.percentile(v, 99))));
        }
        if (!state.isEmpty()) {
        sb.append(String.format(Locale.ROOT, "%nConsent state: %,d data subjects, canonical savepoint %,.0f bytes = **%.1f bytes "
                + "per subject**; restore from it to the first completed checkpoint: %.1f s.%n", stateSubjects,
                state.get("savepoint_bytes"), state.get("bytes_per_subject"), state.get("restore_seconds")));
        }
        return sb.toString();
    }
}
