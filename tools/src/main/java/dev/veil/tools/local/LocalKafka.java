package dev.veil.tools.local;

import org.apache.kafka.clients.admin.Admin;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) started as a child process on
 * 127.0.0.1 from the jars that Maven resolved for the {@code kafka-local} module. Its data and log
 * live in a folder of the run. Closing it stops the process; a JVM shutdown hook does too.
 */
public final class LocalKafka implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;

    private LocalKafka(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Formats storage and starts the broker; returns once it answers a metadata request.
     *
     * @param classpathFile file with the broker's classpath (kafka-local/target/runtime.classpath)
     * @param dir empty or previous folder for data and logs; wiped first
     * @throws IllegalStateException if the broker does not come up within 60 s (its log is named)
     */
    public static LocalKafka start(Path classpathFile, Path dir)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException(
                    "broker classpath "
                            + classpathFile
                            + " is missing; run ./veil, which builds it");
        }
        String classpath = Files.readString(classpathFile).strip();
        deleteRecursively(dir);
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        Path props = writeConfig(dir, port, controllerPort);
        List<String> common = command(classpath, dir);

        format(common, props, dir);

        List<String> run = new ArrayList<>(common);
        run.addAll(List.of("kafka.Kafka", props.toString()));
        Process p =
                new ProcessBuilder(run)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile())
                        .start();
        LocalKafka kafka = new LocalKafka(p, port, dir);
        Runtime.getRuntime().addShutdownHook(new Thread(kafka::stopQuietly, "stop-local-kafka"));
        kafka.awaitReady(Duration.ofSeconds(60));
        return kafka;
    }

    /** Writes server.properties (returned) and log4j2.properties into {@code dir}. */
    private static Path writeConfig(Path dir, int port, int controllerPort) throws IOException {
        Path props = dir.resolve("server.properties");
        Files.writeString(
                props,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                        "listeners=PLAINTEXT://127.0.0.1:"
                                + port
                                + ",CONTROLLER://127.0.0.1:"
                                + controllerPort,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data").toAbsolutePath(),
                        "num.partitions=3",
                        "offsets.topic.replication.factor=1",
                        "offsets.topic.num.partitions=3",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "transaction.state.log.num.partitions=3",
                        "group.initial.rebalance.delay.ms=0",
                        "log.retention.hours=-1",
                        "auto.create.topics.enable=false",
                        ""));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(
                log4j,
                String.join(
                        "\n",
                        "rootLogger.level = WARN",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.type = File",
                        "appender.file.name = File",
                        "appender.file.fileName = " + dir.resolve("server.log").toAbsolutePath(),
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d %-5p %c{1} - %m%n",
                        ""));
        return props;
    }

    private static List<String> command(String classpath, Path dir) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(
                java,
                "-Xms256m",
                "-Xmx768m",
                "-Djava.io.tmpdir=" + dir.toAbsolutePath(),
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toAbsolutePath(),
                "-cp",
                classpath);
    }

    /**
     * Starts a broker that outlives this JVM (no shutdown hook, standard input from /dev/null, own
     * session where {@code setsid} exists) on fixed ports, with its data in {@code dir/data}: the
     * storage is formatted only when it has never been, so topics and offsets survive a restart.
     * Returns once the broker answers a metadata request.
     *
     * @param jvmArgs more JVM options, e.g. a system property that marks the process as the
     *     caller's
     * @return the broker's process
     */
    public static ProcessHandle startDetached(
            Path classpathFile, Path dir, int port, int controllerPort, String... jvmArgs)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException(
                    "broker classpath "
                            + classpathFile
                            + " is missing; run ./veil, which builds it");
        }
        String classpath = Files.readString(classpathFile).strip();
        Files.createDirectories(dir);
        Path props = writeConfig(dir, port, controllerPort);
        List<String> common = command(classpath, dir);
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            format(common, props, dir);
        }
        List<String> run = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            run.add("/usr/bin/setsid");
        }
        run.add(common.get(0));
        run.addAll(List.of(jvmArgs));
        run.addAll(common.subList(1, common.size()));
        run.addAll(List.of("kafka.Kafka", props.toString()));
        Process p =
                new ProcessBuilder(run)
                        .redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        dir.resolve("stdout.log").toFile()))
                        .start();
        LocalKafka kafka = new LocalKafka(p, port, dir);
        kafka.awaitReady(Duration.ofSeconds(90));
        return p.toHandle();
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "the Kafka broker exited with "
                                + process.exitValue()
                                + "; see "
                                + dir.resolve("stdout.log")
                                + " and "
                                + dir.resolve("server.log"));
            }
            if (portOpen()) {
                try (Admin admin =
                        Admin.create(
                                Map.of(
                                        "bootstrap.servers",
                                        bootstrapServers(),
                                        "request.timeout.ms",
                                        "3000",
                                        "default.api.timeout.ms",
                                        "5000"))) {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (Exception notYet) {
                    // the listener is up before the controller has elected itself
                }
            }
            Thread.sleep(250);
        }
        stopQuietly();
        throw new IllegalStateException(
                "the Kafka broker did not become ready in "
                        + timeout.toSeconds()
                        + " s; see "
                        + dir.resolve("server.log"));
    }

    private boolean portOpen() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Formats the broker's storage (KRaft) with Kafka's own tool; its output goes to format.log.
     */
    private static void format(List<String> common, Path props, Path dir)
            throws IOException, InterruptedException {
        List<String> format = new ArrayList<>(common);
        format.addAll(
                List.of(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        "VeilLocalKafkaCluster0",
                        "-c",
                        props.toString()));
        Process f =
                new ProcessBuilder(format)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("format.log").toFile())
                        .start();
        if (!f.waitFor(60, TimeUnit.SECONDS) || f.exitValue() != 0) {
            f.destroyForcibly();
            throw new IllegalStateException(
                    "formatting Kafka storage failed; see " + dir.resolve("format.log"));
        }
    }

    /** A port free on loopback now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** host:port of the PLAINTEXT listener on loopback. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    private void stopQuietly() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stopQuietly();
    }

    /** Deletes a folder and everything in it; nothing if it does not exist. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.delete(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        }
    }
}
