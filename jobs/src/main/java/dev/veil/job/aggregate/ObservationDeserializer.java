package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.CategoryExtractor;
import dev.veil.aggregate.Observation;
import dev.veil.privacy.InvalidValueException;
import dev.veil.record.Json;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads anonymised records (location, device, service topics) into {@link Observation}s, one per
 * release category the record falls in. Records that cannot be read (they should not exist: the
 * anonymisation job writes these topics) are counted in {@code veil.unreadable} and skipped.
 */
public final class ObservationDeserializer
        implements KafkaRecordDeserializationSchema<Observation> {
    private static final long serialVersionUID = 1L;

    private final AggregatesConfig config;
    private transient CategoryExtractor extractor;
    private transient Counter unreadable;
    private transient Counter in;

    public ObservationDeserializer(AggregatesConfig config) {
        this.config = config;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        extractor = new CategoryExtractor(config);
        unreadable = context.getMetricGroup().addGroup("veil").counter("unreadable");
        in = context.getMetricGroup().addGroup("veil").counter("records_in");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Observation> out) {
        in.inc();
        JsonNode node;
        long eventTime;
        String subject;
        try {
            node = Json.MAPPER.readTree(record.value());
            subject = node.path("subject").asText(null);
            eventTime = Instant.parse(node.path("event_time").asText()).toEpochMilli();
        } catch (IOException | DateTimeParseException | NullPointerException e) {
            unreadable.inc();
            return;
        }
        if (subject == null) {
            unreadable.inc();
            return;
        }
        String topic = record.topic();
        try {
            if (topic.equals(config.heatmapInputTopic)) {
                extractor.location(
                        node,
                        (release, category) ->
                                out.collect(
                                        new Observation(subject, eventTime, release, category)));
            } else if (topic.equals(config.deviceTopic)) {
                extractor.device(
                        node,
                        (release, category) ->
                                out.collect(
                                        new Observation(subject, eventTime, release, category)));
            } else if (topic.equals(config.serviceTopic)) {
                extractor.service(
                        node,
                        (release, category) ->
                                out.collect(
                                        new Observation(subject, eventTime, release, category)));
            } else {
                throw new IllegalStateException("no release reads topic " + topic);
            }
        } catch (InvalidValueException e) {
            unreadable.inc();
        }
    }

    @Override
    public TypeInformation<Observation> getProducedType() {
        return TypeInformation.of(Observation.class);
    }
}
