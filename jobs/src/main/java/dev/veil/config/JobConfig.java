package dev.veil.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The anonymisation job's configuration ({@code config/veil.yaml}; documented there and in the README), validated.
 * Data engineers own this file; the privacy team owns {@code config/rules.yaml}. Immutable.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How output records are delivered. */
    public enum Guarantee {
        /** Kafka transactions committed on checkpoints; consumers read with isolation.level=read_committed. */
        EXACTLY_ONCE,
        /** Flushed on checkpoints; duplicates possible after a restore. */
        AT_LEAST_ONCE
    }

    public final String bootstrapServers;
    public final String groupId;
    public final String startingOffsets;
    public final Map<String, String> kafkaProperties;
    public final Map<String, String> inputTopics;
    public final String consentTopic;
    public final String deadLetterTopic;
    public final Duration maxOutOfOrderness;
    public final Duration sourceIdleness;
    public final Duration maxFutureSkew;
    public final int maxPendingEventsPerSubject;
    /**
     * How much later than its effective time a consent change may arrive and still govern every event after it: while
     * the consent topic is caught up, its watermark is the wall clock less this, and an event is decided once that
     * watermark has passed it. A change later than this is applied late and counted.
     */
    public final Duration maxDeliveryDelay;
    public final KeyReference pseudonymisationKey;
    public final Guarantee guarantee;
    public final String transactionalIdPrefix;
    public final Duration transactionTimeout;
    public final Map<String, String> flink;

    private JobConfig(ConfigNode root) {
        root.allowOnly("kafka", "topics", "time", "consent", "pseudonymisation_key", "delivery", "flink");
        ConfigSections.Kafka kafka = ConfigSections.Kafka.read(root.child("kafka"));
        bootstrapServers = kafka.bootstrapServers();
        groupId = kafka.groupId();
        startingOffsets = kafka.startingOffsets();
        kafkaProperties = kafka.properties();

        ConfigNode topics = root.child("topics").allowOnly("device", "location", "service", "consent", "dead_letter");
        Map<String, String> in = new LinkedHashMap<>();
        for (String s : new String[] {"device", "location", "service"}) {
            in.put(s, topics.child(s).asText());
        }
        inputTopics = Map.copyOf(in);
        consentTopic = topics.child("consent").asText();
        deadLetterTopic = topics.child("dead_letter").asText();

        ConfigNode time = root.child("time").allowOnly("max_out_of_orderness", "source_idleness", "max_future_skew");
        maxOutOfOrderness = time.child("max_out_of_orderness").asDuration(Duration.ZERO, Duration.ofHours(24));
        sourceIdleness = time.child("source_idleness").asDuration(Duration.ofSeconds(1), Duration.ofHours(24));
        maxFutureSkew = time.has("max_future_skew")
                ? time.child("max_future_skew").asDuration(Duration.ZERO, Duration.ofDays(3650))
                : Duration.ofHours(1);

        ConfigNode consent = root.child("consent").allowOnly("max_pending_events_per_subject", "max_delivery_delay");
        maxPendingEventsPerSubject = consent.child("max_pending_events_per_subject").asInt(1, 10_000_000);
        maxDeliveryDelay = consent.has("max_delivery_delay")
                ? consent.child("max_delivery_delay").asDuration(Duration.ZERO, Duration.ofDays(7))
                : Duration.ofSeconds(30);

        pseudonymisationKey = KeyReference.fromConfig(root.child("pseudonymisation_key"));

        ConfigSections.Delivery delivery = ConfigSections.Delivery.read(root.child("delivery"));
        guarantee = delivery.guarantee();
        transactionalIdPrefix = delivery.transactionalIdPrefix();
        transactionTimeout = delivery.transactionTimeout();

        flink = root.has("flink") ? root.child("flink").asStringMap() : Map.of();
    }

    /** Reads and validates a job config file. @throws ConfigException naming file, line, key and problem */
    public static JobConfig load(Path file) {
        return new JobConfig(YamlDocument.read(file).root());
    }

    /** Validates a parsed job config document. @throws ConfigException naming file, line, key and problem */
    public static JobConfig load(YamlDocument doc) {
        return new JobConfig(doc.root());
    }

    /** A copy with another bootstrap server list (command-line override). */
    public JobConfig withBootstrapServers(String servers) {
        return new JobConfig(this, servers, pseudonymisationKey, Map.of());
    }

    /**
     * A copy for a local run (the demo, benchmarks): other brokers, another key reference, extra Flink options.
     */
    public JobConfig withOverrides(String servers, KeyReference key, Map<String, String> extraFlink) {
        return new JobConfig(this, servers, key, extraFlink);
    }

    private JobConfig(JobConfig o, String servers, KeyReference key, Map<String, String> extraFlink) {
        bootstrapServers = servers;
        groupId = o.groupId;
        startingOffsets = o.startingOffsets;
        kafkaProperties = o.kafkaProperties;
        inputTopics = o.inputTopics;
        consentTopic = o.consentTopic;
        deadLetterTopic = o.deadLetterTopic;
        maxOutOfOrderness = o.maxOutOfOrderness;
        sourceIdleness = o.sourceIdleness;
        maxFutureSkew = o.maxFutureSkew;
        maxPendingEventsPerSubject = o.maxPendingEventsPerSubject;
        maxDeliveryDelay = o.maxDeliveryDelay;
        pseudonymisationKey = key;
        guarantee = o.guarantee;
        transactionalIdPrefix = o.transactionalIdPrefix;
        transactionTimeout = o.transactionTimeout;
        Map<String, String> f = new LinkedHashMap<>(o.flink);
        f.putAll(extraFlink);
        flink = Map.copyOf(f);
    }
}
