package dev.veil.tools.cluster;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;
import dev.veil.job.RulesText;
import dev.veil.rules.RuleSet;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.local.KafkaIo;
import dev.veil.tools.local.LocalKafka;
import dev.veil.tools.sample.SampleData;
import dev.veil.tools.sample.SampleRecord;
import dev.veil.tools.sample.Topics;
import dev.veil.tools.topics.VeilTopics;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./veil cluster}: a real local deployment from Maven jars, every part its own process on
 * loopback: one KRaft broker (fixed ports, data kept across restarts), a Flink session cluster
 * (StandaloneSessionClusterEntrypoint with the web UI, two TaskManagerRunners) and the Veil jobs
 * submitted with Flink's CLI from the job jar. State, logs, checkpoints and savepoints are under
 * {@code out/cluster/}.
 */
@Command(
        name = "veil cluster",
        mixinStandardHelpOptions = true,
        description = "A local Kafka broker and Flink session cluster as processes, and the jobs.",
        subcommands = {
            ClusterMain.Up.class,
            ClusterMain.Down.class,
            ClusterMain.Status.class,
            ClusterMain.Submit.class,
            ClusterMain.Stop.class,
            ClusterMain.Resume.class,
            ClusterMain.Rescale.class,
            ClusterMain.KillTaskManager.class,
            ClusterMain.RestartBroker.class,
            ClusterMain.Produce.class,
            ClusterMain.Count.class
        })
public final class ClusterMain implements Callable<Integer> {
    static final List<String> JOBS = List.of("anonymisation", "heatmap", "usage");
    static final String AGGREGATION_MAIN = "dev.veil.job.aggregate.AggregationJob";
    static final int TASK_MANAGERS = 2;
    private static final List<String> ADD_OPENS =
            List.of(
                    "java.util",
                    "java.lang",
                    "java.net",
                    "java.io",
                    "java.nio",
                    "sun.nio.ch",
                    "java.lang.reflect",
                    "java.text",
                    "java.time",
                    "java.util.concurrent",
                    "java.util.concurrent.atomic",
                    "java.util.concurrent.locks");

    @Option(
            names = "--dir",
            defaultValue = "out/cluster",
            description = "State, logs, checkpoints and savepoints (default: ${DEFAULT-VALUE})",
            scope = CommandLine.ScopeType.INHERIT)
    Path dirOption;

    @Option(
            names = "--flink-classpath",
            defaultValue = "flink-local/target/runtime.classpath",
            hidden = true,
            scope = CommandLine.ScopeType.INHERIT)
    Path flinkClasspath;

    @Option(
            names = "--broker-classpath",
            defaultValue = "kafka-local/target/runtime.classpath",
            hidden = true,
            scope = CommandLine.ScopeType.INHERIT)
    Path brokerClasspath;

    @Option(
            names = "--job-jar",
            description = "Job jar (default: the one in jobs/target)",
            scope = CommandLine.ScopeType.INHERIT)
    Path jobJar;

    public static void main(String[] args) {
        System.exit(Cli.execute(new ClusterMain(), args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    static void say(String format, Object... args) {
        System.out.printf("[veil cluster] " + format + "%n", args);
        System.out.flush();
    }

    Path dir() {
        return dirOption.toAbsolutePath().normalize();
    }

    // ---------------------------------------------------------------- processes

    /** The process of {@code key} (e.g. jobmanager.pid) if it is alive and is one of ours. */
    Optional<ProcessHandle> alive(ClusterState s, String key) {
        return s.get(key)
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
                .filter(ProcessHandle::isAlive)
                .filter(
                        h ->
                                h.info()
                                        .commandLine()
                                        .map(c -> c.contains("-Dveil.cluster=" + dir()))
                                        .orElse(true));
    }

    /** SIGTERM, then SIGKILL after {@code grace}; returns whether it was alive. */
    static boolean stop(ProcessHandle h, Duration grace) {
        if (!h.isAlive()) {
            return false;
        }
        h.destroy();
        try {
            h.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception timeout) {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by status
            }
        }
        return true;
    }

    List<String> taskManagerKeys(ClusterState s) {
        List<String> keys = new ArrayList<>();
        s.all().keySet().stream()
                .filter(k -> k.startsWith("taskmanager.") && k.endsWith(".pid"))
                .forEach(keys::add);
        return keys;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<String> javaPrefix() {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid"); // its own session: Ctrl-C in ./veil does not reach it
        }
        cmd.add(java());
        return cmd;
    }

    static List<String> addOpens() {
        List<String> l = new ArrayList<>();
        ADD_OPENS.forEach(p -> l.add("--add-opens=java.base/" + p + "=ALL-UNNAMED"));
        return l;
    }

    String flinkClasspath() throws IOException {
        if (!Files.isRegularFile(flinkClasspath)) {
            throw new IllegalStateException(
                    "Flink classpath "
                            + flinkClasspath
                            + " is missing; run ./veil, which builds it");
        }
        return Files.readString(flinkClasspath).strip();
    }

    /** Starts a Flink process detached from this JVM; its log is out/cluster/log/NAME.log. */
    ProcessHandle startFlink(String name, String mainClass, List<String> jvm, List<String> args)
            throws IOException {
        Path log = dir().resolve("log");
        Files.createDirectories(log);
        Files.createDirectories(dir().resolve("tmp"));
        List<String> cmd = javaPrefix();
        cmd.addAll(jvm);
        cmd.addAll(addOpens());
        cmd.add("-Dveil.cluster=" + dir());
        cmd.add("-Dlog.file=" + log.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + dir().resolve("conf/log4j.properties"));
        cmd.add("-Djava.io.tmpdir=" + dir().resolve("tmp"));
        cmd.add("-cp");
        cmd.add(flinkClasspath());
        cmd.add(mainClass);
        cmd.addAll(args);
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        log.resolve(name + ".out").toFile()));
        pb.environment().put("FLINK_CONF_DIR", dir().resolve("conf").toString());
        return pb.start().toHandle();
    }

    Configuration flinkConfig() {
        return GlobalConfiguration.loadConfiguration(dir().resolve("conf").toString());
    }

    ProcessHandle startJobManager() throws IOException {
        Configuration conf = flinkConfig();
        JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(conf);
        List<String> jvm = split(JobManagerProcessUtils.generateJvmParametersStr(spec, conf));
        List<String> args =
                new ArrayList<>(List.of("--configDir", dir().resolve("conf").toString()));
        args.addAll(split(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
        return startFlink(
                "jobmanager",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                jvm,
                args);
    }

    ProcessHandle startTaskManager(int n) throws IOException {
        Configuration conf = flinkConfig();
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        List<String> jvm = split(ProcessMemoryUtils.generateJvmParametersStr(spec));
        List<String> args =
                new ArrayList<>(List.of("--configDir", dir().resolve("conf").toString()));
        args.addAll(split(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
        // its id in the web UI and REST API, so that status and kill-taskmanager can name it
        args.addAll(List.of("-D", "taskmanager.resource-id=" + taskManagerId(n)));
        return startFlink(
                taskManagerId(n),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                jvm,
                args);
    }

    static String taskManagerId(int n) {
        return "taskmanager-" + n;
    }

    /** Busy slots per TaskManager resource id, as the JobManager sees them. */
    Map<String, Integer> busySlots(ClusterState s) {
        Map<String, Integer> busy = new TreeMap<>();
        rest(s, "/taskmanagers")
                .ifPresent(
                        n ->
                                n.path("taskmanagers")
                                        .forEach(
                                                t ->
                                                        busy.put(
                                                                t.path("id").asText(),
                                                                t.path("slotsNumber").asInt()
                                                                        - t.path("freeSlots")
                                                                                .asInt())));
        return busy;
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.strip().split("\\s+")).filter(t -> !t.isEmpty()).toList();
    }

    ProcessHandle startBroker(ClusterState s) throws IOException, InterruptedException {
        ProcessHandle h =
                LocalKafka.startDetached(
                        brokerClasspath,
                        dir().resolve("kafka"),
                        s.port("kafka.port"),
                        s.port("kafka.controller.port"),
                        "-Dveil.cluster=" + dir());
        s.set("broker.pid", h.pid());
        return h;
    }

    // ---------------------------------------------------------------- files

    void writeFlinkConf(ClusterState s) throws IOException {
        Path conf = dir().resolve("conf");
        Files.createDirectories(conf);
        String uri = dir().toUri().toString(); // file:/abs/out/cluster/
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "localhost");
        c.put("jobmanager.rpc.port", s.require("jobmanager.rpc.port"));
        c.put("jobmanager.bind-host", "localhost");
        c.put("taskmanager.bind-host", "localhost");
        c.put("taskmanager.host", "localhost");
        c.put("rest.address", "localhost");
        c.put("rest.bind-address", "localhost");
        c.put("rest.port", s.require("rest.port"));
        c.put("jobmanager.memory.process.size", "1g");
        c.put("taskmanager.memory.process.size", "2g");
        // 8 slots: the three jobs at parallelism 2 fit, with room for a rescale
        c.put("taskmanager.numberOfTaskSlots", "4");
        c.put("parallelism.default", "2");
        c.put("state.backend.type", "rocksdb");
        c.put("execution.checkpointing.dir", uri + "checkpoints");
        c.put("execution.checkpointing.savepoint-dir", uri + "savepoints");
        c.put("io.tmp.dirs", dir().resolve("tmp").toString());
        c.put("heartbeat.timeout", "20000");
        c.put("web.upload.dir", dir().resolve("tmp").toString());
        StringBuilder yaml =
                new StringBuilder("# written by ./veil cluster up; rewritten each up\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml);
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "monitorInterval = 30",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = MainAppender",
                        "appender.main.name = MainAppender",
                        "appender.main.type = File",
                        "appender.main.append = true",
                        "appender.main.fileName = ${sys:log.file}",
                        "appender.main.layout.type = PatternLayout",
                        "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        ""));
    }

    /** A random key in a file only the owner can read, made once. */
    Path key(String name) throws IOException {
        Path keys = dir().resolve("keys");
        Files.createDirectories(keys);
        Path file = keys.resolve(name);
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, Base64.getEncoder().encodeToString(key));
        }
        return file;
    }

    /**
     * The cluster's copy of a job config: the broker's address and the key files of out/cluster
     * instead of the environment variables.
     */
    Path jobConfigCopy(ClusterState s, Path source, String keyVariable, String keyFile)
            throws IOException {
        String text = Files.readString(source);
        String bootstrap = "127.0.0.1:" + s.require("kafka.port");
        String replaced =
                replaceOnce(
                        text,
                        "(?m)^(\\s*bootstrap_servers:\\s*)\\S+",
                        "$1" + bootstrap,
                        source,
                        "kafka.bootstrap_servers");
        replaced =
                replaceOnce(
                        replaced,
                        "env:\\s*" + keyVariable + "\\b",
                        Matcher.quoteReplacement("file: " + key(keyFile)),
                        source,
                        "env: " + keyVariable);
        Path jobs = dir().resolve("jobs");
        Files.createDirectories(jobs);
        Path copy = jobs.resolve(source.getFileName());
        Files.writeString(copy, replaced);
        // The privacy ledger lists the aggregates file by its path relative to the ledger: it goes
        // beside the copy, unchanged.
        Matcher ledger = Pattern.compile("(?m)^\\s+ledger:\\s*(\\S+)").matcher(text);
        if (ledger.find()) {
            Path sourceDir = source.toAbsolutePath().getParent();
            Files.copy(
                    sourceDir.resolve(ledger.group(1)),
                    jobs.resolve(ledger.group(1)),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        return copy;
    }

    private static String replaceOnce(
            String text, String regex, String replacement, Path file, String what) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(file + " has no " + what + " to point at the cluster");
        }
        return m.replaceFirst(replacement);
    }

    Path jobJar() throws IOException {
        if (jobJar != null) {
            return jobJar.toAbsolutePath();
        }
        try (var files = Files.list(Path.of("jobs/target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith("-job.jar"))
                    .findFirst()
                    .orElseThrow(
                            () ->
                                    new IllegalStateException(
                                            "no jobs/target/veil-jobs-*-job.jar; run ./veil jar"))
                    .toAbsolutePath();
        }
    }

    // ---------------------------------------------------------------- Flink CLI and REST

    record CliResult(int exit, String output) {}

    /** Runs Flink's CLI (CliFrontend) as a child process; its output is appended to log/cli.out. */
    CliResult flinkCli(List<String> args) throws IOException, InterruptedException {
        Path log = dir().resolve("log");
        Files.createDirectories(log);
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx768m"));
        cmd.addAll(addOpens());
        cmd.add("-Dveil.cluster=" + dir());
        cmd.add("-Dlog.file=" + log.resolve("cli.log"));
        cmd.add("-Dlog4j.configurationFile=" + dir().resolve("conf/log4j.properties"));
        cmd.add("-Djava.io.tmpdir=" + dir().resolve("tmp"));
        cmd.add("-cp");
        cmd.add(flinkClasspath());
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(args);
        // output to a file, not a pipe, so that a hung CLI cannot hang this tool past the timeout
        Path last = log.resolve("cli-last.out");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(last.toFile());
        pb.environment().put("FLINK_CONF_DIR", dir().resolve("conf").toString());
        Process p = pb.start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(last, StandardCharsets.UTF_8);
        Files.writeString(
                log.resolve("cli.out"),
                "--- " + Instant.now() + " flink " + String.join(" ", args) + "\n" + out,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        if (!done) {
            throw new IllegalStateException(
                    "flink " + args.get(0) + " did not finish in 5 min; see " + last);
        }
        return new CliResult(p.exitValue(), out);
    }

    Optional<JsonNode> rest(ClusterState s, String path) {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://localhost:"
                                                            + s.require("rest.port")
                                                            + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(new ObjectMapper().readTree(r.body()));
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    int registeredTaskManagers(ClusterState s) {
        return rest(s, "/taskmanagers").map(n -> n.path("taskmanagers").size()).orElse(-1);
    }

    void awaitTaskManagers(ClusterState s, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (registeredTaskManagers(s) >= count) {
                return;
            }
            if (alive(s, "jobmanager.pid").isEmpty()) {
                throw new IllegalStateException(
                        "the JobManager exited; see " + dir().resolve("log/jobmanager.log"));
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                count
                        + " TaskManagers did not register within "
                        + timeout.toSeconds()
                        + " s; see "
                        + dir().resolve("log"));
    }

    /** The job's state per REST (RUNNING, ...), or empty when the JobManager does not know it. */
    Optional<String> jobState(ClusterState s, String jobId) {
        return rest(s, "/jobs/" + jobId).map(n -> n.path("state").asText());
    }

    void awaitRunning(ClusterState s, String name, String jobId, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "?";
        while (System.nanoTime() < deadline) {
            state = jobState(s, jobId).orElse("?");
            if (state.equals("RUNNING")) {
                return;
            }
            if (state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED")) {
                break;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(
                name + " job " + jobId + " is " + state + "; see the web UI or log/jobmanager.log");
    }

    /** CLI arguments of a job after the run options. */
    List<String> jobArgs(ClusterState s, String name, Path config, Path rules, Path aggregates)
            throws IOException {
        List<String> a = new ArrayList<>();
        if (name.equals("anonymisation")) {
            Path copy = jobConfigCopy(s, config, "VEIL_PSEUDONYM_KEY", "pseudonym.key");
            a.addAll(
                    List.of(
                            jobJar().toString(),
                            "--config",
                            copy.toString(),
                            "--rules",
                            rules.toAbsolutePath().toString()));
        } else {
            Path copy = jobConfigCopy(s, aggregates, "VEIL_NOISE_KEY", "noise.key");
            a.addAll(
                    List.of(
                            "-c",
                            AGGREGATION_MAIN,
                            jobJar().toString(),
                            name,
                            "--config",
                            copy.toString()));
        }
        return a;
    }

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    /** flink run -d [-s savepoint] [-p n]; remembers the job id. */
    String run(ClusterState s, String name, String savepoint, Integer parallelism, JobFiles files)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        if (savepoint != null) {
            args.addAll(List.of("-s", savepoint));
        }
        if (parallelism != null) {
            args.addAll(List.of("-p", parallelism.toString()));
        }
        // -c must come before the jar, so jobArgs starts with it where needed
        args.addAll(jobArgs(s, name, files.config, files.rules, files.aggregates));
        long t0 = System.nanoTime();
        CliResult r = flinkCli(args);
        Matcher m = JOB_ID.matcher(r.output());
        if (r.exit() != 0 || !m.find()) {
            System.out.println(tail(r.output(), 40));
            throw new IllegalStateException(
                    "flink run of " + name + " failed; see " + dir().resolve("log/cli.out"));
        }
        String jobId = m.group(1);
        s.set("job." + name + ".id", jobId);
        s.set("job." + name + ".parallelism", parallelism == null ? 2 : parallelism);
        awaitRunning(s, name, jobId, Duration.ofSeconds(120));
        say(
                "%s job %s RUNNING%s%s (%d s)",
                name,
                jobId,
                savepoint == null ? "" : " from " + savepoint,
                parallelism == null ? "" : ", parallelism " + parallelism,
                (System.nanoTime() - t0) / 1_000_000_000L);
        return jobId;
    }

    /** flink stop --savepointPath; remembers the savepoint. */
    String stopWithSavepoint(ClusterState s, String name) throws Exception {
        String jobId =
                s.get("job." + name + ".id")
                        .orElseThrow(() -> new IllegalStateException(name + " was not submitted"));
        long t0 = System.nanoTime();
        CliResult r =
                flinkCli(List.of("stop", "--savepointPath", dir().toUri() + "savepoints", jobId));
        Matcher m = SAVEPOINT.matcher(r.output());
        if (r.exit() != 0 || !m.find()) {
            System.out.println(tail(r.output(), 40));
            throw new IllegalStateException(
                    "flink stop of " + name + " failed; see " + dir().resolve("log/cli.out"));
        }
        String path = m.group(1);
        s.set("job." + name + ".savepoint", path);
        s.remove("job." + name + ".id");
        say(
                "%s job %s stopped with savepoint %s (%d s)",
                name, jobId, path, (System.nanoTime() - t0) / 1_000_000_000L);
        return path;
    }

    private static String tail(String text, int lines) {
        List<String> l = text.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - lines), l.size()));
    }

    /** Jobs named on the command line, or those of the state that have {@code suffix}. */
    List<String> jobsOrKnown(ClusterState s, List<String> named, String suffix) {
        if (named != null && !named.isEmpty()) {
            for (String n : named) {
                if (!JOBS.contains(n)) {
                    throw new IllegalArgumentException("unknown job " + n + "; one of " + JOBS);
                }
            }
            return named;
        }
        return JOBS.stream().filter(j -> s.get("job." + j + suffix).isPresent()).toList();
    }

    static final class JobFiles {
        @Option(
                names = "--config",
                defaultValue = "config/veil.yaml",
                description = "Anonymisation job configuration (default: ${DEFAULT-VALUE})")
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
    }

    /** Every topic the three jobs read or write. */
    Map<String, Integer> topics(ClusterState s, JobFiles f) throws IOException {
        return VeilTopics.partitionsByName(topicList(s, f));
    }

    /** Creates the topics of the three jobs that do not exist yet. */
    void createTopics(ClusterState s, JobFiles f) throws Exception {
        List<VeilTopics.Topic> t = topicList(s, f);
        new KafkaIo(bootstrap(s))
                .createTopics(VeilTopics.partitionsByName(t), VeilTopics.localConfigsByName(t));
    }

    private List<VeilTopics.Topic> topicList(ClusterState s, JobFiles f) throws IOException {
        JobConfig job =
                JobConfig.load(jobConfigCopy(s, f.config, "VEIL_PSEUDONYM_KEY", "pseudonym.key"));
        RuleSet rules = RulesText.read(f.rules).parse();
        AggregatesConfig agg =
                AggregatesConfig.load(
                        jobConfigCopy(s, f.aggregates, "VEIL_NOISE_KEY", "noise.key"));
        return VeilTopics.of(job, rules, agg, 3);
    }

    String bootstrap(ClusterState s) {
        return "127.0.0.1:" + s.require("kafka.port");
    }

    static int preferredPort(int preferred) throws IOException {
        try (ServerSocket socket =
                new ServerSocket(preferred, 1, InetAddress.getLoopbackAddress())) {
            return preferred;
        } catch (IOException taken) {
            return LocalKafka.freePort();
        }
    }

    // ---------------------------------------------------------------- subcommands

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand ClusterMain cluster;

        @Override
        public Integer call() throws Exception {
            ClusterState s = ClusterState.load(cluster.dir());
            try {
                return run(s);
            } catch (IllegalStateException | IllegalArgumentException e) {
                System.err.println("[veil cluster] " + e.getMessage());
                return 1;
            }
        }

        abstract int run(ClusterState s) throws Exception;
    }

    @Command(
            name = "up",
            description =
                    "Starts the broker, a JobManager and two TaskManagers (those not running yet).")
    static final class Up extends Sub {
        @CommandLine.Mixin JobFiles files = new JobFiles();

        @Override
        int run(ClusterState s) throws Exception {
            long t0 = System.nanoTime();
            Files.createDirectories(cluster.dir());
            if (s.get("kafka.port").isEmpty()) {
                s.set("kafka.port", preferredPort(9092));
                s.set("kafka.controller.port", LocalKafka.freePort());
                s.set("rest.port", preferredPort(8081));
                s.set("jobmanager.rpc.port", preferredPort(6123));
            }
            if (cluster.alive(s, "broker.pid").isEmpty()) {
                say("starting the Kafka broker (KRaft) on %s ...", cluster.bootstrap(s));
                ProcessHandle h = cluster.startBroker(s);
                say("broker up, pid %d, data in %s", h.pid(), cluster.dir().resolve("kafka/data"));
            }
            cluster.createTopics(s, files);
            cluster.writeFlinkConf(s);
            if (cluster.alive(s, "jobmanager.pid").isEmpty()) {
                ProcessHandle jm = cluster.startJobManager();
                s.set("jobmanager.pid", jm.pid());
                say("JobManager started, pid %d", jm.pid());
            }
            List<String> tms = cluster.taskManagerKeys(s);
            int alive = 0;
            for (String k : tms) {
                if (cluster.alive(s, k).isPresent()) {
                    alive++;
                } else {
                    s.remove(k);
                }
            }
            int next = Integer.parseInt(s.get("taskmanager.next").orElse("1"));
            while (alive < TASK_MANAGERS) {
                ProcessHandle tm = cluster.startTaskManager(next);
                s.set("taskmanager." + next + ".pid", tm.pid());
                say("TaskManager %d started, pid %d", next, tm.pid());
                next++;
                alive++;
            }
            s.set("taskmanager.next", next);
            cluster.awaitTaskManagers(s, TASK_MANAGERS, Duration.ofSeconds(180));
            say(
                    "up in %d s: Kafka %s, Flink web UI http://localhost:%s, logs in %s",
                    (System.nanoTime() - t0) / 1_000_000_000L,
                    cluster.bootstrap(s),
                    s.require("rest.port"),
                    cluster.dir().resolve("log"));
            return 0;
        }
    }

    @Command(
            name = "down",
            description =
                    "Stops every process of the cluster by pid (jobs are not savepointed: run stop"
                            + " first to keep their state).")
    static final class Down extends Sub {
        @Override
        int run(ClusterState s) throws Exception {
            List<String> keys = new ArrayList<>(cluster.taskManagerKeys(s));
            keys.add("jobmanager.pid");
            keys.add("broker.pid");
            for (String k : keys) {
                Optional<ProcessHandle> h = cluster.alive(s, k);
                if (h.isPresent()) {
                    stop(h.get(), Duration.ofSeconds(30));
                    say("stopped %s (pid %d)", k.replace(".pid", ""), h.get().pid());
                }
                s.remove(k);
            }
            for (String j : JOBS) {
                s.remove("job." + j + ".id");
            }
            say("down; data, checkpoints and savepoints stay in %s", cluster.dir());
            return 0;
        }
    }

    @Command(name = "status", description = "Processes, ports, web UI, jobs, last savepoints.")
    static final class Status extends Sub {
        @Override
        int run(ClusterState s) throws Exception {
            List<String> keys = new ArrayList<>(List.of("broker.pid", "jobmanager.pid"));
            keys.addAll(cluster.taskManagerKeys(s));
            for (String k : keys) {
                String pid = s.get(k).orElse("-");
                System.out.printf(
                        "%-22s pid %-8s %s%n",
                        k.replace(".pid", ""),
                        pid,
                        cluster.alive(s, k).isPresent() ? "alive" : "NOT RUNNING");
            }
            if (s.get("kafka.port").isEmpty()) {
                System.out.println("never started: ./veil cluster up");
                return 0;
            }
            System.out.printf("kafka                  %s%n", cluster.bootstrap(s));
            System.out.printf(
                    "flink web UI / REST    http://localhost:%s%n", s.require("rest.port"));
            Map<String, Integer> busy = cluster.busySlots(s);
            System.out.printf("TaskManagers registered %d:", busy.size());
            busy.forEach((id, b) -> System.out.printf(" %s (%d slots busy)", id, b));
            System.out.println();
            Optional<JsonNode> overview = cluster.rest(s, "/jobs/overview");
            if (overview.isEmpty()) {
                System.out.println("jobs                   (JobManager not answering)");
            } else {
                for (JsonNode j : overview.get().path("jobs")) {
                    System.out.printf(
                            "job %-19s %s %s, %d tasks, since %s%n",
                            j.path("name").asText(),
                            j.path("jid").asText(),
                            j.path("state").asText(),
                            j.path("tasks").path("total").asInt(),
                            Instant.ofEpochMilli(j.path("start-time").asLong()));
                }
            }
            for (String j : JOBS) {
                s.get("job." + j + ".savepoint")
                        .ifPresent(p -> System.out.printf("last savepoint %-8s %s%n", j, p));
            }
            System.out.printf("logs                   %s%n", cluster.dir().resolve("log"));
            return 0;
        }
    }

    @Command(
            name = "submit",
            description = "Submits jobs with flink run -d (default: anonymisation).")
    static final class Submit extends Sub {
        @CommandLine.Mixin JobFiles files = new JobFiles();

        @Parameters(arity = "0..*", description = "anonymisation, heatmap, usage")
        List<String> jobs;

        @Override
        int run(ClusterState s) throws Exception {
            List<String> names = jobs == null || jobs.isEmpty() ? List.of("anonymisation") : jobs;
            cluster.createTopics(s, files);
            for (String name : cluster.jobsOrKnown(s, names, ".id")) {
                Optional<String> running = s.get("job." + name + ".id");
                if (running.isPresent()
                        && cluster.jobState(s, running.get()).orElse("").equals("RUNNING")) {
                    say("%s is running already (%s)", name, running.get());
                    continue;
                }
                cluster.run(s, name, null, null, files);
            }
            return 0;
        }
    }

    @Command(name = "stop", description = "Stops jobs with a savepoint (default: all running).")
    static final class Stop extends Sub {
        @Parameters(arity = "0..*", description = "anonymisation, heatmap, usage")
        List<String> jobs;

        @Override
        int run(ClusterState s) throws Exception {
            for (String name : cluster.jobsOrKnown(s, jobs, ".id")) {
                cluster.stopWithSavepoint(s, name);
            }
            return 0;
        }
    }

    @Command(
            name = "resume",
            description = "Starts jobs from their last savepoint (default: all stopped ones).")
    static final class Resume extends Sub {
        @CommandLine.Mixin JobFiles files = new JobFiles();

        @Parameters(arity = "0..*", description = "anonymisation, heatmap, usage")
        List<String> jobs;

        @Option(names = "-p", description = "Parallelism (default: the job's last)")
        Integer parallelism;

        @Override
        int run(ClusterState s) throws Exception {
            for (String name : cluster.jobsOrKnown(s, jobs, ".savepoint")) {
                if (s.get("job." + name + ".id").isPresent()) {
                    say("%s is running (stop it first)", name);
                    continue;
                }
                String savepoint =
                        s.get("job." + name + ".savepoint")
                                .orElseThrow(
                                        () ->
                                                new IllegalStateException(
                                                        name + " has no savepoint"));
                Integer p = parallelism;
                if (p == null) {
                    p = s.get("job." + name + ".parallelism").map(Integer::valueOf).orElse(null);
                }
                cluster.run(s, name, savepoint, p, files);
            }
            return 0;
        }
    }

    @Command(
            name = "rescale",
            description =
                    "Stop with savepoint, then resume with parallelism N (default: all running).")
    static final class Rescale extends Sub {
        @CommandLine.Mixin JobFiles files = new JobFiles();

        @Parameters(index = "0", description = "New parallelism")
        int parallelism;

        @Parameters(index = "1..*", arity = "0..*", description = "anonymisation, heatmap, usage")
        List<String> jobs;

        @Override
        int run(ClusterState s) throws Exception {
            for (String name : cluster.jobsOrKnown(s, jobs, ".id")) {
                String savepoint = cluster.stopWithSavepoint(s, name);
                cluster.run(s, name, savepoint, parallelism, files);
            }
            return 0;
        }
    }

    @Command(
            name = "kill-taskmanager",
            description = "kill -9 one TaskManager and start a replacement.")
    static final class KillTaskManager extends Sub {
        @Override
        int run(ClusterState s) throws Exception {
            Map<String, Integer> busy = cluster.busySlots(s);
            List<String> keys = new ArrayList<>(cluster.taskManagerKeys(s));
            // the one running the most tasks first, so that the kill makes the jobs fail over
            keys.sort(
                    Comparator.comparing(
                            (String k) ->
                                    -busy.getOrDefault(
                                            taskManagerId(Integer.parseInt(k.split("\\.")[1])),
                                            0)));
            for (String k : keys) {
                Optional<ProcessHandle> h = cluster.alive(s, k);
                if (h.isEmpty()) {
                    continue;
                }
                h.get().destroyForcibly();
                h.get().onExit().get(10, TimeUnit.SECONDS);
                s.remove(k);
                say(
                        "killed %s (pid %d, %d slots busy) with SIGKILL",
                        k.replace(".pid", ""),
                        h.get().pid(),
                        busy.getOrDefault(taskManagerId(Integer.parseInt(k.split("\\.")[1])), 0));
                int next = Integer.parseInt(s.get("taskmanager.next").orElse("1"));
                ProcessHandle tm = cluster.startTaskManager(next);
                s.set("taskmanager." + next + ".pid", tm.pid());
                s.set("taskmanager.next", next + 1);
                say("replacement TaskManager %d started, pid %d", next, tm.pid());
                return 0;
            }
            throw new IllegalStateException("no TaskManager is running");
        }
    }

    @Command(
            name = "restart-broker",
            description = "kill -9 the broker and start it again on the same ports and data.")
    static final class RestartBroker extends Sub {
        @Override
        int run(ClusterState s) throws Exception {
            long t0 = System.nanoTime();
            Optional<ProcessHandle> h = cluster.alive(s, "broker.pid");
            if (h.isPresent()) {
                h.get().destroyForcibly();
                h.get().onExit().get(10, TimeUnit.SECONDS);
                say("killed the broker (pid %d) with SIGKILL", h.get().pid());
            }
            ProcessHandle n = cluster.startBroker(s);
            say(
                    "broker up again on %s, pid %d (%d s)",
                    cluster.bootstrap(s), n.pid(), (System.nanoTime() - t0) / 1_000_000_000L);
            return 0;
        }
    }

    @Command(name = "produce", description = "Produces generated sample input to the raw topics.")
    static final class Produce extends Sub {
        @CommandLine.Mixin JobFiles files = new JobFiles();

        @Option(names = "--subjects", defaultValue = "300", description = "(default: 300)")
        int subjects;

        @Option(names = "--seed", defaultValue = "20261128", description = "(default: 20261128)")
        long seed;

        @Option(names = "--day", defaultValue = "2026-11-28", description = "UTC day")
        LocalDate day;

        @Override
        int run(ClusterState s) throws Exception {
            JobConfig job = JobConfig.load(files.config);
            SampleData data = SampleData.generate(seed, subjects, day, Topics.of(job));
            KafkaIo io = new KafkaIo(cluster.bootstrap(s));
            Map<String, Long> counts = new TreeMap<>();
            try (KafkaIo.Producer producer = io.producer()) {
                for (SampleRecord r : data.records()) {
                    producer.send(
                            r.topic(),
                            r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
                            r.value().getBytes(StandardCharsets.UTF_8),
                            r.timestampMillis());
                    counts.merge(r.topic(), 1L, Long::sum);
                }
                producer.flush();
            }
            say("produced %s", counts);
            return 0;
        }
    }

    @Command(
            name = "count",
            description = "Counts the committed records (read_committed) of the output topics.")
    static final class Count extends Sub {
        @CommandLine.Mixin JobFiles files = new JobFiles();

        @Override
        int run(ClusterState s) throws Exception {
            KafkaIo io = new KafkaIo(cluster.bootstrap(s));
            Map<String, Integer> topics = cluster.topics(s, files);
            JobConfig job = JobConfig.load(files.config);
            for (String t : topics.keySet()) {
                if (job.inputTopics.containsValue(t) || t.equals(job.consentTopic)) {
                    continue;
                }
                Map<String, Long> reasons = new TreeMap<>();
                ObjectMapper json = new ObjectMapper();
                long n =
                        io.readCommitted(
                                t,
                                r -> {
                                    if (t.equals(job.deadLetterTopic)) {
                                        String reason;
                                        try {
                                            reason =
                                                    json.readTree(r.value())
                                                            .path("reason")
                                                            .asText();
                                        } catch (IOException e) {
                                            reason = "(not JSON)";
                                        }
                                        reasons.merge(reason, 1L, Long::sum);
                                    }
                                });
                System.out.printf("%-32s %,d%s%n", t, n, reasons.isEmpty() ? "" : " " + reasons);
            }
            return 0;
        }
    }
}
