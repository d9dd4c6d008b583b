package dev.veil.tools.faults;

import dev.veil.config.JobConfig;
import dev.veil.record.RunComparison;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.cluster.ClusterMain;
import dev.veil.tools.local.KafkaIo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code ./veil faults}: the same seeded input through a failure-free cluster run and a run with
 * TaskManager kills (SIGKILL), a broker kill and restart and a downscale by savepoint; both outputs
 * read back with read_committed, each record as its key and value, and compared per output topic up
 * to a consistent renaming of pseudonyms ({@link RunComparison}): subject-scoped pseudonyms come
 * from per-subject random secrets, which each run draws anew.
 */
@Command(
        name = "veil faults",
        mixinStandardHelpOptions = true,
        description = "Failure-free run vs. run with faults; records lost, duplicated, differing.")
public final class FaultsMain implements Callable<Integer> {
    @Option(
            names = "--dir",
            defaultValue = "out/faults",
            description = "(default: ${DEFAULT-VALUE})")
    Path base;

    @Option(names = "--kills", defaultValue = "5", description = "TaskManager kills (default: 5)")
    int kills;

    @Option(names = "--no-broker", description = "Skip the broker kill and restart")
    boolean noBroker;

    @Option(names = "--no-rescale", description = "Skip the downscale by savepoint")
    boolean noRescale;

    @Option(names = "--seed", defaultValue = "20261128", description = "Input and fault seed")
    long seed;

    @Option(names = "--subjects", defaultValue = "300", description = "(default: 300)")
    int subjects;

    @Option(names = "--config", defaultValue = "config/veil.yaml", hidden = true)
    Path config;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public static void main(String[] args) {
        System.exit(Cli.execute(new FaultsMain(), args));
    }

    static void say(String format, Object... args) {
        System.out.printf("[veil faults] " + Instant.now() + " " + format + "%n", args);
        System.out.flush();
    }

    /** Both runs, their comparison, the report and where it was written. */
    record Outcome(
            RunResult clean,
            RunResult faulty,
            RunComparison.Result comparison,
            String report,
            Path reportFile) {
        /**
         * Nothing lost, duplicated or differing (pseudonyms blanked), the same pseudonym linkage,
         * and no transaction left ONGOING: the run passed.
         */
        boolean passed() {
            return comparison.identical() && faulty.ongoing.isEmpty();
        }
    }

    /** One fault and what it cost. */
    record Fault(String what, double recoverySeconds, long restarts) {}

    /**
     * A run's committed output: per topic, each record ({@link RunComparison#keyed key and value}
     * as one JSON text) to its copies; and its records in.
     */
    record RunResult(
            Map<String, Map<String, Long>> records,
            long in,
            long lateDeadLetters,
            List<Fault> faults,
            List<String> ongoing,
            double seconds) {}

    @Override
    public Integer call() throws Exception {
        Outcome o = runBoth();
        System.out.println(o.report());
        say("report in %s", o.reportFile());
        return o.passed() ? 0 : 1;
    }

    /** The failure-free run, then the fault run, each on a fresh cluster; the report written. */
    Outcome runBoth() throws Exception {
        long t0 = System.nanoTime();
        Path root = base.toAbsolutePath().normalize();
        String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
        Path runDir = root.resolve(stamp);
        Path key = sharedKey(root);
        say("runs under %s; pseudonym key %s", runDir, key);
        RunResult clean = run(runDir.resolve("baseline"), key, false);
        RunResult faulty = run(runDir.resolve("faults"), key, true);
        RunComparison.Result comparison = RunComparison.compare(clean.records, faulty.records);
        String report = report(clean, faulty, comparison, (System.nanoTime() - t0) / 1e9);
        Files.writeString(runDir.resolve("report.md"), report);
        return new Outcome(clean, faulty, comparison, report, runDir.resolve("report.md"));
    }

    /** One pseudonymisation key for both runs (copied from out/cluster/keys, else made once). */
    static Path sharedKey(Path root) throws IOException {
        Files.createDirectories(root);
        Path key = root.resolve("pseudonym.key");
        if (!Files.exists(key)) {
            Path cluster = Path.of("out/cluster/keys/pseudonym.key");
            String text;
            if (Files.exists(cluster)) {
                text = Files.readString(cluster);
            } else {
                byte[] b = new byte[32];
                new SecureRandom().nextBytes(b);
                text = Base64.getEncoder().encodeToString(b);
            }
            Files.createFile(
                    key,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, text);
        }
        return key;
    }

    int cluster(Path dir, String... args) {
        List<String> a = new ArrayList<>(List.of("--dir", dir.toString()));
        a.addAll(List.of(args));
        return new CommandLine(new ClusterMain()).execute(a.toArray(String[]::new));
    }

    void clusterOrFail(Path dir, String... args) {
        int rc = cluster(dir, args);
        if (rc != 0) {
            throw new IllegalStateException("veil cluster " + String.join(" ", args) + " failed");
        }
    }

    static Properties state(Path dir) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve("state.properties"))) {
            p.load(r);
        }
        return p;
    }

    RunResult run(Path dir, Path key, boolean withFaults) throws Exception {
        long t0 = System.nanoTime();
        say("=== %s run in %s", withFaults ? "fault" : "failure-free", dir);
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys);
        Files.copy(key, keys.resolve("pseudonym.key"));
        List<Fault> faults = new ArrayList<>();
        try {
            clusterOrFail(dir, "up");
            clusterOrFail(
                    dir,
                    "produce",
                    "--seed",
                    Long.toString(seed),
                    "--subjects",
                    Integer.toString(subjects));
            // input before the job: a log partition with unread records holds the watermark, so
            // every event is decided after the consent that governs it has been read. Produced
            // after the submit, the job may read the first log records before the consent
            // records and drop them as "no consent", depending on timing (seen in the first run)
            clusterOrFail(dir, "submit", "anonymisation");
            long produced = System.nanoTime();
            if (withFaults) {
                faults = faults(dir);
            }
            settle(dir, produced);
            RunResult r = read(dir, faults, (System.nanoTime() - t0) / 1e9);
            return r;
        } finally {
            cluster(dir, "down");
        }
    }

    /**
     * The fault schedule: kills at random moments, the broker in the middle, the downscale last.
     */
    List<Fault> faults(Path dir) throws Exception {
        Random random = new Random(seed);
        List<String> plan = new ArrayList<>();
        for (int i = 0; i < kills; i++) {
            plan.add("kill -9 TaskManager");
        }
        if (!noBroker) {
            plan.add(Math.min(plan.size(), 2), "kill -9 broker, restart");
        }
        if (!noRescale) {
            plan.add("downscale 2 -> 1 by savepoint");
        }
        List<Fault> done = new ArrayList<>();
        String lastJob = null;
        long lastBefore = 0;
        for (String f : plan) {
            long gap = 2000 + random.nextInt(15_000);
            say("next: %s in %d ms", f, gap);
            Thread.sleep(gap);
            String job = jobId(dir);
            long before = restarts(dir, job);
            if (job.equals(lastJob)) {
                recount(dir, done, lastJob, lastBefore);
            }
            long t = System.nanoTime();
            if (f.startsWith("kill -9 TaskManager")) {
                clusterOrFail(dir, "kill-taskmanager");
                awaitRecovered(dir, job, before, true);
            } else if (f.startsWith("kill -9 broker")) {
                clusterOrFail(dir, "restart-broker");
                awaitRecovered(dir, job, before, false);
            } else {
                clusterOrFail(dir, "rescale", "1", "anonymisation");
                job = jobId(dir);
                before = 0;
                awaitRecovered(dir, job, 0, false);
            }
            double secs = (System.nanoTime() - t) / 1e9;
            long after = restarts(dir, job);
            done.add(new Fault(f, secs, after - before));
            say("%s: recovered in %.1f s, %d restarts so far", f, secs, after - before);
            lastJob = job;
            lastBefore = before;
        }
        // restarts a fault caused after the job first ran again count too: read them at the end
        Thread.sleep(10_000);
        recount(dir, done, lastJob, lastBefore);
        return done;
    }

    /** The last fault's restarts: the job's count now less the count before it. */
    void recount(Path dir, List<Fault> done, String job, long before) {
        if (done.isEmpty() || job == null) {
            return;
        }
        long now = restarts(dir, job);
        Fault f = done.get(done.size() - 1);
        if (now >= 0 && before >= 0 && now - before > f.restarts()) {
            done.set(done.size() - 1, new Fault(f.what(), f.recoverySeconds(), now - before));
        }
    }

    String jobId(Path dir) throws IOException {
        String id = state(dir).getProperty("job.anonymisation.id");
        if (id == null) {
            throw new IllegalStateException("no anonymisation job in " + dir);
        }
        return id;
    }

    JsonNode rest(Path dir, String path) {
        try {
            String port = state(dir).getProperty("rest.port");
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? json.readTree(r.body()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Flink's job metric numRestarts, or -1 when the JobManager does not answer. */
    long restarts(Path dir, String job) {
        JsonNode n = rest(dir, "/jobs/" + job + "/metrics?get=numRestarts");
        if (n == null || !n.isArray() || n.isEmpty()) {
            return -1;
        }
        return n.get(0).path("value").asLong(-1);
    }

    /** RUNNING with every vertex RUNNING. */
    boolean allRunning(Path dir, String job) {
        JsonNode n = rest(dir, "/jobs/" + job);
        if (n == null || !n.path("state").asText().equals("RUNNING")) {
            return false;
        }
        for (JsonNode v : n.path("vertices")) {
            if (!v.path("status").asText().equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Until the job runs again: after a TaskManager kill, until its restart count has grown and
     * every vertex is RUNNING; otherwise until every vertex is RUNNING.
     */
    void awaitRecovered(Path dir, String job, long before, boolean mustRestart)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            boolean restarted = !mustRestart || restarts(dir, job) > before;
            if (restarted && allRunning(dir, job)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + job + " did not recover within 3 min");
    }

    /** Until the committed output stops growing over two checkpoint intervals and more. */
    void settle(Path dir, long produced) throws Exception {
        String bootstrap = "127.0.0.1:" + state(dir).getProperty("kafka.port");
        KafkaIo io = new KafkaIo(bootstrap);
        long last = -1;
        int stable = 0;
        while (true) {
            Thread.sleep(15_000);
            long n = 0;
            for (String t : outputTopics(bootstrap)) {
                n += io.readCommitted(t, r -> {});
            }
            boolean old = System.nanoTime() - produced > Duration.ofSeconds(60).toNanos();
            say("committed output records: %d", n);
            stable = n == last ? stable + 1 : 0;
            last = n;
            if (stable >= 2 && old) {
                return;
            }
        }
    }

    Set<String> outputTopics(String bootstrap) throws Exception {
        JobConfig job = JobConfig.load(config);
        try (Admin admin = admin(bootstrap)) {
            Set<String> out = new TreeSet<>(admin.listTopics().names().get());
            out.removeIf(t -> t.startsWith("_"));
            out.removeAll(job.inputTopics.values());
            out.remove(job.consentTopic);
            return out;
        }
    }

    static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    RunResult read(Path dir, List<Fault> faults, double seconds) throws Exception {
        String bootstrap = "127.0.0.1:" + state(dir).getProperty("kafka.port");
        KafkaIo io = new KafkaIo(bootstrap);
        JobConfig job = JobConfig.load(config);
        long in = 0;
        for (String t : job.inputTopics.values()) {
            in += io.readCommitted(t, r -> {});
        }
        in += io.readCommitted(job.consentTopic, r -> {});
        Map<String, Map<String, Long>> records = new TreeMap<>();
        long[] late = {0};
        for (String t : outputTopics(bootstrap)) {
            Map<String, Long> m = new HashMap<>();
            io.readCommitted(
                    t,
                    r -> {
                        m.merge(RunComparison.keyed(r.key(), r.value()), 1L, Long::sum);
                        String v =
                                r.value() == null
                                        ? ""
                                        : new String(r.value(), StandardCharsets.UTF_8);
                        if (t.equals(job.deadLetterTopic) && v.contains("\"late_event\"")) {
                            late[0]++;
                        }
                    });
            records.put(t, m);
        }
        List<String> ongoing = new ArrayList<>();
        try (Admin admin = admin(bootstrap)) {
            for (TransactionListing l : admin.listTransactions().all().get()) {
                if (l.transactionalId().startsWith("veil")
                        && l.state().toString().equalsIgnoreCase("ONGOING")) {
                    ongoing.add(l.transactionalId() + " (producer " + l.producerId() + ")");
                }
            }
        }
        return new RunResult(records, in, late[0], faults, ongoing, seconds);
    }

    static String yes(boolean b) {
        return b ? "yes" : "NO";
    }

    static String report(RunResult a, RunResult b, RunComparison.Result c, double seconds) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("Records in: failure-free %,d, with faults %,d%n%n", a.in, b.in));
        s.append(
                "Records (key and value) per output topic, every pseudonym (64 hex) blanked; lost,"
                        + " duplicated and differing are counted on these blanked records. Which"
                        + " records share a pseudonym is compared up to a renaming: each run draws"
                        + " its own subject secrets, so its subject-scoped pseudonyms are its own.\n\n");
        s.append("| output topic | out, failure-free | out, with faults | lost | duplicated |")
                .append(" differing |\n|---|---:|---:|---:|---:|---:|\n");
        long[] sum = new long[5];
        for (RunComparison.TopicDiff t : c.topics()) {
            long[] row = {t.inA(), t.inB(), t.lost(), t.duplicated(), t.differing()};
            for (int i = 0; i < 5; i++) {
                sum[i] += row[i];
            }
            s.append(
                    String.format(
                            "| %s | %,d | %,d | %d | %d | %d |%n",
                            t.topic(), row[0], row[1], row[2], row[3], row[4]));
        }
        s.append(
                String.format(
                        "| **total** | %,d | %,d | %d | %d | %d |%n%n",
                        sum[0], sum[1], sum[2], sum[3], sum[4]));
        for (RunComparison.TopicDiff t : c.topics()) {
            t.lostSamples()
                    .forEach(
                            x ->
                                    s.append("- lost from ")
                                            .append(t.topic())
                                            .append(": `")
                                            .append(x)
                                            .append("`\n"));
            t.extraSamples()
                    .forEach(
                            x ->
                                    s.append("- only with faults in ")
                                            .append(t.topic())
                                            .append(": `")
                                            .append(x)
                                            .append("`\n"));
        }
        s.append(
                String.format(
                        "Late dead letters (late_event): failure-free %d, with faults %d.%n",
                        a.lateDeadLetters, b.lateDeadLetters));
        s.append(
                String.format(
                        "Blanked records identical (multiset per topic): %s.%n",
                        yes(c.blankedIdentical())));
        s.append(
                String.format(
                        "pseudonym linkage identical: %s (%s).%n%n",
                        yes(c.linkageIdentical()), c.detail()));
        s.append("| # | fault | recovery (s) | restarts |\n|---:|---|---:|---:|\n");
        int i = 1;
        for (Fault f : b.faults) {
            s.append(
                    String.format(
                            "| %d | %s | %.1f | %s |%n",
                            i++,
                            f.what(),
                            f.recoverySeconds(),
                            // -1: Flink's REST API did not report numRestarts (yet)
                            f.restarts() < 0 ? "n/a" : Long.toString(f.restarts())));
        }
        s.append(
                String.format(
                        "%nONGOING transactions of veil* ids at the end of the fault run: %s%n",
                        b.ongoing.isEmpty() ? "none" : String.join(", ", b.ongoing)));
        s.append(
                String.format(
                        "Wall time: failure-free run %.0f s, fault run %.0f s, total %.0f s.%n",
                        a.seconds, b.seconds, seconds));
        return s.toString();
    }
}
