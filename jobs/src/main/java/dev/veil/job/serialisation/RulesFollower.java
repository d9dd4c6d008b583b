package dev.veil.job.serialisation;

import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleVersions;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
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
import java.util.concurrent.TimeUnit;
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
 *
 * <p>The control topic must have one partition (one order of versions for every reader): a topic
 * with more is refused. Its record times must be the broker's ({@code
 * message.timestamp.type=LogAppendTime}), else a publisher's slow clock shortens the lead: a
 * warning is logged once if the topic says otherwise. If the thread stops on an error, the next
 * record the source reads fails its task ({@link #check}), and the restarted task follows with a
 * new one.
 */
public final class RulesFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RulesFollower.class);

    static final long POLL_MILLIS = 500;

    private static final Map<String, RulesFollower> SHARED = new HashMap<>();

    private final RuleVersions versions;
    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final long leadMillis;
    private final Thread thread;
    private volatile boolean closed;

    /** Why the thread stopped, or null while it runs. */
    private volatile RuntimeException failure;

    /**
     * Reads {@code topic} to its end with {@code consumer} (closed on failure), then follows it.
     * Package-private for tests; the job goes through {@link #follow}.
     */
    RulesFollower(RuleSet base, Consumer<byte[], byte[]> consumer, String topic, long leadMillis) {
        this.versions = new RuleVersions(base);
        this.consumer = consumer;
        this.topic = topic;
        this.leadMillis = leadMillis;
        List<TopicPartition> parts = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(60));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            throw new IllegalStateException(
                    "the rules control topic '"
                            + topic
                            + "' (topics.control_rules) does not exist: create it (./veil topics create)");
        }
        if (infos.size() > 1) {
            consumer.close();
            throw new IllegalStateException(
                    "the rules control topic '"
                            + topic
                            + "' (topics.control_rules) has "
                            + infos.size()
                            + " partitions: it must have exactly one, so that every reader sees the"
                            + " versions in one order. Recreate it with one partition (./veil topics"
                            + " create) and publish the versions again");
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

    private static Consumer<byte[], byte[]> consumer(Properties props) {
        Properties p = new Properties();
        p.putAll(props);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Logs a warning if the topic's record times are the producers' (CreateTime): then the lead is
     * counted from the publisher's clock. Never fails: a topic whose configs cannot be read is only
     * logged about.
     */
    static void warnUnlessLogAppendTime(Properties props, String topic) {
        Properties p = new Properties();
        for (String k : props.stringPropertyNames()) {
            if (!k.startsWith("group.")
                    && !k.startsWith("isolation.")
                    && !k.startsWith("auto.")
                    && !k.startsWith("enable.auto")) {
                p.setProperty(k, props.getProperty(k));
            }
        }
        try (Admin admin = Admin.create(p)) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            ConfigEntry e = c == null ? null : c.get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
            String type = e == null ? null : e.value();
            if (!"LogAppendTime".equals(type)) {
                LOG.warn(
                        "The rules control topic '{}' has {}={}, not LogAppendTime: a version's"
                                + " publication time is the publisher's clock, and one that runs"
                                + " slow shortens time.rules_lead. Set it: kafka-configs --alter"
                                + " --entity-type topics --entity-name {} --add-config"
                                + " message.timestamp.type=LogAppendTime",
                        topic,
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
                        type,
                        topic);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn(
                    "Cannot read the configs of the rules control topic '{}' to check that its"
                            + " message.timestamp.type is LogAppendTime: {}",
                    topic,
                    e.toString());
        }
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
     * @return the follower; {@link #check} it before each use of {@link #versions}
     * @throws IllegalStateException if the topic does not exist, has more than one partition or
     *     cannot be read
     */
    public static RulesFollower follow(
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
            if (f == null || f.closed || f.failure != null) {
                warnUnlessLogAppendTime(consumerProperties, topic);
                f = new RulesFollower(base, consumer(consumerProperties), topic, leadMillis);
                SHARED.put(id, f);
                RulesFollower started = f;
                // registerReleaseHookIfAbsent: one hook per name, so a follower that replaced a
                // stopped one is released under a name of its own
                release.accept(
                        "veil-rules-follower-" + id + "-" + System.identityHashCode(started),
                        started::close);
            }
            return f;
        }
    }

    /** The versions known so far; {@link #check} first. */
    public RuleVersions versions() {
        return versions;
    }

    /**
     * Fails if the follower's thread has stopped on an error: versions published since would be
     * missed and events anonymised by rules no longer in force. The caller's task fails with this
     * message and Flink restarts it; {@link #follow} then starts a new follower.
     *
     * @throws IllegalStateException naming the topic and the error
     */
    public void check() {
        RuntimeException f = failure;
        if (f == null && !closed && !thread.isAlive()) {
            f = new IllegalStateException("the follower's thread is no longer alive");
        }
        if (f != null) {
            throw new IllegalStateException(
                    "the rules follower of the control topic '"
                            + topic
                            + "' stopped on an error, so rules versions published since would be"
                            + " missed: failing the task so that it restarts with a new follower",
                    f);
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
                } else if (versions.conflict(v) != null) {
                    LOG.warn(
                            "Rules control record at offset {} refused: {}",
                            r.offset(),
                            versions.conflict(v));
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
                failure = e;
                LOG.error(
                        "The rules follower stopped: the next record read at the source fails its"
                                + " task, which restarts with a new follower",
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
