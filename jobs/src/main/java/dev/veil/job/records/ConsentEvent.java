package dev.veil.job.records;

import dev.veil.consent.ConsentChange;

/**
 * A consent change for a subject key, or (when {@link #deadLetter} is set) a dead letter. A Flink
 * POJO.
 */
public class ConsentEvent implements FromKafka {
    /** Subject key: HMAC-SHA256 pseudonym of the user id, 43 base64url chars. Flink key. */
    public String subject;

    public ConsentChange change;
    public DeadLetter deadLetter;

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
