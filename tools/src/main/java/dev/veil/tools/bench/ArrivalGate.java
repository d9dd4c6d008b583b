package dev.veil.tools.bench;

import dev.veil.config.JobConfig;
import dev.veil.config.KeyReference;
import dev.veil.consent.ConsentDecision;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.job.RulesText;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.job.operators.ConsentGate;
import dev.veil.job.operators.DeadLetterSplitter;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The {@code arrival-gate} peer: consent looked up on arrival against the latest state, as
 * per-event consent filters do. Same sources as the anonymisation job (parsing, validation and
 * anonymisation at the source, dead letters split off the same way), same keying by subject, the
 * same {@link ConsentRules}; but each log event is decided at once against whatever consent changes
 * have arrived so far, with no watermark, no timers and nothing buffered.
 *
 * <p>It is the cheapest correct-looking design, and the one Veil's event-time gate is measured
 * against: its decisions depend on arrival order, so an event that arrives before the consent
 * change that governed it (or after a later one) is decided with the wrong consent, and the result
 * changes with partitioning, lag and replays. It never raises a {@code late_event} dead letter,
 * because it has no notion of late.
 *
 * <p>State: one {@link ConsentState} per subject (ValueState, a Flink POJO, no Kryo); an erasure
 * removes it. Outputs go to "arrival.&lt;output topic&gt;" and dead letters to
 * "arrival.&lt;dead-letter topic&gt;", so they never mix with the anonymisation job's.
 */
final class ArrivalGate extends KeyedCoProcessFunction<String, LogEvent, ConsentEvent, OutRecord> {
    private static final long serialVersionUID = 1L;

    /**
     * Consumer group and transactional id prefix of this peer (its own, so that it reads the topics
     * from the start).
     */
    static final String GROUP = "veil-arrival";

    /** Output and dead-letter topics are this prefix plus the anonymisation job's topic. */
    static final String PREFIX = "arrival.";

    /**
     * The peer's subject secret: one for everyone, so that it pays for the same HMACs per pseudonym
     * as the gate, without the gate's secret per subject and generation.
     */
    private static final byte[] SHARED_SECRET = new byte[16];

    private final RulesText rulesText;
    private final KeyReference key;
    private final KeyEpochs epochs;
    private transient RuleSet rules;
    private transient ValueState<ConsentState> consent;
    private transient PseudonymKeys keys;

    ArrivalGate(RulesText rulesText, KeyReference key, KeyEpochs epochs) {
        this.rulesText = rulesText;
        this.key = key;
        this.epochs = epochs;
    }

    /**
     * Adds the peer's topology to a new environment: the anonymisation job's sources and sink (the
     * config names this peer's group and transactional id prefix), this gate in place of the
     * event-time gate.
     */
    static StreamExecutionEnvironment topology(
            JobConfig c, RulesText rules, int parallelism, boolean bounded) {
        StreamExecutionEnvironment env =
                BenchJob.env(AnonymisationTopology.flinkConfiguration(c), parallelism);
        String deadLetters = PREFIX + c.deadLetterTopic;
        // No timestamps or watermarks wanted: nothing here waits for event time.
        SingleOutputStreamOperator<LogEvent> logs =
                env.fromSource(
                                AnonymisationTopology.logSource(c, rules, bounded),
                                WatermarkStrategy.noWatermarks(),
                                "raw logs")
                        .uid("bench-arrival-log-source")
                        .process(new DeadLetterSplitter.ForLogs(rules, deadLetters))
                        .uid("bench-arrival-log-dead-letters")
                        .name("log dead letters");
        SingleOutputStreamOperator<ConsentEvent> consents =
                env.fromSource(
                                AnonymisationTopology.consentSource(c, rules, bounded),
                                WatermarkStrategy.noWatermarks(),
                                "consent")
                        .uid("bench-arrival-consent-source")
                        .process(new DeadLetterSplitter.ForConsent(rules, deadLetters))
                        .uid("bench-arrival-consent-dead-letters")
                        .name("consent dead letters");
        logs.connect(consents)
                .keyBy(
                        new AnonymisationTopology.LogSubject(),
                        new AnonymisationTopology.ConsentSubject())
                .process(new ArrivalGate(rules, c.pseudonymisationKey, c.keyEpochs))
                .uid("bench-arrival-gate")
                .name("arrival gate")
                .union(
                        logs.getSideOutput(DeadLetterSplitter.DEAD_LETTERS),
                        consents.getSideOutput(DeadLetterSplitter.DEAD_LETTERS))
                .sinkTo(AnonymisationTopology.sink(c))
                .uid("bench-arrival-sink")
                .name("kafka sink");
        return env;
    }

    @Override
    public void open(OpenContext openContext) {
        rules = rulesText.parse();
        keys = new PseudonymKeys(key.resolve());
        consent =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "consent", TypeInformation.of(ConsentState.class)));
    }

    @Override
    public void processElement1(LogEvent e, Context ctx, Collector<OutRecord> out)
            throws Exception {
        OutputRules output = rules.output(e.output);
        ConsentDecision d =
                ConsentRules.decide(
                        consent.value(), output.requiredPurposes(), output.publishMinors());
        if (!d.allowed()) {
            return;
        }
        ConsentState s = consent.value();
        out.collect(
                ConsentGate.publication(
                        output,
                        d,
                        e,
                        PREFIX + output.topic(),
                        keys,
                        SHARED_SECRET,
                        epochs.of(e.eventTime),
                        s.policyVersion));
    }

    @Override
    public void processElement2(ConsentEvent e, Context ctx, Collector<OutRecord> out)
            throws Exception {
        ConsentState next = ConsentRules.apply(consent.value(), e.change);
        if (next == null) {
            consent.clear();
        } else {
            consent.update(next);
        }
    }
}
