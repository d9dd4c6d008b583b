package dev.veil.tools.bench;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.config.JobConfig;
import dev.veil.config.KeyReference;
import dev.veil.config.YamlDocument;
import dev.veil.job.RulesText;
import dev.veil.job.aggregate.AggregationTopology;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.tools.local.KafkaIo;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark job in its own JVM, so that procfs gives the CPU and memory of the Flink process
 * alone (not the broker's, not the harness's). Runs a local Flink (MiniCluster) and prints one line
 * {@code BENCH_RESULT {json}} with the CPU seconds spent between submission and the end of the job,
 * and the process's peak RSS.
 *
 * <p>Usage: {@code BenchJob <kind> <bootstrap> <workdir> <parallelism> <checkpoint-interval>
 * <bounded> <state-backend> [recovery-path]} with kind one of passthrough, json-passthrough,
 * anonymise, arrival-gate, sql-temporal-join, aggregates, state, restore. Every kind reads the same
 * raw topics with the same Flink settings ({@link AnonymisationTopology#flinkConfiguration}) and
 * writes through an exactly-once Kafka sink.
 */
public final class BenchJob {
    /**
     * Consumer group of the pass-through: offsets committed on checkpoints, read by the harness for
     * progress.
     */
    static final String PASSTHROUGH_GROUP = "bench-passthrough";

    private BenchJob() {}

    public static void main(String[] args) throws Exception {
        String kind = args[0];
        String bootstrap = args[1];
        Path work = Path.of(args[2]);
        int parallelism = Integer.parseInt(args[3]);
        String checkpointInterval = args[4];
        boolean bounded = Boolean.parseBoolean(args[5]);
        Map<String, String> flink =
                new HashMap<>(
                        Map.of(
                                "execution.checkpointing.interval",
                                checkpointInterval,
                                "execution.checkpointing.dir",
                                work.resolve("checkpoints-" + kind).toUri().toString(),
                                "parallelism.default",
                                Integer.toString(parallelism),
                                "execution.checkpointing.incremental",
                                "true",
                                // A local MiniCluster's default managed memory is so small that
                                // RocksDB flushes its memtable
                                // constantly (Flink warns about it); a cluster sizes this itself.
                                "taskmanager.memory.managed.size",
                                "512m"));
        flink.put("state.backend.type", args[6]);
        if (args.length > 7) {
            flink.put("execution.state-recovery.path", args[7]);
        }
        KeyReference key = KeyReference.file(work.resolve("pseudonym.key").toString());
        String yaml = Files.readString(Path.of("config/veil.yaml"));
        if (kind.equals("state") || kind.equals("restore")) {
            // Its own topics and group: only the consent grants of the state-size subjects.
            yaml =
                    yaml.replace("veil.raw.", "state.raw.")
                            .replace("group_id: veil-anonymisation", "group_id: veil-state")
                            .replace(
                                    "transactional_id_prefix: veil-anonymisation",
                                    "transactional_id_prefix: veil-state")
                            // Its log topics are empty: they count as idle soon, so consent history
                            // is folded as it is read,
                            // and what is measured is the steady state, not the minutes after a
                            // bulk import.
                            .replace("source_idleness: PT30S", "source_idleness: PT2S");
        } else if (!bounded) {
            // Live latency pass: from the end of the topics, with short bounds so that the engine,
            // not the
            // configured out-of-orderness and consent delivery delay, is what is measured.
            yaml =
                    yaml.replace("max_out_of_orderness: PT30S", "max_out_of_orderness: PT1S")
                            .replace("source_idleness: PT30S", "source_idleness: PT2S")
                            .replace("max_delivery_delay: PT30S", "max_delivery_delay: PT1S")
                            .replace("starting_offsets: committed", "starting_offsets: latest");
        }
        if (kind.equals("arrival-gate")) {
            // Its own group (else it would start from the offsets the anonymisation run committed)
            // and transactions.
            yaml =
                    yaml.replace("group_id: veil-anonymisation", "group_id: " + ArrivalGate.GROUP)
                            .replace(
                                    "transactional_id_prefix: veil-anonymisation",
                                    "transactional_id_prefix: " + ArrivalGate.GROUP);
        }
        JobConfig jobConfig =
                JobConfig.load(YamlDocument.parse("config/veil.yaml", yaml))
                        .withOverrides(bootstrap, key, flink);
        RulesText rules = RulesText.read(Path.of("config/rules.yaml"));

        List<StreamExecutionEnvironment> envs = new ArrayList<>();
        switch (kind) {
            case "passthrough" -> envs.add(passThrough(jobConfig, parallelism, bounded));
            case "json-passthrough" ->
                    envs.add(JsonPassThrough.topology(jobConfig, parallelism, bounded));
            case "arrival-gate" ->
                    envs.add(ArrivalGate.topology(jobConfig, rules, parallelism, bounded));
            case "sql-temporal-join" ->
                    envs.add(SqlTemporalJoin.topology(jobConfig, rules, parallelism, bounded));
            case "anonymise", "state", "restore" -> {
                StreamExecutionEnvironment env =
                        env(AnonymisationTopology.flinkConfiguration(jobConfig), parallelism);
                AnonymisationTopology.build(
                        env,
                        jobConfig,
                        rules,
                        AnonymisationTopology.logSource(jobConfig, rules, bounded),
                        AnonymisationTopology.consentSource(jobConfig, rules, bounded),
                        AnonymisationTopology.sink(jobConfig));
                envs.add(env);
            }
            case "aggregates" -> {
                AggregatesConfig agg =
                        AggregatesConfig.load(Path.of("config/aggregates.yaml"))
                                .withOverrides(
                                        bootstrap,
                                        KeyReference.file(work.resolve("noise.key").toString()),
                                        flink)
                                .withMaxOutOfOrderness(Duration.ofHours(24));
                for (AggregationTopology.Kind k : AggregationTopology.Kind.values()) {
                    StreamExecutionEnvironment env =
                            env(AggregationTopology.flinkConfiguration(agg), parallelism);
                    AggregationTopology.build(
                            env,
                            agg,
                            k,
                            AggregationTopology.source(agg, k, true),
                            AggregationTopology.sink(agg, k));
                    envs.add(env);
                }
            }
            default -> throw new IllegalArgumentException("unknown kind " + kind);
        }

        double cpu0 = ProcStats.cpuSeconds();
        long t0 = System.nanoTime();
        List<JobClient> clients = new ArrayList<>();
        for (StreamExecutionEnvironment env : envs) {
            clients.add(env.executeAsync("bench-" + kind));
        }
        if (!bounded) {
            // Tell the harness when the job's sources are running, so it does not produce before
            // they read.
            for (JobClient c : clients) {
                while (c.getJobStatus().get() != JobStatus.RUNNING) {
                    Thread.sleep(100);
                }
            }
            Thread.sleep(5000);
            System.out.println("BENCH_RUNNING");
            System.out.flush();
        }
        Map<String, Object> extra = new HashMap<>();
        if (kind.equals("state")) {
            extra.putAll(stateSize(clients.get(0), jobConfig, work));
        } else if (kind.equals("restore")) {
            extra.put(
                    "restore_seconds",
                    firstCheckpointSeconds(work.resolve("checkpoints-" + kind), t0));
            clients.get(0).cancel().get(1, TimeUnit.MINUTES);
        } else {
            for (JobClient c : clients) {
                c.getJobExecutionResult().get();
            }
        }
        double cpu = ProcStats.cpuSeconds() - cpu0;
        double wall = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> result = new HashMap<>(extra);
        result.put("kind", kind);
        result.put("cpu_seconds", cpu);
        result.put("wall_seconds", wall);
        result.put("peak_rss_bytes", ProcStats.peakRssBytes());
        System.out.println("BENCH_RESULT " + Json.MAPPER.writeValueAsString(result));
        System.out.flush();
        System.exit(0);
    }

    static StreamExecutionEnvironment env(Configuration conf, int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    /**
     * Raw topics to pass-through topics, unchanged: same source, same exactly-once sink, nothing
     * else.
     */
    static StreamExecutionEnvironment passThrough(JobConfig c, int parallelism, boolean bounded) {
        StreamExecutionEnvironment env =
                env(AnonymisationTopology.flinkConfiguration(c), parallelism);
        List<String> topics = new ArrayList<>(c.inputTopics.values());
        topics.add(c.consentTopic);
        var b =
                KafkaSource.<OutRecord>builder()
                        .setBootstrapServers(c.bootstrapServers)
                        .setGroupId(PASSTHROUGH_GROUP)
                        .setTopics(topics)
                        .setStartingOffsets(
                                bounded
                                        ? OffsetsInitializer.earliest()
                                        : OffsetsInitializer.latest())
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new PassThroughDeserializer());
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "raw")
                .uid("bench-passthrough-source")
                .sinkTo(AnonymisationTopology.sink(c))
                .uid("bench-passthrough-sink");
        return env;
    }

    /** Raw record to "passthrough.&lt;topic&gt;" unchanged. */
    static final class PassThroughDeserializer
            implements KafkaRecordDeserializationSchema<OutRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<OutRecord> out) {
            out.collect(new OutRecord("passthrough." + r.topic(), r.key(), r.value()));
        }

        @Override
        public TypeInformation<OutRecord> getProducedType() {
            return TypeInformation.of(OutRecord.class);
        }
    }

    /**
     * Waits until the consent and service topics are consumed and checkpointed, then takes a
     * canonical savepoint and cancels: returns savepoint and latest checkpoint sizes.
     */
    static Map<String, Object> stateSize(JobClient client, JobConfig c, Path work)
            throws Exception {
        KafkaIo io = new KafkaIo(c.bootstrapServers);
        List<String> topics = List.of(c.consentTopic, c.inputTopics.get("service"));
        long end = io.endOffsets(topics);
        while (io.committedOffsets(c.groupId, topics) < end) {
            Thread.sleep(500);
        }
        Thread.sleep(3000);
        Path savepoints = work.resolve("savepoints");
        String path =
                client.triggerSavepoint(
                                savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(10, TimeUnit.MINUTES);
        client.cancel().get(1, TimeUnit.MINUTES);
        Map<String, Object> m = new HashMap<>();
        m.put("savepoint_path", path);
        m.put("savepoint_bytes", sizeOf(Path.of(URI.create(path))));
        return m;
    }

    /**
     * Seconds from t0 until the first completed checkpoint (a chk-N folder with _metadata) appears
     * under dir.
     */
    static double firstCheckpointSeconds(Path dir, long t0) throws Exception {
        while (true) {
            if (Files.isDirectory(dir)) {
                try (var s = Files.walk(dir, 3)) {
                    if (s.anyMatch(p -> p.getFileName().toString().equals("_metadata"))) {
                        return (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            Thread.sleep(50);
        }
    }

    static long sizeOf(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
