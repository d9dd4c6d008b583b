package dev.veil.testing;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft Kafka broker inside the test JVM (kafka-test-common-runtime), with small
 * helpers.
 */
public final class KafkaTestCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;
    private final Properties login = new Properties();

    private KafkaTestCluster(KafkaClusterTestKit cluster, SecurityProtocol protocol) {
        this.cluster = cluster;
        if (protocol == SecurityProtocol.SASL_PLAINTEXT) {
            login.put("security.protocol", "SASL_PLAINTEXT");
            login.put("sasl.mechanism", "PLAIN");
            login.put(
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                            + JaasUtils.KAFKA_PLAIN_ADMIN
                            + "\" password=\""
                            + JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD
                            + "\";");
        }
    }

    /**
     * Formats and starts a combined broker+controller; about 4 s. Returns once the group
     * coordinator answers, so that a job's first offset commit does not fail (and log a warning)
     * while the broker is still creating the offsets topic.
     */
    public static KafkaTestCluster start() throws Exception {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /**
     * As {@link #start()}, with a SASL_PLAINTEXT listener (mechanism PLAIN). The test kit's users
     * are {@code plain-admin} (used by this class's own clients) and {@code plain-user1} with
     * password {@code plain-user1-secret}, for the code under test.
     */
    public static KafkaTestCluster startWithSasl() throws Exception {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    private static KafkaTestCluster start(SecurityProtocol protocol) throws Exception {
        KafkaClusterTestKit kit =
                new KafkaClusterTestKit.Builder(
                                new TestKitNodes.Builder()
                                        .setCombined(true)
                                        .setNumBrokerNodes(1)
                                        .setNumControllerNodes(1)
                                        .setBrokerSecurityProtocol(protocol)
                                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        // One partition: every consumer group has the coordinator that start() has
                        // waited for.
                        .setConfigProp("offsets.topic.num.partitions", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        // With SASL the kit turns on an authorizer: the controller's own
                        // PLAINTEXT connections (principal ANONYMOUS) must be allowed, and
                        // users without ACLs may use topics (the test is about logging in).
                        .setConfigProp("super.users", "User:ANONYMOUS;User:plain-admin")
                        .setConfigProp("allow.everyone.if.no.acl.found", "true")
                        .build();
        formatQuietly(kit);
        kit.startup();
        kit.waitForReadyBrokers();
        KafkaTestCluster cluster = new KafkaTestCluster(kit, protocol);
        cluster.awaitGroupCoordinator();
        return cluster;
    }

    /**
     * Formats the storage. Kafka's formatter prints what it does ("Formatting metadata directory
     * ...") to System.out, which here would be the build's output; it is shown only if formatting
     * fails.
     */
    private static void formatQuietly(KafkaClusterTestKit kit) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            kit.format();
        } catch (Exception | Error e) {
            out.print(printed.toString(StandardCharsets.UTF_8));
            throw e;
        } finally {
            System.setOut(out);
        }
    }

    /**
     * Waits until the group coordinator serves offsets: the first request for one creates the
     * offsets topic and answers "coordinator not available" until its partition is loaded; the
     * admin client retries until then.
     */
    private void awaitGroupCoordinator() throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            admin.listConsumerGroupOffsets("veil-test-warm-up")
                    .partitionsToOffsetAndMetadata()
                    .get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * Connection properties of this broker's own clients: servers and, with SASL, the admin login.
     */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(cluster.clientProperties());
        p.putAll(login);
        return p;
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics with the given partition count. */
    public void createTopics(int partitions, Collection<String> names) throws Exception {
        createTopics(partitions, names, Map.of());
    }

    /** Creates topics with the given partition count and topic-level configs. */
    public void createTopics(int partitions, Collection<String> names, Map<String, String> configs)
            throws Exception {
        try (Admin admin = Admin.create(clientProperties())) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, partitions, (short) 1).configs(configs));
            }
            admin.createTopics(topics).all().get();
        }
    }

    /**
     * A record to produce: topic, key (UTF-8, may be null), value (UTF-8), partition (null: by
     * key).
     */
    public record Raw(String topic, String key, String value, Integer partition) {
        public Raw(String topic, String key, String value) {
            this(topic, key, value, null);
        }
    }

    /**
     * Produces records in order and waits for every ack; fails if one is not written.
     *
     * <p>One request in flight and no idempotence: order per partition is kept by the single
     * in-flight request, and a broker that was just started cannot send the idempotent producer
     * into a loop of out-of-order-sequence retries (seen here with thousands of records to explicit
     * partitions right after startup).
     */
    public void produce(List<Raw> records) throws Exception {
        Properties p = new Properties();
        p.putAll(clientProperties());
        p.put("enable.idempotence", "false");
        p.put("max.in.flight.requests.per.connection", "1");
        p.put("acks", "all");
        p.put("linger.ms", "5");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Raw r : records) {
                sent.add(
                        producer.send(
                                new ProducerRecord<>(
                                        r.topic(),
                                        r.partition(),
                                        r.key() == null
                                                ? null
                                                : r.key().getBytes(StandardCharsets.UTF_8),
                                        r.value() == null
                                                ? null
                                                : r.value().getBytes(StandardCharsets.UTF_8))));
            }
            producer.flush();
        }
        for (var f : sent) {
            f.get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Every committed record of a topic (read_committed), from the beginning to the current end.
     *
     * @throws IllegalStateException when the end is not reached within 30 s (never a partial
     *     answer)
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) {
        return readCommitted(topic, Map.of());
    }

    /**
     * The committed records of a topic (read_committed) from the given offset of each partition (0
     * where none is given) to the current end.
     *
     * @throws IllegalStateException when the end is not reached within 30 s (never a partial
     *     answer)
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(
            String topic, Map<Integer, Long> from) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            consumer.assign(parts);
            for (TopicPartition tp : parts) {
                consumer.seek(tp, from.getOrDefault(tp.partition(), 0L));
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!reached(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "reading "
                                    + topic
                                    + " did not reach the end offsets "
                                    + end
                                    + " within 30 s; read "
                                    + out.size()
                                    + " records");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The end offset of each partition of a topic (read_committed: the last stable offset). */
    public Map<Integer, Long> endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = readCommittedConsumer()) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            Map<Integer, Long> out = new TreeMap<>();
            consumer.endOffsets(parts).forEach((tp, o) -> out.put(tp.partition(), o));
            return out;
        }
    }

    /** A read_committed consumer of a group of its own, for assign/seek reads (never commits). */
    private KafkaConsumer<byte[], byte[]> readCommittedConsumer() {
        Properties p = new Properties();
        p.putAll(clientProperties());
        p.put("group.id", "veil-test-reader-" + UUID.randomUUID());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static boolean reached(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
