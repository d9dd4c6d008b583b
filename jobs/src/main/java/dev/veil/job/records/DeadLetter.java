package dev.veil.job.records;

import dev.veil.record.DeadLetterReason;
import dev.veil.record.Json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;

/**
 * A record that could not be processed in full ({@code schemas/output/dead-letter.schema.json}). It
 * names the source record and the reason, and never carries its payload. A Flink POJO.
 */
public class DeadLetter {
    public DeadLetterReason reason;
    public String detail;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    /** Kafka timestamp of the source record, epoch milliseconds. */
    public long sourceTimestamp;

    public DeadLetter() {}

    public DeadLetter(
            DeadLetterReason reason,
            String detail,
            String sourceTopic,
            int sourcePartition,
            long sourceOffset,
            long sourceTimestamp) {
        this.reason = reason;
        this.detail = detail;
        this.sourceTopic = sourceTopic;
        this.sourcePartition = sourcePartition;
        this.sourceOffset = sourceOffset;
        this.sourceTimestamp = sourceTimestamp;
    }

    /**
     * A dead letter about a Kafka record: its topic, partition, offset and timestamp, never its
     * payload.
     */
    public static DeadLetter of(
            DeadLetterReason reason, String detail, ConsumerRecord<?, ?> source) {
        return new DeadLetter(
                reason,
                detail,
                source.topic(),
                source.partition(),
                source.offset(),
                source.timestamp());
    }

    /** The dead-letter topic record, JSON UTF-8. */
    public byte[] toJson(String rulesVersion) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("reason", reason.label());
        o.put("detail", detail);
        o.put("source_topic", sourceTopic);
        o.put("source_partition", sourcePartition);
        o.put("source_offset", sourceOffset);
        o.put("source_timestamp", Instant.ofEpochMilli(sourceTimestamp).toString());
        o.put("rules_version", rulesVersion);
        try {
            return Json.MAPPER.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter", e);
        }
    }
}
