package dev.veil.job.serialisation;

import dev.veil.job.records.OutRecord;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an {@link OutRecord} to its topic. The Kafka timestamp is left to the producer (the time
 * of writing): the event time would be a precise timestamp of a person's activity, which the field
 * rules may have truncated.
 */
public final class OutRecordSerializer implements KafkaRecordSerializationSchema<OutRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            OutRecord element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(element.topic, null, null, element.key, element.value);
    }
}
