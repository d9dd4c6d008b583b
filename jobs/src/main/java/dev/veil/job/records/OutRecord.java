package dev.veil.job.records;

/** One record for the Kafka sink: topic, key (may be null) and value. A Flink POJO. */
public class OutRecord {
    public String topic;
    public byte[] key;
    public byte[] value;

    public OutRecord() {}

    public OutRecord(String topic, byte[] key, byte[] value) {
        this.topic = topic;
        this.key = key;
        this.value = value;
    }
}
