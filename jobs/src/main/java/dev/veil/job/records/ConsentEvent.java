package dev.veil.job.records;

import dev.veil.consent.ConsentChange;

/**
 * A consent change for a subject key, or (when {@link #deadLetter} is set) a dead letter, or (when
 * {@link #rules} is set) a published rules version broadcast to every consent gate subtask on the
 * same input, so that the input's watermark covers rules versions as well as consent. A Flink POJO.
 */
public class ConsentEvent implements FromKafka {
    /** Subject key: HMAC-SHA256 pseudonym of the user id, 43 base64url chars. Flink key. */
    public String subject;

    public ConsentChange change;
    public DeadLetter deadLetter;

    /** A published rules version instead of a consent change, or null. */
    public PublishedRules rules;

    /** Offset of the consent record in its partition. */
    public long sourceOffset;

    public ConsentEvent() {}

    public ConsentEvent(String subject, ConsentChange change) {
        this.subject = subject;
        this.change = change;
    }

    @Override
    public long kafkaOffset() {
        return deadLetter != null ? deadLetter.sourceOffset : sourceOffset;
    }
}
