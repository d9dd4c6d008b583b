package dev.veil.tools.rules;

import dev.veil.consent.ConsentDecision;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.consent.Purpose;
import dev.veil.job.operators.ConsentGate;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.job.serialisation.ConsentHistorySerializer;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one rule set on raw records along the job's own path, without Flink, Kafka or a real key:
 * {@link LogRecordProcessor} (schema, subject key, each output's field rules, placeholders), then
 * {@link ConsentRules#decide} and {@link ConsentGate#publication} (pseudonyms written over the
 * placeholders, the minors policy, the policy version). Nothing about the rules is re-implemented
 * here.
 *
 * <p>Consent is not looked up: every subject counts as having granted every purpose, a minor with a
 * guardian's consent; so an output's minors policy is what decides about a minor's record.
 *
 * <p>Keys are a {@link ThrowawayKeys}: a random master key and random per-subject secrets made for
 * one run, never printed. Two engines given the same {@code ThrowawayKeys} (the diff's old and new
 * rules) give the same pseudonym for the same identifier. Not thread-safe.
 */
final class PreviewEngine {
    /** The policy version the outputs carry: there is no consent record behind a preview. */
    static final String POLICY_VERSION = null;

    /** The key epochs of the shipped defaults (key_epochs in config/veil.yaml). */
    private static final KeyEpochs EPOCHS =
            new KeyEpochs(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(30));

    private static final int ALL_PURPOSES = Purpose.maskOf(EnumSet.allOf(Purpose.class));

    /**
     * A throwaway master key and per-subject secrets for one run. The master key is 32 random bytes
     * from {@link SecureRandom}, wiped once the engines hold their derived copies; secrets are made
     * on first use per subject key. Never printed ({@link #toString()} says so).
     */
    static final class ThrowawayKeys {
        private final SecureRandom random = new SecureRandom();
        private final byte[] master = new byte[32];
        private final Map<String, byte[]> secrets = new HashMap<>();

        ThrowawayKeys() {
            random.nextBytes(master);
        }

        byte[] secretOf(String subjectKey) {
            return secrets.computeIfAbsent(
                    subjectKey,
                    k -> {
                        byte[] s = new byte[ConsentHistorySerializer.SECRET_BYTES];
                        random.nextBytes(s);
                        return s;
                    });
        }

        @Override
        public String toString() {
            return "ThrowawayKeys[never shown]";
        }
    }

    /**
     * One raw record to preview.
     *
     * @param stream "device", "location" or "service"
     * @param label how the output names it, e.g. "device #2"
     * @param raw the raw record as a JSON object
     * @param minor whether its subject is a minor (with a guardian's consent)
     */
    record Input(String stream, String label, ObjectNode raw, boolean minor) {}

    /**
     * What one output made of one input.
     *
     * @param output the output
     * @param decision ALLOW, ALLOW_MINOR or MINOR_EXCLUDED
     * @param published the published record, or null when the decision keeps it back
     * @param key the Kafka key of the published record, or null
     */
    record Outcome(
            OutputRules output, ConsentDecision decision, ObjectNode published, String key) {}

    /**
     * Everything one input gave.
     *
     * @param input the input
     * @param outcomes one per output of its stream, in file order (none when it was dead-lettered
     *     before the rules ran)
     * @param deadLetters reason and detail of each dead letter (details never hold a value)
     */
    record Result(Input input, List<Outcome> outcomes, List<String> deadLetters) {}

    private final RuleSet rules;
    private final ThrowawayKeys keys;
    private final PseudonymKeys pseudonymKeys;
    private final LogRecordProcessor processor;
    private long offset;

    PreviewEngine(RuleSet rules, ThrowawayKeys keys) {
        this.rules = rules;
        this.keys = keys;
        this.pseudonymKeys = new PseudonymKeys(keys.master);
        this.processor =
                new LogRecordProcessor(
                        rules, new Pseudonymiser(keys.master), pseudonymKeys, EPOCHS);
    }

    /** Wipes the throwaway master key (the engines built from it keep their own copies). */
    static void wipe(ThrowawayKeys keys) {
        Arrays.fill(keys.master, (byte) 0);
    }

    RuleSet rules() {
        return rules;
    }

    /** Runs the rules on one record. */
    Result run(Input in) {
        List<Outcome> outcomes = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        long sourceOffset = offset++;
        byte[] value;
        try {
            value = Json.MAPPER.writeValueAsBytes(in.raw());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        processor.process(
                in.stream(),
                value,
                Long.MAX_VALUE,
                new LogRecordProcessor.Emitter() {
                    @Override
                    public void anonymised(
                            OutputRules output,
                            String subjectKey,
                            long eventTime,
                            byte[] anonymised,
                            String outputKey,
                            int[] slots,
                            int keySlot) {
                        LogEvent e =
                                LogEvent.anonymised(
                                        output,
                                        subjectKey,
                                        eventTime,
                                        anonymised,
                                        outputKey,
                                        slots,
                                        keySlot,
                                        "preview." + in.stream(),
                                        0,
                                        sourceOffset,
                                        0);
                        outcomes.add(publish(output, e, in.minor()));
                    }

                    @Override
                    public void deadLetter(DeadLetterReason reason, String detail) {
                        deadLetters.add(reason.label() + ": " + detail);
                    }
                });
        return new Result(in, outcomes, deadLetters);
    }

    private Outcome publish(OutputRules output, LogEvent e, boolean minor) {
        ConsentState granted = new ConsentState(ALL_PURPOSES, minor ? ALL_PURPOSES : 0, minor);
        ConsentDecision d =
                ConsentRules.decide(granted, output.requiredPurposes(), output.publishMinors());
        if (!d.allowed()) {
            return new Outcome(output, d, null, null);
        }
        try {
            OutRecord r =
                    ConsentGate.publication(
                            output,
                            d,
                            e,
                            output.topic(),
                            pseudonymKeys,
                            e.slots == null ? null : keys.secretOf(e.subject),
                            EPOCHS.of(e.eventTime),
                            POLICY_VERSION);
            ObjectNode published = (ObjectNode) Json.MAPPER.readTree(r.value);
            String key = r.key == null ? null : new String(r.key, StandardCharsets.UTF_8);
            return new Outcome(output, d, published, key);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The published value of {@code field}, or null. */
    static JsonNode field(Outcome o, String field) {
        return o.published() == null ? null : o.published().get(field);
    }
}
