package dev.veil.job.serialisation;

import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleVersions;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;

/**
 * The source side's view of the rules control topic: every version published so far, read to the
 * topic's end before the first log record is anonymised ({@link #follow}), then followed by one
 * daemon thread every {@value #POLL_MILLIS} ms. Versions are validated as the control source does
 * ({@link RuleVersions#validate}); refused ones are skipped here (the control source dead-letters
 * them). One follower per topic, start rules and lead in a class loader, shared by the source
 * subtasks there; it stops when Flink releases the job's class loader.
 *
 * <p>Why this is enough: a version takes effect at least {@code time.rules_lead} after it is
 * published, so it is known here before records of its time exist, unless a record's clock runs
 * ahead by more than the lead (the consent gate then refuses that record: docs/rules.md).
 */
public final class RulesFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RulesFollower.class);

    static final long POLL_MILLIS = 500;

    private static final Map<String, RulesFollower> SHARED = new HashMap<>();

    private final RuleVersions versions;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final long leadMillis;
    private final Thread thread;
    private volatile boolean closed;

    private RulesFollower(RuleSet base, Properties props, String topic, long leadMillis) {
        this.versions = new RuleVersions(base);
        this.leadMillis = leadMillis;
        Properties p = new Properties();
        p.putAll(props);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> parts = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(60));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException(
                    "the rules control topic '"
                            + topic
                            + "' (topics.control_rules) does not exist: create it (./veil topics create)");
        }
        for (PartitionInfo i : infos) {
            parts.add(new TopicPartition(topic, i.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!caughtUp(end)) {
            if (System.nanoTime() > deadline) {
                consumer.close();
                throw new IllegalStateException(
                        "could not read the rules control topic '"
                                + topic
                                + "' to its end in 120 s");
            }
            poll(Duration.ofMillis(200));
        }
        thread = new Thread(this::run, "veil-rules-follower-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** Where the rules control topic is and how soon a version may take effect. */
    public record ControlTopic(String topic, Properties consumerProperties, long leadMillis)
            implements Serializable {}

    /**
     * The versions of {@code topic}, read to its end now and followed from here on.
     *
     * @param base the job's start rules
     * @param consumerProperties brokers and security settings (a group id is ignored: nothing is
     *     committed)
     * @param topic the control topic
     * @param leadMillis {@code time.rules_lead} in ms
     * @param release registers the follower's stop with the job's class loader
     * @throws IllegalStateException if the topic does not exist or cannot be read
     */
    public static RuleVersions follow(
            RuleSet base,
            Properties consumerProperties,
            String topic,
            long leadMillis,
            BiConsumer<String, Runnable> release) {
        String id =
                consumerProperties.getProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                        + "/"
                        + topic
                        + "/"
                        + leadMillis
                        + "/"
                        + base.version();
        synchronized (SHARED) {
            RulesFollower f = SHARED.get(id);
            if (f == null || f.closed) {
                f = new RulesFollower(base, consumerProperties, topic, leadMillis);
                SHARED.put(id, f);
                RulesFollower started = f;
                release.accept("veil-rules-follower-" + id, started::close);
            }
            return f.versions;
        }
    }

    private boolean caughtUp(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
            try {
                RuleVersions.Version v = versions.validate(r.value(), r.timestamp(), leadMillis);
                if (versions.add(v)) {
                    LOG.info(
                            "Rules version {} known at the source, in force from {}",
                            v.name(),
                            Instant.ofEpochMilli(v.effectiveFrom()));
                }
            } catch (IllegalArgumentException refused) {
                LOG.warn(
                        "Rules control record at offset {} refused: {}",
                        r.offset(),
                        refused.getMessage());
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                poll(Duration.ofMillis(POLL_MILLIS));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                LOG.error(
                        "The rules follower stopped: no further rules version is taken at the source",
                        e);
            }
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
    }
}
