package dev.veil.job.anonymisation;

import dev.veil.config.JobConfig;
import dev.veil.job.FlinkSettings;
import dev.veil.job.RulesText;
import dev.veil.job.kafka.KafkaConnections;
import dev.veil.job.operators.CatchUpAwareKafkaSource;
import dev.veil.job.operators.ConsentGate;
import dev.veil.job.operators.DeadLetterSplitter;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.job.risk.RiskGroups;
import dev.veil.job.risk.RiskObservation;
import dev.veil.job.risk.RiskObservations;
import dev.veil.job.risk.RiskWindows;
import dev.veil.job.serialisation.ConsentEventDeserializer;
import dev.veil.job.serialisation.ControlRulesDeserializer;
import dev.veil.job.serialisation.LogEventDeserializer;
import dev.veil.job.serialisation.RulesFollower;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.transformations.TwoInputTransformation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The anonymisation job's topology, built from its sources and sink so that tests and the demo can
 * pass their own.
 *
 * <pre>
 * log source (device, location, service topics; parse, validate, anonymise; per-partition watermarks)
 *   -&gt; dead-letter split --------------------------------------------------------------+
 *   -&gt; keyBy(subject) --+                                                              |
 *                       +-&gt; consent gate (keyed state on RocksDB, event-time timers) ---+-&gt; Kafka sink
 * consent source -&gt; dead-letter split -&gt; keyBy(subject) --+                              |  (exactly-once)
 *                                      |                  |                              |
 * rules control source (p=1) -&gt; dead-letter split -&gt; broadcast (same input as consent) ---+
 * </pre>
 *
 * The rules control source exists only when {@code topics.control_rules} is set (docs/rules.md,
 * "Rolling out a rules change"); without it the topology is the one above it, unchanged.
 */
public final class AnonymisationTopology {
    private AnonymisationTopology() {}

    /** Job name shown in the Flink UI. */
    public static final String JOB_NAME = "veil-anonymisation";

    /**
     * Adds the topology to {@code env}.
     *
     * @param env the environment
     * @param config job configuration (topics, time bounds, consent buffer)
     * @param rules validated field rules
     * @param logSource raw device, location and service records ({@link #logSource}); it emits
     *     their watermarks
     * @param consentSource consent changes ({@link #consentSource}); it emits their watermarks
     * @param sink receives anonymised records and dead letters, each with its topic
     */
    public static void build(
            StreamExecutionEnvironment env,
            JobConfig config,
            RulesText rules,
            CatchUpAwareKafkaSource<LogEvent> logSource,
            CatchUpAwareKafkaSource<ConsentEvent> consentSource,
            Sink<OutRecord> sink) {
        records(env, config, rules, logSource, consentSource)
                .sinkTo(sink)
                .uid(Uids.SINK)
                .name("kafka sink");
    }

    /**
     * Adds the topology up to its sink to {@code env}: what {@link #build} sinks, so that a test
     * can put an operator in front of the sink.
     *
     * @return anonymised records and dead letters, each with its topic
     */
    public static DataStream<OutRecord> records(
            StreamExecutionEnvironment env,
            JobConfig config,
            RulesText rules,
            CatchUpAwareKafkaSource<LogEvent> logSource,
            CatchUpAwareKafkaSource<ConsentEvent> consentSource) {
        boolean bounded = logSource.getBoundedness() == Boundedness.BOUNDED;
        return records(
                env,
                config,
                rules,
                logSource,
                consentSource,
                controlSource(config, rules, bounded));
    }

    /**
     * {@link #records(StreamExecutionEnvironment, JobConfig, RulesText, CatchUpAwareKafkaSource,
     * CatchUpAwareKafkaSource)} with a given rules control source.
     *
     * @param controlSource published rules versions ({@link #controlSource}), or null for none
     */
    public static DataStream<OutRecord> records(
            StreamExecutionEnvironment env,
            JobConfig config,
            RulesText rules,
            CatchUpAwareKafkaSource<LogEvent> logSource,
            CatchUpAwareKafkaSource<ConsentEvent> consentSource,
            CatchUpAwareKafkaSource<ConsentEvent> controlSource) {
        SingleOutputStreamOperator<LogEvent> logs =
                env.fromSource(
                                logSource,
                                CatchUpAwareKafkaSource.watermarkStrategy(new LogTime()),
                                "raw logs")
                        .uid(Uids.LOG_SOURCE)
                        .process(new DeadLetterSplitter.ForLogs(rules, config.deadLetterTopic))
                        .uid(Uids.LOG_DEAD_LETTERS)
                        .name("log dead letters");
        SingleOutputStreamOperator<ConsentEvent> consents =
                env.fromSource(
                                consentSource,
                                CatchUpAwareKafkaSource.watermarkStrategy(new ConsentTime()),
                                "consent")
                        .uid(Uids.CONSENT_SOURCE)
                        .process(new DeadLetterSplitter.ForConsent(rules, config.deadLetterTopic))
                        .uid(Uids.CONSENT_DEAD_LETTERS)
                        .name("consent dead letters");

        if (controlSource == null) {
            DataStream<OutRecord> gated =
                    logs.connect(consents)
                            .keyBy(new LogSubject(), new ConsentSubject())
                            .transform(
                                    "consent gate",
                                    TypeInformation.of(OutRecord.class),
                                    new ConsentGate(rules, ConsentGate.Settings.of(config)))
                            .uid(Uids.CONSENT_GATE)
                            .name("consent gate");

            return withRisk(
                    gated,
                    gated.union(
                            logs.getSideOutput(DeadLetterSplitter.DEAD_LETTERS),
                            consents.getSideOutput(DeadLetterSplitter.DEAD_LETTERS)),
                    config,
                    rules);
        }

        SingleOutputStreamOperator<ConsentEvent> control =
                env.fromSource(
                                controlSource,
                                CatchUpAwareKafkaSource.watermarkStrategy(new ConsentTime()),
                                "rules control")
                        .setParallelism(1)
                        .uid(Uids.CONTROL_SOURCE)
                        .process(new DeadLetterSplitter.ForConsent(rules, config.deadLetterTopic))
                        .setParallelism(1)
                        .uid(Uids.CONTROL_DEAD_LETTERS)
                        .name("rules control dead letters");
        // Rules versions join the consent input, broadcast to every subtask: the input's watermark
        // is then the lesser of the consent and the control watermark, so an event is decided
        // only once every version effective at its time has arrived. The gate is built by hand
        // because a keyed connect would key (and so not broadcast) the versions; the gate reads
        // no keyed state for them. Same uid, operator and state as the connect above.
        DataStream<ConsentEvent> consentInput =
                consents.keyBy(new ConsentSubject()).union(control.broadcast());
        TwoInputTransformation<LogEvent, ConsentEvent, OutRecord> gate =
                new TwoInputTransformation<>(
                        logs.keyBy(new LogSubject()).getTransformation(),
                        consentInput.getTransformation(),
                        "consent gate",
                        SimpleOperatorFactory.of(
                                new ConsentGate(rules, ConsentGate.Settings.of(config))),
                        TypeInformation.of(OutRecord.class),
                        env.getParallelism(),
                        false);
        gate.setStateKeySelectors(new LogSubject(), new ConsentSubject());
        gate.setStateKeyType(Types.STRING);
        gate.setUid(Uids.CONSENT_GATE);
        env.addOperator(gate);
        DataStream<OutRecord> gated = new DataStream<>(env, gate);

        return withRisk(
                gated,
                gated.union(
                        logs.getSideOutput(DeadLetterSplitter.DEAD_LETTERS),
                        consents.getSideOutput(DeadLetterSplitter.DEAD_LETTERS),
                        control.getSideOutput(DeadLetterSplitter.DEAD_LETTERS)),
                config,
                rules);
    }

    /**
     * {@code out} and, when an output marks quasi-identifiers, the risk records measured on the
     * published records {@code gated}. The marks are the start rules': a published rules version
     * changes what is published, not what is measured (docs/rules.md).
     */
    private static DataStream<OutRecord> withRisk(
            DataStream<OutRecord> gated,
            DataStream<OutRecord> out,
            JobConfig config,
            RulesText rules) {
        boolean measured =
                rules.parse().outputs().values().stream()
                        .anyMatch(o -> !o.quasiIdentifiers().isEmpty());
        return measured ? out.union(risk(gated, config, rules)) : out;
    }

    /**
     * The re-identification risk of the published records, per output and window ({@link
     * RiskWindows}): their quasi-identifier digests counted per group, then the groups per window.
     */
    private static DataStream<OutRecord> risk(
            DataStream<OutRecord> published, JobConfig config, RulesText rules) {
        return published
                .process(new RiskObservations(rules, config.riskWindow))
                .uid(Uids.RISK_OBSERVATIONS)
                .name("risk observations")
                .keyBy(new RiskGroupKey())
                .process(new RiskGroups(config.riskWindow))
                .uid(Uids.RISK_GROUPS)
                .name("risk groups")
                .keyBy(new RiskWindowKey())
                .process(
                        new RiskWindows(
                                rules,
                                config.riskTopic,
                                config.riskWindow,
                                config.riskK,
                                config.riskMaxUniqueShare))
                .uid(Uids.RISK_WINDOWS)
                .name("risk per window");
    }

    /** Key of a risk observation: its output, window and quasi-identifier digest. */
    static final class RiskGroupKey implements KeySelector<RiskObservation, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RiskObservation o) {
            return o.groupKey();
        }
    }

    /** Key of a group size: its output and window. */
    static final class RiskWindowKey implements KeySelector<RiskObservation, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(RiskObservation o) {
            return o.windowKey();
        }
    }

    /** Event time of a log event; dead letters have none, so they never move a watermark. */
    public static final class LogTime implements CatchUpAwareKafkaSource.EventTime<LogEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public long of(LogEvent e) {
            return e.deadLetter == null ? e.eventTime : Long.MIN_VALUE;
        }
    }

    /** Event time of a consent change: its effective time; dead letters have none. */
    public static final class ConsentTime
            implements CatchUpAwareKafkaSource.EventTime<ConsentEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public long of(ConsentEvent e) {
            if (e.rules != null) {
                // a rules version: its publication, which its effective time is at least the lead
                // after
                return e.rules.publishedAt;
            }
            return e.deadLetter == null ? e.change.effectiveTime : Long.MIN_VALUE;
        }
    }

    /** Key of a log event: the subject key. */
    public static final class LogSubject implements KeySelector<LogEvent, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(LogEvent e) {
            return e.subject;
        }
    }

    /**
     * Key of a consent event: the subject key. A rules version has none (the gate reads no keyed
     * state for it) and gets {@value #NO_SUBJECT}, which no subject key (43 characters) can be.
     */
    public static final class ConsentSubject implements KeySelector<ConsentEvent, String> {
        private static final long serialVersionUID = 1L;

        /** The key of a rules version on the consent input. */
        public static final String NO_SUBJECT = "-";

        @Override
        public String getKey(ConsentEvent e) {
            return e.subject != null ? e.subject : NO_SUBJECT;
        }
    }

    private static <T> KafkaSourceBuilder<T> common(
            KafkaSourceBuilder<T> b, JobConfig config, boolean bounded) {
        b.setBootstrapServers(config.bootstrapServers)
                .setGroupId(config.groupId)
                .setStartingOffsets(KafkaConnections.startingOffsets(config.startingOffsets))
                .setProperty("isolation.level", "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true");
        config.kafkaProperties.forEach(b::setProperty);
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b;
    }

    /**
     * The Kafka source of the raw log topics whose stream feeds at least one output (the three,
     * with the shipped rules).
     *
     * @param bounded stop at the end offsets seen at start (demo, backfills); otherwise run forever
     */
    public static CatchUpAwareKafkaSource<LogEvent> logSource(
            JobConfig config, RulesText rules, boolean bounded) {
        // Only streams that feed an output: a record of any other stream would yield nothing, so
        // its partition's read
        // position would never be seen to reach the end, and the partition would hold the log
        // watermark forever.
        Set<String> used = new HashSet<>();
        rules.parse().outputs().values().forEach(o -> used.add(o.stream()));
        Map<String, String> streamByTopic = new HashMap<>();
        config.inputTopics.forEach(
                (stream, topic) -> {
                    if (used.contains(stream)) {
                        streamByTopic.put(topic, stream);
                    }
                });
        List<String> topics = new ArrayList<>(streamByTopic.keySet());
        topics.sort(null);
        KafkaSource<LogEvent> kafka =
                common(KafkaSource.<LogEvent>builder(), config, bounded)
                        .setTopics(topics)
                        .setDeserializer(
                                new LogEventDeserializer(
                                        rules,
                                        config.pseudonymisationKey,
                                        streamByTopic,
                                        config.maxFutureSkew.toMillis(),
                                        config.keyEpochs,
                                        config.controlRulesTopic == null
                                                ? null
                                                : new RulesFollower.ControlTopic(
                                                        config.controlRulesTopic,
                                                        consumerProperties(config),
                                                        config.rulesLead.toMillis())))
                        .build();
        return new CatchUpAwareKafkaSource<>(
                kafka,
                consumerProperties(config),
                new LogTime(),
                CatchUpAwareKafkaSource.Mode.LOGS,
                config.maxOutOfOrderness,
                config.sourceIdleness);
    }

    /**
     * The Kafka source of the consent topic. Once a partition is read to its end, its watermark is
     * the wall clock less {@code consent.max_delivery_delay}.
     */
    public static CatchUpAwareKafkaSource<ConsentEvent> consentSource(
            JobConfig config, RulesText rules, boolean bounded) {
        KafkaSource<ConsentEvent> kafka =
                common(KafkaSource.<ConsentEvent>builder(), config, bounded)
                        .setTopics(config.consentTopic)
                        .setDeserializer(
                                new ConsentEventDeserializer(
                                        rules,
                                        config.pseudonymisationKey,
                                        config.maxFutureSkew.toMillis()))
                        .build();
        return new CatchUpAwareKafkaSource<>(
                kafka,
                consumerProperties(config),
                new ConsentTime(),
                CatchUpAwareKafkaSource.Mode.CONSENT,
                config.maxDeliveryDelay,
                config.maxDeliveryDelay);
    }

    /**
     * The Kafka source of the rules control topic ({@code topics.control_rules}), or null when none
     * is set. Always read from its first offset when the job starts without a checkpoint, so that
     * every version published so far is known. Once caught up its watermark is the wall clock: a
     * version published now takes effect at least {@code time.rules_lead} later.
     */
    public static CatchUpAwareKafkaSource<ConsentEvent> controlSource(
            JobConfig config, RulesText rules, boolean bounded) {
        if (config.controlRulesTopic == null) {
            return null;
        }
        KafkaSource<ConsentEvent> kafka =
                common(KafkaSource.<ConsentEvent>builder(), config, bounded)
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setTopics(config.controlRulesTopic)
                        .setDeserializer(
                                new ControlRulesDeserializer(rules, config.rulesLead.toMillis()))
                        .build();
        return new CatchUpAwareKafkaSource<>(
                kafka,
                consumerProperties(config),
                new ConsentTime(),
                CatchUpAwareKafkaSource.Mode.CONSENT,
                Duration.ZERO,
                Duration.ZERO);
    }

    /**
     * What the sources' end-offset watchers connect with: the job's brokers, group and client
     * properties.
     */
    private static Properties consumerProperties(JobConfig config) {
        Properties p = new Properties();
        config.kafkaProperties.forEach(p::setProperty);
        p.setProperty("bootstrap.servers", config.bootstrapServers);
        p.setProperty("group.id", config.groupId);
        return p;
    }

    /**
     * The Kafka sink of all outputs and the dead-letter topic. Exactly-once by default: Kafka
     * transactions committed on checkpoints, with the transaction timeout from config (must stay
     * below the broker's transaction.max.timeout.ms, 15 minutes by default).
     */
    public static KafkaSink<OutRecord> sink(JobConfig config) {
        return KafkaConnections.sink(
                config.bootstrapServers,
                config.kafkaProperties,
                config.guarantee,
                config.transactionalIdPrefix,
                config.transactionTimeout);
    }

    /**
     * Flink settings of the job ({@link FlinkSettings#forJob}): Veil's defaults where the cluster
     * sets nothing, then the flink: section of the job config.
     *
     * @throws dev.veil.config.ConfigException when no checkpoint directory is set, in the job
     *     config or on the cluster
     */
    public static Configuration flinkConfiguration(JobConfig config) {
        return FlinkSettings.forJob(
                config.flink, FlinkSettings.cluster(), config.sourceFile, config.flinkLine);
    }
}
