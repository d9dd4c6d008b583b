package dev.veil.tools.sample;

import java.util.Objects;

/**
 * One Kafka record of the sample input, ready to be sent.
 *
 * @param topic the topic to send to (one of the names given in {@link Topics})
 * @param key the record key: the data subject's user id, sent as UTF-8 bytes
 * @param value the record value: JSON text of one event, or deliberately malformed text
 * @param timestampMillis the Kafka record timestamp, milliseconds since the Unix epoch; for a
 *     well-formed log record this is its event time, or up to 20 s after it for a record that
 *     arrives late; for a consent record it is the effective time, or up to 20 s after it
 */
public record SampleRecord(String topic, String key, String value, long timestampMillis) {

    /** Checks that no component is null. */
    public SampleRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
