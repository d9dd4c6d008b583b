package dev.veil.job.aggregate;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.CategoryExtractor;
import dev.veil.aggregate.Observation;
import dev.veil.privacy.InvalidValueException;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads anonymised records (location, device, service topics) into {@link Observation}s, one per
 * release category the record falls in. Records that cannot be read (they should not exist: the
 * anonymisation job writes these topics), among them records without an integer {@code key_epoch},
 * are counted in {@code veil.unreadable} and skipped. A record whose {@code key_epoch} is not one
 * of the epochs its window overlaps ({@link AggregatesConfig#keyEpochFits}) is counted in {@code
 * veil.key_epoch_outside_window} and skipped, with a warning the first time per task: it could
 * carry one pseudonym more than the releases of its window are calibrated for.
 */
public final class ObservationDeserializer
        implements KafkaRecordDeserializationSchema<Observation> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ObservationDeserializer.class);

    private final AggregatesConfig config;
    private transient CategoryExtractor extractor;
    private transient Counter unreadable;
    private transient Counter in;
    private transient Counter foreignEpoch;
    private transient boolean warned;

    public ObservationDeserializer(AggregatesConfig config) {
        this.config = config;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        extractor = new CategoryExtractor(config);
        unreadable = context.getMetricGroup().addGroup("veil").counter("unreadable");
        in = context.getMetricGroup().addGroup("veil").counter("records_in");
        foreignEpoch =
                context.getMetricGroup().addGroup("veil").counter("key_epoch_outside_window");
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Observation> out) {
        in.inc();
        JsonNode node;
        long eventTime;
        String subject;
        JsonNode keyEpoch;
        try {
            node = Json.MAPPER.readTree(record.value());
            subject = node.path("subject").asText(null);
            eventTime = Instant.parse(node.path("event_time").asText()).toEpochMilli();
            keyEpoch = node.path(OutputRules.KEY_EPOCH_FIELD);
        } catch (IOException | DateTimeParseException | NullPointerException e) {
            unreadable.inc();
            return;
        }
        if (subject == null || !keyEpoch.canConvertToLong() || !keyEpoch.isIntegralNumber()) {
            unreadable.inc();
            return;
        }
        if (!config.keyEpochFits(eventTime, keyEpoch.asLong())) {
            if (!warned) {
                warned = true;
                // The window, not the record's time: one record is one person's data.
                LOG.warn(
                        "a record of {} in the window from {} has key_epoch {}, not an epoch of that"
                                + " window under key epochs {} (anonymisation_config {}): dropped, as are"
                                + " all such records (metric veil.key_epoch_outside_window). Does"
                                + " anonymisation_config name the anonymisation job's configuration?",
                        record.topic(),
                        Instant.ofEpochMilli(config.windowStart(eventTime)),
                        keyEpoch.asLong(),
                        config.keyEpochs,
                        config.anonymisationConfig);
            }
            foreignEpoch.inc();
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
