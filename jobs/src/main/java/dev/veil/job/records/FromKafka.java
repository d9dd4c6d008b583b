package dev.veil.job.records;

/**
 * A record made from one Kafka record, that knows which: for sources that follow how far a
 * partition was read.
 */
public interface FromKafka {
    /** Offset of the Kafka record this one was made from, in its partition. */
    long kafkaOffset();
}
