package dev.veil.job.operators;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentDecision;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.consent.Purpose;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consent gate against an oracle, in the arrival patterns production has: consent read ahead of
 * the logs (a backfill), logs ahead of consent (a consent backlog), both interleaved, and a quiet
 * consent topic whose watermark moves with the clock. Each pattern in 25 shuffled arrival orders,
 * at parallelism 1 and 4 (one harness per subtask, records routed by key group as Flink routes
 * them), without a restore, with a snapshot and restore halfway, and with one rescaled halfway (1
 * to 3, 4 to 2). Every run must publish exactly what the oracle (each event decided by the
 * subject's changes up to its own time) publishes, with no dead letter, and leave no state behind
 * an erasure. The first order of each runs on RocksDB, the rest on the heap.
 */
class ConsentGateScenarioTest extends VeilTestBase {
    private static final int MAX_PARALLELISM = 128;
    private static final long START = T0900.toEpochMilli();
    private static final long MINUTE = 60_000;

    /** The scenarios' time span: three hours of minutes. */
    private static final long END = START + 180 * MINUTE;

    enum Pattern {
        /**
         * All consent first, its watermark far ahead; then the logs. Events are decided on arrival.
         */
        CONSENT_AHEAD,
        /** All logs first with their watermark moving; consent last. Events wait for consent. */
        LOGS_AHEAD,
        /**
         * Consent and logs shuffled together, each watermark as far as the records still to come
         * allow.
         */
        INTERLEAVED,
        /**
         * Consent first; then logs, while the consent watermark steps forward with the clock and no
         * consent comes.
         */
        QUIET_CONSENT
    }

    /** Pattern, parallelism, and the parallelism restored to halfway (0: no restore). */
    static Stream<Arguments> runs() {
        List<Arguments> out = new ArrayList<>();
        for (Pattern p : Pattern.values()) {
            for (int parallelism : new int[] {1, 4}) {
                for (int restoreTo : new int[] {0, parallelism, parallelism == 1 ? 3 : 2}) {
                    out.add(Arguments.of(p, parallelism, restoreTo));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(
            name = "{0}, parallelism {1}, restored halfway at parallelism {2} (0: not restored)")
    @MethodSource("runs")
    void everyArrivalOrder_publishesWhatTheOracleDecides(
            Pattern pattern, int parallelism, int restoreTo) throws Exception {
        Population population = Population.generate(new Random(7), 16, 24, 160);
        Set<String> expected = population.oracle(shippedRules().parse());
        assertThat(expected).as("the population must exercise both outcomes").isNotEmpty();
        assertThat(expected.size()).isLessThan(population.events.size());

        Random random = new Random(42);
        for (int order = 0; order < 25; order++) {
            // RocksDB for the first order (the production backend, serialised state); the heap for
            // the rest, for speed.
            Gates gates = new Gates(parallelism, order == 0);
            try {
                List<Step> steps =
                        pattern.equals(Pattern.QUIET_CONSENT)
                                        || pattern.equals(Pattern.CONSENT_AHEAD)
                                ? population.consentFirst(random, pattern)
                                : pattern.equals(Pattern.LOGS_AHEAD)
                                        ? population.logsFirst(random)
                                        : population.interleaved(random);
                for (int i = 0; i < steps.size(); i++) {
                    if (restoreTo > 0 && i == steps.size() / 2) {
                        gates.restore(restoreTo);
                    }
                    gates.apply(steps.get(i));
                }
                gates.watermarks(END, END);
                assertThat(gates.deadLetters).as("%s order %d", pattern, order).isEmpty();
                assertThat(gates.published).as("%s order %d", pattern, order).isEqualTo(expected);
                assertThat(gates.stateEntries("waiting-events"))
                        .as("nothing left waiting")
                        .isZero();
                assertThat(gates.stateEntries("gate"))
                        .as("erased subjects leave no entry")
                        .isEqualTo(population.subjectsWithConsentAtEnd());
            } finally {
                gates.close();
            }
        }
    }

    /** One thing that reaches the gate: a record, or the watermarks of both inputs. */
    record Step(LogEvent event, ConsentEvent consent, long logWatermark, long consentWatermark) {
        static Step of(LogEvent e) {
            return new Step(e, null, Long.MIN_VALUE, Long.MIN_VALUE);
        }

        static Step of(ConsentEvent c) {
            return new Step(null, c, Long.MIN_VALUE, Long.MIN_VALUE);
        }

        static Step watermarks(long log, long consent) {
            return new Step(null, null, log, consent);
        }
    }

    /** Subjects with random consent histories and events; names say which event is which. */
    static final class Population {
        final List<ConsentEvent> changes = new ArrayList<>();
        final List<LogEvent> events = new ArrayList<>();

        static Population generate(Random r, int subjects, int changes, int events) {
            Population p = new Population();
            int[] masks = {
                Purpose.ANALYTICS.mask(),
                Purpose.ANALYTICS.mask() | Purpose.PRODUCT_IMPROVEMENT.mask(),
                Purpose.ANALYTICS.mask() | Purpose.LOCATION.mask(),
                Purpose.ANALYTICS.mask()
                        | Purpose.PRODUCT_IMPROVEMENT.mask()
                        | Purpose.LOCATION.mask()
            };
            for (int i = 0; i < changes; i++) {
                String s = subject(r.nextInt(subjects));
                long at = START + r.nextInt(170) * MINUTE;
                ConsentChange c =
                        switch (r.nextInt(10)) {
                            case 0, 1, 2, 3 ->
                                    ConsentChange.grant(
                                            at, masks[r.nextInt(masks.length)], r.nextBoolean());
                            case 4, 5 -> ConsentChange.revoke(at, masks[r.nextInt(masks.length)]);
                            case 6 -> ConsentChange.erase(at);
                            case 7 -> ConsentChange.ageStatus(at, r.nextBoolean());
                            default -> ConsentChange.grant(at, masks[3], false);
                        };
                p.changes.add(new ConsentEvent(s, c));
            }
            // Every subject starts with a grant, so that most events have something to be decided
            // against.
            for (int i = 0; i < subjects; i++) {
                p.changes.add(
                        new ConsentEvent(subject(i), ConsentChange.grant(START, masks[3], false)));
            }
            String[] outputs = {"device", "location", "service"};
            for (int i = 0; i < events; i++) {
                String s = subject(r.nextInt(subjects));
                long at = START + 1 + r.nextInt(175) * MINUTE + r.nextInt(3) * 1000L;
                p.events.add(
                        ConsentGateTest.event(
                                outputs[r.nextInt(3)], s, Instant.ofEpochMilli(at), "e" + i));
            }
            return p;
        }

        static String subject(int i) {
            return String.format("%043d", i);
        }

        /** Names of the events that the consent in force at their own time lets through. */
        Set<String> oracle(RuleSet rules) {
            Set<String> out = new TreeSet<>();
            for (LogEvent e : events) {
                OutputRules o = rules.output(e.output);
                ConsentDecision d =
                        ConsentRules.decide(
                                stateAt(e.subject, e.eventTime),
                                o.requiredPurposes(),
                                o.publishMinors());
                if (d.allowed()) {
                    out.add(name(e));
                }
            }
            return out;
        }

        private ConsentState stateAt(String subject, long t) {
            List<ConsentChange> cs = new ArrayList<>();
            for (ConsentEvent c : changes) {
                if (c.subject.equals(subject) && c.change.effectiveTime <= t) {
                    cs.add(c.change);
                }
            }
            cs.sort(ConsentRules.SAME_TIME_ORDER);
            ConsentState s = null;
            for (ConsentChange c : cs) {
                s = ConsentRules.apply(s, c);
            }
            return s;
        }

        long subjectsWithConsentAtEnd() {
            return changes.stream()
                    .map(c -> c.subject)
                    .distinct()
                    .filter(s -> stateAt(s, END) != null)
                    .count();
        }

        List<Step> consentFirst(Random r, Pattern pattern) {
            List<Step> steps = new ArrayList<>();
            List<ConsentEvent> cs = shuffled(changes, r);
            cs.forEach(c -> steps.add(Step.of(c)));
            List<LogEvent> es = shuffled(events, r);
            if (pattern == Pattern.CONSENT_AHEAD) {
                steps.add(Step.watermarks(Long.MIN_VALUE, END));
                for (LogEvent e : es) {
                    steps.add(Step.of(e));
                }
                return steps;
            }
            long clock = START;
            for (int i = 0; i < es.size(); i++) {
                steps.add(Step.of(es.get(i)));
                if (i % 10 == 9) {
                    clock += 15 * MINUTE;
                    steps.add(Step.watermarks(Long.MIN_VALUE, clock));
                }
            }
            return steps;
        }

        List<Step> logsFirst(Random r) {
            List<Step> steps = new ArrayList<>();
            List<LogEvent> es = shuffled(events, r);
            for (int i = 0; i < es.size(); i++) {
                steps.add(Step.of(es.get(i)));
                steps.add(
                        Step.watermarks(minTime(es.subList(i + 1, es.size())) - 1, Long.MIN_VALUE));
            }
            shuffled(changes, r).forEach(c -> steps.add(Step.of(c)));
            steps.add(Step.watermarks(END, END));
            return steps;
        }

        List<Step> interleaved(Random r) {
            List<Object> all = new ArrayList<>(events);
            all.addAll(changes);
            Collections.shuffle(all, r);
            List<Step> steps = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                Object o = all.get(i);
                steps.add(o instanceof LogEvent e ? Step.of(e) : Step.of((ConsentEvent) o));
                List<Object> rest = all.subList(i + 1, all.size());
                long nextEvent =
                        rest.stream()
                                .filter(x -> x instanceof LogEvent)
                                .mapToLong(x -> ((LogEvent) x).eventTime)
                                .min()
                                .orElse(END + 1);
                long nextChange =
                        rest.stream()
                                .filter(x -> x instanceof ConsentEvent)
                                .mapToLong(x -> ((ConsentEvent) x).change.effectiveTime)
                                .min()
                                .orElse(END + 1);
                steps.add(Step.watermarks(nextEvent - 1, nextChange - 1));
            }
            return steps;
        }

        private static long minTime(List<LogEvent> es) {
            return es.stream().mapToLong(e -> e.eventTime).min().orElse(END + 1);
        }

        private static <T> List<T> shuffled(List<T> in, Random r) {
            List<T> out = new ArrayList<>(in);
            Collections.shuffle(out, r);
            return out;
        }
    }

    static String name(LogEvent e) {
        try {
            return Json.MAPPER.readTree(e.payload).get("name").asText();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * The gate at some parallelism: one harness per subtask, records routed by key group,
     * watermarks to all.
     */
    static final class Gates {
        int parallelism;
        final List<
                        KeyedTwoInputStreamOperatorTestHarness<
                                String, LogEvent, ConsentEvent, OutRecord>>
                harnesses = new ArrayList<>();
        final Set<String> published = new TreeSet<>();
        final List<String> deadLetters = new ArrayList<>();
        long logWatermark = Long.MIN_VALUE;
        long consentWatermark = Long.MIN_VALUE;

        final boolean rocksDb;

        Gates(int parallelism, boolean rocksDb) throws Exception {
            this.parallelism = parallelism;
            this.rocksDb = rocksDb;
            for (int i = 0; i < parallelism; i++) {
                harnesses.add(open(i, null));
            }
        }

        private KeyedTwoInputStreamOperatorTestHarness<String, LogEvent, ConsentEvent, OutRecord>
                open(int subtask, OperatorSubtaskState state) throws Exception {
            var h =
                    new KeyedTwoInputStreamOperatorTestHarness<>(
                            new ConsentGate(shippedRules(), gateSettings(10_000)),
                            new AnonymisationTopology.LogSubject(),
                            new AnonymisationTopology.ConsentSubject(),
                            Types.STRING,
                            MAX_PARALLELISM,
                            parallelism,
                            subtask);
            if (rocksDb) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            if (state != null) {
                h.initializeState(state);
            }
            h.open();
            return h;
        }

        private KeyedTwoInputStreamOperatorTestHarness<String, LogEvent, ConsentEvent, OutRecord>
                owner(String subject) {
            return harnesses.get(
                    KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            subject, MAX_PARALLELISM, parallelism));
        }

        void apply(Step s) throws Exception {
            if (s.event() != null) {
                owner(s.event().subject).processElement1(s.event(), s.event().eventTime);
            } else if (s.consent() != null) {
                owner(s.consent().subject)
                        .processElement2(s.consent(), s.consent().change.effectiveTime);
            } else {
                watermarks(s.logWatermark(), s.consentWatermark());
            }
            collect();
        }

        void watermarks(long log, long consent) throws Exception {
            for (var h : harnesses) {
                if (log > logWatermark) {
                    h.processWatermark1(new Watermark(log));
                }
                if (consent > consentWatermark) {
                    h.processWatermark2(new Watermark(consent));
                }
            }
            logWatermark = Math.max(logWatermark, log);
            consentWatermark = Math.max(consentWatermark, consent);
            collect();
        }

        private void collect() throws Exception {
            for (var h : harnesses) {
                for (OutRecord r : h.extractOutputValues()) {
                    String n =
                            Json.MAPPER.readTree(r.value).has("name")
                                    ? Json.MAPPER.readTree(r.value).get("name").asText()
                                    : null;
                    if (r.topic.equals(DLQ)) {
                        deadLetters.add(new String(r.value, StandardCharsets.UTF_8));
                    } else {
                        assertThat(published.add(n)).as("published once: %s", n).isTrue();
                    }
                }
                h.getOutput().clear();
            }
        }

        /**
         * Snapshot of every subtask, then new harnesses at {@code newParallelism} restored from it
         * (key groups and the union operator state redistributed as Flink does when rescaling); the
         * watermarks are not carried over.
         */
        void restore(int newParallelism) throws Exception {
            List<OperatorSubtaskState> states = new ArrayList<>();
            for (var h : harnesses) {
                states.add(h.snapshot(1L, 1L));
            }
            OperatorSubtaskState all =
                    AbstractStreamOperatorTestHarness.repackageState(
                            states.toArray(new OperatorSubtaskState[0]));
            close();
            harnesses.clear();
            int oldParallelism = parallelism;
            parallelism = newParallelism;
            for (int i = 0; i < newParallelism; i++) {
                harnesses.add(
                        open(
                                i,
                                AbstractStreamOperatorTestHarness.repartitionOperatorState(
                                        all, MAX_PARALLELISM, oldParallelism, newParallelism, i)));
            }
            // Flink does not checkpoint watermarks: after a restore both inputs start again from
            // nothing.
            logWatermark = Long.MIN_VALUE;
            consentWatermark = Long.MIN_VALUE;
        }

        long stateEntries(String state) throws Exception {
            long n = 0;
            for (var h : harnesses) {
                try (Stream<Object> keys =
                        h.getOperator()
                                .getKeyedStateBackend()
                                .getKeys(state, VoidNamespace.INSTANCE)) {
                    n += keys.count();
                }
            }
            return n;
        }

        void close() throws Exception {
            for (var h : harnesses) {
                h.close();
            }
        }
    }
}
