package dev.veil.tools.local;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** Small Kafka client helpers for local runs: topics, producing, reading back, group progress. */
public final class KafkaIo {
    private final String bootstrapServers;

    public KafkaIo(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** Creates the topics that do not exist yet. */
    public void createTopics(Map<String, Integer> partitionsByTopic) throws Exception {
        createTopics(partitionsByTopic, Map.of());
    }

    /**
     * Creates the topics that do not exist yet, with the topic-level configs of {@code
     * configsByTopic} (topics not named there get the broker's defaults).
     */
    public void createTopics(
            Map<String, Integer> partitionsByTopic, Map<String, Map<String, String>> configsByTopic)
            throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> topics = new ArrayList<>();
            partitionsByTopic.forEach(
                    (t, p) -> {
                        if (!existing.contains(t)) {
                            topics.add(
                                    new NewTopic(t, p, (short) 1)
                                            .configs(configsByTopic.getOrDefault(t, Map.of())));
                        }
                    });
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A producer tuned for bulk loading (lz4, batching, idempotent) that checks every send: the
     * first record the broker refuses fails the next {@link Producer#send} or {@link
     * Producer#flush}, so a loader never reports records as produced that never landed.
     */
    public Producer producer() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("linger.ms", "20");
        p.put("batch.size", "262144");
        p.put("compression.type", "lz4");
        return new Producer(
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** A Kafka producer whose sends are all checked. Not thread-safe to share across threads. */
    public static final class Producer implements AutoCloseable {
        private final KafkaProducer<byte[], byte[]> kafka;
        private final AtomicLong acknowledged = new AtomicLong();
        private final AtomicLong refused = new AtomicLong();
        private final AtomicReference<Exception> firstRefusal = new AtomicReference<>();
        private final Callback callback =
                (metadata, e) -> {
                    if (e == null) {
                        acknowledged.incrementAndGet();
                    } else {
                        refused.incrementAndGet();
                        firstRefusal.compareAndSet(null, e);
                    }
                };

        Producer(KafkaProducer<byte[], byte[]> kafka) {
            this.kafka = kafka;
        }

        /**
         * Sends one record with an explicit timestamp (epoch milliseconds).
         *
         * @throws IllegalStateException if the broker has refused an earlier record
         */
        public void send(String topic, byte[] key, byte[] value, long timestamp) {
            send(topic, null, key, value, timestamp);
        }

        /** Sends one record to a given partition (null: by key). */
        public void send(
                String topic, Integer partition, byte[] key, byte[] value, long timestamp) {
            check();
            kafka.send(new ProducerRecord<>(topic, partition, timestamp, key, value), callback);
        }

        /** The number of partitions of {@code topic}. */
        public int partitions(String topic) {
            return kafka.partitionsFor(topic).size();
        }

        /**
         * Waits until every record sent so far is acknowledged.
         *
         * @return the number of records the broker has acknowledged
         * @throws IllegalStateException naming how many records the broker refused, and why
         */
        public long flush() {
            kafka.flush();
            check();
            return acknowledged.get();
        }

        private void check() {
            Exception e = firstRefusal.get();
            if (e != null) {
                throw new IllegalStateException(
                        refused.get()
                                + " record(s) refused by the broker ("
                                + acknowledged.get()
                                + " acknowledged); the first: "
                                + e.getMessage(),
                        e);
            }
        }

        /** Flushes (and checks), then closes. */
        @Override
        public void close() {
            try {
                flush();
            } finally {
                kafka.close();
            }
        }
    }

    /**
     * Reads every committed record (read_committed) of a topic from the beginning to its current
     * end.
     *
     * @param each called for each record, in partition order
     * @return the number of records read
     */
    public long readCommitted(String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", "veil-reader-" + UUID.randomUUID());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        p.put("max.poll.records", "5000");
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline && !reached(consumer, end)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    each.accept(r);
                    n++;
                }
            }
        }
        return n;
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

    /**
     * Follows a topic from its current end (read_committed) until {@code done} is set, handing each
     * record's value to {@code each}.
     */
    public void follow(String topic, AtomicBoolean done, Consumer<byte[]> each) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", "veil-follower-" + UUID.randomUUID());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "latest");
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic)
                    .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position);
            while (!done.get()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    each.accept(r.value());
                }
            }
        }
    }

    /**
     * Earliest and latest record timestamps over the topics (CreateTime set by the writer), epoch
     * ms; {0, 0} if empty.
     */
    public long[] timestampRange(Collection<String> topics) throws Exception {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (var d :
                    admin.describeTopics(topics)
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .values()) {
                d.partitions()
                        .forEach(
                                pi ->
                                        latest.put(
                                                new TopicPartition(d.name(), pi.partition()),
                                                OffsetSpec.maxTimestamp()));
            }
            for (var r : admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).values()) {
                if (r.offset() >= 0) {
                    max = Math.max(max, r.timestamp());
                }
            }
            Properties p = new Properties();
            p.put("bootstrap.servers", bootstrapServers);
            p.put("group.id", "veil-ts-" + UUID.randomUUID());
            p.put("isolation.level", "read_committed");
            p.put("max.poll.records", "1");
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(
                            p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                for (TopicPartition tp : latest.keySet()) {
                    consumer.assign(List.of(tp));
                    consumer.seekToBeginning(List.of(tp));
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (System.nanoTime() < deadline) {
                        var recs = consumer.poll(Duration.ofMillis(200));
                        if (!recs.isEmpty()) {
                            min = Math.min(min, recs.iterator().next().timestamp());
                            break;
                        }
                        if (consumer.position(tp) >= consumer.endOffsets(List.of(tp)).get(tp)) {
                            break;
                        }
                    }
                }
            }
        }
        return min == Long.MAX_VALUE ? new long[] {0, 0} : new long[] {min, max};
    }

    /** Sum of end offsets of the topics (records written, for topics without transactions). */
    public long endOffsets(Collection<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (var d :
                    admin.describeTopics(topics)
                            .allTopicNames()
                            .get(30, TimeUnit.SECONDS)
                            .values()) {
                d.partitions()
                        .forEach(
                                pi ->
                                        specs.put(
                                                new TopicPartition(d.name(), pi.partition()),
                                                OffsetSpec.latest()));
            }
            long sum = 0;
            for (var r : admin.listOffsets(specs).all().get(30, TimeUnit.SECONDS).values()) {
                sum += r.offset();
            }
            return sum;
        }
    }

    /**
     * Sum of a consumer group's committed offsets on the topics (Flink commits them on
     * checkpoints).
     */
    public long committedOffsets(String groupId, Collection<String> topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetAndMetadata> offsets =
                    admin.listConsumerGroupOffsets(groupId)
                            .partitionsToOffsetAndMetadata()
                            .get(30, TimeUnit.SECONDS);
            long sum = 0;
            for (var e : offsets.entrySet()) {
                if (topics.contains(e.getKey().topic()) && e.getValue() != null) {
                    sum += e.getValue().offset();
                }
            }
            return sum;
        }
    }
}
