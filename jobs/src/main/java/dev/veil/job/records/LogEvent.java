package dev.veil.job.records;

import dev.veil.record.DeadLetterReason;
import dev.veil.rules.OutputRules;

/**
 * One anonymised record on its way to one output, waiting for its subject's consent decision; or,
 * when {@link #deadLetter} is set, a dead letter from the source. A Flink POJO (no Kryo); held in
 * RocksDB while it waits for the watermark. It holds no raw identifier: {@link #payload} is already
 * anonymised (but for its placeholders, keyed HMACs never published) and {@link #subject} is a
 * keyed pseudonym.
 */
public class LogEvent implements FromKafka {
    /** Output name (config/rules.yaml). */
    public String output;

    /** Subject key: HMAC-SHA256 pseudonym of the user id, 43 base64url chars. Flink key. */
    public String subject;

    /** Event time, epoch milliseconds UTC. */
    public long eventTime;

    /** Kafka key of the output record (value of the output's key field), or null. */
    public String outputKey;

    /**
     * Anonymised record, JSON UTF-8; its subject- and record-scoped pseudonyms are still
     * placeholders (internal identifiers) at {@link #slots}, which the consent gate overwrites.
     */
    public byte[] payload;

    /** Placeholder positions in {@link #payload} ({@code dev.veil.record.Slots}), or null. */
    public int[] slots;

    /** Index in {@link #slots} of the placeholder that is {@link #outputKey}, or -1. */
    public int keySlot = -1;

    /** Where the raw record came from, for dead letters raised later. */
    public String sourceTopic;

    public int sourcePartition;
    public long sourceOffset;
    public long sourceTimestamp;

    /**
     * The rules version that anonymised {@link #payload} at the source; null in events that waited
     * in a savepoint of a Veil without hot reload.
     */
    public String rulesVersion;

    /** Set when this is a dead letter instead of an event. */
    public DeadLetter deadLetter;

    public LogEvent() {}

    /**
     * The event the record processor's {@code anonymised} callback describes, as the source emits
     * it (and the tools that run the job's code path outside Flink: preview, utility).
     *
     * @param output the output whose rules made it; its name and rules version are kept
     * @param sourceTopic where the raw record came from (with partition, offset, timestamp)
     */
    public static LogEvent anonymised(
            OutputRules output,
            String subjectKey,
            long eventTime,
            byte[] anonymised,
            String outputKey,
            int[] slots,
            int keySlot,
            String sourceTopic,
            int sourcePartition,
            long sourceOffset,
            long sourceTimestamp) {
        LogEvent e = new LogEvent();
        e.output = output.name();
        e.rulesVersion = output.rulesVersion();
        e.subject = subjectKey;
        e.eventTime = eventTime;
        e.outputKey = outputKey;
        e.payload = anonymised;
        e.slots = slots;
        e.keySlot = keySlot;
        e.sourceTopic = sourceTopic;
        e.sourcePartition = sourcePartition;
        e.sourceOffset = sourceOffset;
        e.sourceTimestamp = sourceTimestamp;
        return e;
    }

    @Override
    public long kafkaOffset() {
        return deadLetter != null ? deadLetter.sourceOffset : sourceOffset;
    }

    /** The source position of this event, for a dead letter about it. */
    public DeadLetter deadLetter(DeadLetterReason reason, String detail) {
        return new DeadLetter(
                reason, detail, sourceTopic, sourcePartition, sourceOffset, sourceTimestamp);
    }
}
