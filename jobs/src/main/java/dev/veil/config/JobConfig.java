package dev.veil.config;

import dev.veil.privacy.KeyEpochs;

import org.apache.flink.configuration.ConfigOption;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The anonymisation job's configuration ({@code config/veil.yaml}; documented there and in the
 * README), validated. Data engineers own this file; the privacy team owns {@code
 * config/rules.yaml}. Immutable.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How output records are delivered. */
    public enum Guarantee {
        /**
         * Kafka transactions committed on checkpoints; consumers read with
         * isolation.level=read_committed.
         */
        EXACTLY_ONCE,
        /** Flushed on checkpoints; duplicates possible after a restore. */
        AT_LEAST_ONCE
    }

    public final String bootstrapServers;
    public final String groupId;
    public final VeilOptions.StartingOffsets startingOffsets;
    public final Map<String, String> kafkaProperties;
    public final Map<String, String> inputTopics;
    public final String consentTopic;
    public final String deadLetterTopic;
    public final Duration maxOutOfOrderness;
    public final Duration sourceIdleness;
    public final Duration maxFutureSkew;
    public final int maxPendingEventsPerSubject;

    /**
     * How much later than its effective time a consent change may arrive and still govern every
     * event after it: while the consent topic is caught up, its watermark is the wall clock less
     * this, and an event is decided once that watermark has passed it. A change later than this is
     * applied late and counted.
     */
    public final Duration maxDeliveryDelay;

    public final KeyReference pseudonymisationKey;

    /** Where erasure notices go. */
    public final String erasureTopic;

    /** Topic of published rules versions, or null for none (no hot reload). */
    public final String controlRulesTopic;

    /** Least time between a rules version's publication and its effective time. */
    public final Duration rulesLead;

    /** The pseudonym key epochs. */
    public final KeyEpochs keyEpochs;

    /** A subject with no consent for longer than this (event time) is removed from state. */
    public final Duration idleSubject;

    /** Where the re-identification risk of each output per window goes. */
    public final String riskTopic;

    /** The window of the risk measurement. */
    public final Duration riskWindow;

    /** Group size below which a record counts as at risk. */
    public final long riskK;

    /** Share of unique records per window above which the warning metric rises. */
    public final double riskMaxUniqueShare;

    /** How far back an erasure notice lists pseudonyms. */
    public final Duration erasureNoticeWindow;

    /** Most pseudonyms one erasure notice may list (one per key epoch in its window). */
    static final int MAX_NOTICE_PSEUDONYMS = 1000;

    public final Guarantee guarantee;
    public final String transactionalIdPrefix;
    public final Duration transactionTimeout;
    public final Map<String, String> flink;

    /**
     * The file this configuration was read from, as the user named it; for errors found after
     * loading.
     */
    public final String sourceFile;

    /**
     * The line of the {@code flink:} section in {@link #sourceFile}, or 0 when the file has none.
     */
    public final int flinkLine;

    private JobConfig(YamlDocument doc) {
        ConfigNode root = doc.root();
        root.allowOnly(VeilOptions.all());
        ConfigSections.Kafka kafka = ConfigSections.Kafka.read(root.child("kafka"));
        bootstrapServers = kafka.bootstrapServers();
        groupId = kafka.groupId();
        startingOffsets = kafka.startingOffsets();
        kafkaProperties = kafka.properties();

        root.child("topics").allowOnly(VeilOptions.all());
        inputTopics =
                Map.of(
                        "device", root.text(VeilOptions.DEVICE_TOPIC),
                        "location", root.text(VeilOptions.LOCATION_TOPIC),
                        "service", root.text(VeilOptions.SERVICE_TOPIC));
        consentTopic = root.text(VeilOptions.CONSENT_TOPIC);
        deadLetterTopic = root.text(VeilOptions.DEAD_LETTER_TOPIC);
        erasureTopic = root.text(VeilOptions.ERASURE_TOPIC);
        riskTopic = root.text(VeilOptions.RISK_TOPIC);
        controlRulesTopic =
                root.optNode(VeilOptions.CONTROL_RULES_TOPIC) == null
                        ? null
                        : root.text(VeilOptions.CONTROL_RULES_TOPIC);

        root.child("time").allowOnly(VeilOptions.all());
        maxOutOfOrderness =
                root.duration(
                        VeilOptions.MAX_OUT_OF_ORDERNESS, Duration.ZERO, Duration.ofHours(24));
        sourceIdleness =
                root.duration(
                        VeilOptions.SOURCE_IDLENESS, Duration.ofSeconds(1), Duration.ofHours(24));
        maxFutureSkew =
                root.duration(VeilOptions.MAX_FUTURE_SKEW, Duration.ZERO, Duration.ofDays(3650));
        rulesLead =
                root.duration(VeilOptions.RULES_LEAD, Duration.ofSeconds(1), Duration.ofDays(7));

        root.child("consent").allowOnly(VeilOptions.all());
        maxPendingEventsPerSubject =
                root.integer(VeilOptions.MAX_PENDING_EVENTS_PER_SUBJECT, 1, 10_000_000);
        maxDeliveryDelay =
                root.duration(VeilOptions.MAX_DELIVERY_DELAY, Duration.ZERO, Duration.ofDays(7));

        pseudonymisationKey = KeyReference.fromConfig(root.node(VeilOptions.PSEUDONYMISATION_KEY));

        ConfigNode epochsNode = root.optChild("key_epochs");
        if (epochsNode != null) {
            epochsNode.allowOnly(VeilOptions.all());
        }
        Duration epochLength =
                root.duration(
                        VeilOptions.KEY_EPOCH_LENGTH, Duration.ofSeconds(1), Duration.ofDays(3650));
        keyEpochs = new KeyEpochs(instant(root, VeilOptions.KEY_EPOCH_START), epochLength);

        ConfigNode risk = root.optChild("risk");
        if (risk != null) {
            risk.allowOnly(VeilOptions.all());
        }
        riskWindow =
                root.duration(VeilOptions.RISK_WINDOW, Duration.ofMinutes(1), Duration.ofDays(1));
        if (Duration.ofDays(1).toMillis() % riskWindow.toMillis() != 0) {
            throw root.node(VeilOptions.RISK_WINDOW)
                    .error("must divide a day evenly (PT15M, PT1H, P1D ...), was " + riskWindow);
        }
        riskK = root.whole(VeilOptions.RISK_K, 2, 1000);
        riskMaxUniqueShare = root.number(VeilOptions.RISK_MAX_UNIQUE_SHARE, 0, 1);

        ConfigNode retention = root.optChild("retention");
        if (retention != null) {
            retention.allowOnly(VeilOptions.all());
        }
        idleSubject =
                root.duration(VeilOptions.IDLE_SUBJECT, Duration.ofHours(1), Duration.ofDays(3650));
        erasureNoticeWindow =
                root.duration(
                        VeilOptions.ERASURE_NOTICE_WINDOW,
                        Duration.ofDays(1),
                        Duration.ofDays(3650));
        long listed = erasureNoticeWindow.toMillis() / keyEpochs.length().toMillis() + 1;
        if (listed > MAX_NOTICE_PSEUDONYMS) {
            ConfigNode at = root.optNode(VeilOptions.ERASURE_NOTICE_WINDOW);
            if (at == null) {
                at = root.optNode(VeilOptions.KEY_EPOCH_LENGTH);
            }
            String problem =
                    "an erasure notice would list up to "
                            + listed
                            + " pseudonyms (retention.erasure_notice_window / key_epochs.length + 1); at"
                            + " most "
                            + MAX_NOTICE_PSEUDONYMS
                            + ": lengthen key_epochs.length or shorten the window";
            throw at == null ? new IllegalStateException(problem) : at.error(problem);
        }

        ConfigSections.Delivery delivery = ConfigSections.Delivery.read(root.child("delivery"));
        guarantee = delivery.guarantee();
        transactionalIdPrefix = delivery.transactionalIdPrefix();
        transactionTimeout = delivery.transactionTimeout();

        ConfigNode flinkNode = root.optNode(VeilOptions.FLINK);
        flink = flinkNode == null ? Map.of() : Map.copyOf(FlinkOptionCatalog.read(flinkNode));
        sourceFile = doc.fileName();
        flinkLine = flinkNode == null ? 0 : flinkNode.line();
    }

    private static Instant instant(ConfigNode root, ConfigOption<String> option) {
        String text = root.text(option);
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            ConfigNode n = root.optNode(option);
            String problem =
                    "'" + text + "' is not an RFC 3339 instant such as 2026-01-01T00:00:00Z";
            throw n == null ? new IllegalStateException(problem) : n.error(problem);
        }
    }

    /**
     * The effective configuration, one {@code key: value} line per option in {@link VeilOptions}
     * order, for the startup log. Holds no secret: keys appear as their reference ({@code
     * env:VEIL_PSEUDONYM_KEY}), and Kafka properties whose name looks secret (Flink's {@code
     * GlobalConfiguration.isSensitive}) as {@code ******}.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add(VeilOptions.BOOTSTRAP_SERVERS.key() + ": " + bootstrapServers);
        lines.add(VeilOptions.GROUP_ID.key() + ": " + groupId);
        lines.add(
                VeilOptions.STARTING_OFFSETS.key()
                        + ": "
                        + startingOffsets.name().toLowerCase(Locale.ROOT));
        kafkaProperties.forEach(
                (k, v) ->
                        lines.add(
                                VeilOptions.KAFKA_PROPERTIES.key()
                                        + "."
                                        + k
                                        + ": "
                                        + SensitiveKeys.display(k, v)));
        lines.add(VeilOptions.DEVICE_TOPIC.key() + ": " + inputTopics.get("device"));
        lines.add(VeilOptions.LOCATION_TOPIC.key() + ": " + inputTopics.get("location"));
        lines.add(VeilOptions.SERVICE_TOPIC.key() + ": " + inputTopics.get("service"));
        lines.add(VeilOptions.CONSENT_TOPIC.key() + ": " + consentTopic);
        lines.add(VeilOptions.DEAD_LETTER_TOPIC.key() + ": " + deadLetterTopic);
        lines.add(VeilOptions.MAX_OUT_OF_ORDERNESS.key() + ": " + maxOutOfOrderness);
        lines.add(VeilOptions.SOURCE_IDLENESS.key() + ": " + sourceIdleness);
        lines.add(VeilOptions.MAX_FUTURE_SKEW.key() + ": " + maxFutureSkew);
        lines.add(VeilOptions.MAX_DELIVERY_DELAY.key() + ": " + maxDeliveryDelay);
        lines.add(
                VeilOptions.MAX_PENDING_EVENTS_PER_SUBJECT.key()
                        + ": "
                        + maxPendingEventsPerSubject);
        lines.add(VeilOptions.ERASURE_TOPIC.key() + ": " + erasureTopic);
        lines.add(
                VeilOptions.RISK_TOPIC.key()
                        + ": "
                        + riskTopic
                        + " (window "
                        + riskWindow
                        + ", k "
                        + riskK
                        + ", warning above a unique share of "
                        + riskMaxUniqueShare
                        + ")");
        if (controlRulesTopic != null) {
            lines.add(VeilOptions.CONTROL_RULES_TOPIC.key() + ": " + controlRulesTopic);
            lines.add(VeilOptions.RULES_LEAD.key() + ": " + rulesLead);
        }
        lines.add(VeilOptions.PSEUDONYMISATION_KEY.key() + ": " + pseudonymisationKey);
        lines.add(VeilOptions.KEY_EPOCH_LENGTH.key() + ": " + keyEpochs.length());
        lines.add(VeilOptions.KEY_EPOCH_START.key() + ": " + keyEpochs.start());
        lines.add(VeilOptions.IDLE_SUBJECT.key() + ": " + idleSubject);
        lines.add(VeilOptions.ERASURE_NOTICE_WINDOW.key() + ": " + erasureNoticeWindow);
        lines.add(VeilOptions.GUARANTEE.key() + ": " + guarantee.name().toLowerCase(Locale.ROOT));
        lines.add(VeilOptions.TRANSACTIONAL_ID_PREFIX.key() + ": " + transactionalIdPrefix);
        lines.add(VeilOptions.TRANSACTION_TIMEOUT.key() + ": " + transactionTimeout);
        return lines;
    }

    /**
     * Reads and validates a job config file. @throws ConfigException naming file, line, key and
     * problem
     */
    public static JobConfig load(Path file) {
        return new JobConfig(YamlDocument.read(file));
    }

    /**
     * Validates a parsed job config document. @throws ConfigException naming file, line, key and
     * problem
     */
    public static JobConfig load(YamlDocument doc) {
        return new JobConfig(doc);
    }

    /** A copy with another bootstrap server list (command-line override). */
    public JobConfig withBootstrapServers(String servers) {
        return new JobConfig(this, servers, pseudonymisationKey, Map.of(), keyEpochs);
    }

    /** A copy with other key epochs (the demo puts a boundary inside its day). */
    public JobConfig withKeyEpochs(KeyEpochs epochs) {
        return new JobConfig(this, bootstrapServers, pseudonymisationKey, Map.of(), epochs);
    }

    /**
     * A copy for a local run (the demo, benchmarks): other brokers, another key reference, extra
     * Flink options.
     */
    public JobConfig withOverrides(
            String servers, KeyReference key, Map<String, String> extraFlink) {
        return new JobConfig(this, servers, key, extraFlink, keyEpochs);
    }

    private JobConfig(
            JobConfig o,
            String servers,
            KeyReference key,
            Map<String, String> extraFlink,
            KeyEpochs epochs) {
        erasureTopic = o.erasureTopic;
        riskTopic = o.riskTopic;
        riskWindow = o.riskWindow;
        riskK = o.riskK;
        riskMaxUniqueShare = o.riskMaxUniqueShare;
        controlRulesTopic = o.controlRulesTopic;
        rulesLead = o.rulesLead;
        keyEpochs = epochs;
        idleSubject = o.idleSubject;
        erasureNoticeWindow = o.erasureNoticeWindow;
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
        sourceFile = o.sourceFile;
        flinkLine = o.flinkLine;
    }
}
