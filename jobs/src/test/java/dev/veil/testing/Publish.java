package dev.veil.testing;

import dev.veil.consent.ConsentDecision;
import dev.veil.job.operators.ConsentGate;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.rules.OutputRules;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the consent gate publishes of a processor's record, without Flink: the placeholders
 * overwritten with pseudonyms under a fixed test secret, the policy version added.
 */
public final class Publish {
    private Publish() {}

    /** A fixed subject secret (16 bytes) for tests. */
    public static final byte[] SECRET = "test-secret-16b!".getBytes();

    /** The policy version the tests' consent carries. */
    public static final String POLICY = "2026-11";

    /** The published record of one processor output, as the gate writes it for an allowed event. */
    public static OutRecord allowed(
            OutputRules rule,
            long eventTime,
            byte[] value,
            String outputKey,
            int[] slots,
            int keySlot,
            ConsentDecision decision) {
        LogEvent e = new LogEvent();
        e.output = rule.name();
        e.eventTime = eventTime;
        e.payload = value;
        e.outputKey = outputKey;
        e.slots = slots;
        e.keySlot = keySlot;
        e.sourceTopic = "veil.raw." + rule.stream();
        e.sourcePartition = 0;
        e.sourceOffset = 42;
        try {
            return ConsentGate.publication(
                    rule,
                    decision,
                    e,
                    rule.topic(),
                    new PseudonymKeys(VeilTestBase.testKey()),
                    SECRET,
                    VeilTestBase.EPOCHS.of(eventTime),
                    POLICY);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
