package dev.veil.job.operators;

import dev.veil.job.records.FromKafka;
import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.KafkaTestCluster.Raw;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.UserCodeClassLoader;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source's reader against a real broker, driven by hand as Flink's SourceOperator drives it,
 * with an output that records what each split reports. One partition is read to its end and goes
 * quiet; the other has records its reader does not fetch (paused, as watermark alignment or a busy
 * consumer leaves it). Wall-clock idleness would mark both idle; here only the one read to its end
 * may be.
 */
// A stuck job fails the test instead of hanging the build.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CatchUpAwareKafkaSourceTest {
    static final String LOGS = "catch-up.logs";
    static final String CONSENT = "catch-up.consent";
    static KafkaTestCluster kafka;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        kafka.createTopics(2, List.of(LOGS, CONSENT));
        kafka.produce(fifty(LOGS, 0));
        kafka.produce(fifty(CONSENT, 0));
    }

    static List<Raw> fifty(String topic, int partition) {
        List<Raw> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(new Raw(topic, null, "r" + i, partition));
        }
        return records;
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A record that knows its offset; its event time is its offset in seconds. */
    public static final class Offset implements FromKafka {
        public long offset;

        public Offset() {}

        @Override
        public long kafkaOffset() {
            return offset;
        }
    }

    static final class OffsetDeserializer implements KafkaRecordDeserializationSchema<Offset> {
        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<Offset> out) {
            Offset o = new Offset();
            o.offset = r.offset();
            out.collect(o);
        }

        @Override
        public TypeInformation<Offset> getProducedType() {
            return TypeInformation.of(Offset.class);
        }
    }

    static final class SecondsOfOffset implements CatchUpAwareKafkaSource.EventTime<Offset> {
        @Override
        public long of(Offset o) {
            return o.offset * 1000;
        }
    }

    /** What the reader reported for one split. */
    static class SplitLog implements SourceOutput<Offset> {
        int records;
        boolean everIdle;
        boolean idle;
        long watermark = Long.MIN_VALUE;

        @Override
        public void collect(Offset record) {
            records++;
        }

        @Override
        public void collect(Offset record, long timestamp) {
            records++;
        }

        @Override
        public void emitWatermark(Watermark w) {
            watermark = Math.max(watermark, w.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
            everIdle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }

    static final class Recording extends SplitLog implements ReaderOutput<Offset> {
        final Map<String, SplitLog> splits = new HashMap<>();

        @Override
        public SourceOutput<Offset> createOutputForSplit(String splitId) {
            return splits.computeIfAbsent(splitId, id -> new SplitLog());
        }

        @Override
        public void releaseOutputForSplit(String splitId) {}
    }

    static SourceReaderContext context() {
        return new SourceReaderContext() {
            @Override
            public SourceReaderMetricGroup metricGroup() {
                return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
            }

            @Override
            public Configuration getConfiguration() {
                return new Configuration();
            }

            @Override
            public String getLocalHostName() {
                return "localhost";
            }

            @Override
            public int getIndexOfSubtask() {
                return 0;
            }

            @Override
            public void sendSplitRequest() {}

            @Override
            public void sendSourceEventToCoordinator(SourceEvent event) {}

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return new UserCodeClassLoader() {
                    @Override
                    public ClassLoader asClassLoader() {
                        return CatchUpAwareKafkaSourceTest.class.getClassLoader();
                    }

                    @Override
                    public void registerReleaseHookIfAbsent(String name, Runnable hook) {}
                };
            }
        };
    }

    static CatchUpAwareKafkaSource<Offset> source(
            String topic, CatchUpAwareKafkaSource.Mode mode, Duration quiet) {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", kafka.bootstrapServers());
        p.setProperty("group.id", "catch-up-test");
        KafkaSource<Offset> kafkaSource =
                KafkaSource.<Offset>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setGroupId("catch-up-test")
                        .setTopics(topic)
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new OffsetDeserializer())
                        .build();
        return new CatchUpAwareKafkaSource<>(
                kafkaSource, p, new SecondsOfOffset(), mode, Duration.ofSeconds(1), quiet);
    }

    /** Polls as the SourceOperator does, for the given time. */
    static void run(SourceReader<Offset, KafkaPartitionSplit> reader, Recording out, Duration time)
            throws Exception {
        long end = System.nanoTime() + time.toNanos();
        while (System.nanoTime() < end) {
            reader.pollNext(out);
            try {
                reader.isAvailable().get(50, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // nothing to read yet: poll again, as the operator does on its next wake-up
            }
        }
    }

    /**
     * Partition 0 has 50 records; partition 1 is empty, then, while its reader is paused (its
     * fetcher will not read it), gets 50 records.
     */
    @Test
    void logs_onlyAPartitionReadToItsEndGoesIdle_oneWithUnreadRecordsNeverDoes() throws Exception {
        KafkaPartitionSplit read = new KafkaPartitionSplit(new TopicPartition(LOGS, 0), 0);
        KafkaPartitionSplit starved = new KafkaPartitionSplit(new TopicPartition(LOGS, 1), 0);
        Recording out = new Recording();
        try (SourceReader<Offset, KafkaPartitionSplit> reader =
                source(LOGS, CatchUpAwareKafkaSource.Mode.LOGS, Duration.ofMillis(300))
                        .createReader(context())) {
            reader.start();
            reader.addSplits(List.of(read, starved));
            run(reader, out, Duration.ofMillis(800));
            assertThat(out.splits.values())
                    .as("nothing idle before the assignment is known")
                    .noneMatch(l -> l.everIdle);

            reader.handleSourceEvents(new CatchUpAwareKafkaSource.AssignmentComplete());
            run(reader, out, Duration.ofSeconds(2));
            assertThat(out.splits.get(read.splitId()).records).isEqualTo(50);
            assertThat(out.splits.get(read.splitId()).idle)
                    .as("read to its end and quiet")
                    .isTrue();
            assertThat(out.splits.get(starved.splitId()).idle)
                    .as("empty, so read to its end, and quiet")
                    .isTrue();

            reader.pauseOrResumeSplits(List.of(starved.splitId()), List.of());
            run(reader, out, Duration.ofMillis(300));
            kafka.produce(fifty(LOGS, 1));
            run(reader, out, Duration.ofSeconds(1));
            SplitLog lagging = out.splits.get(starved.splitId());
            assertThat(lagging.records).as("paused: not read").isZero();
            assertThat(lagging.idle)
                    .as("50 unread records: active again, holding the watermark")
                    .isFalse();
            lagging.everIdle = false;
            run(reader, out, Duration.ofSeconds(2));
            assertThat(lagging.everIdle)
                    .as("never idle while it has unread records, however long it is silent")
                    .isFalse();

            reader.pauseOrResumeSplits(List.of(), List.of(starved.splitId()));
            run(reader, out, Duration.ofSeconds(1));
            assertThat(lagging.records).isEqualTo(50);
            assertThat(lagging.watermark)
                    .as("newest event time less the bound, less 1 ms")
                    .isEqualTo(49_000 - 1_000 - 1);
        }
    }

    @Test
    void
            consent_partitionReadToItsEndFollowsTheClockLessTheDeliveryBound_oneWithUnreadRecordsStops()
                    throws Exception {
        KafkaPartitionSplit read = new KafkaPartitionSplit(new TopicPartition(CONSENT, 0), 0);
        KafkaPartitionSplit starved = new KafkaPartitionSplit(new TopicPartition(CONSENT, 1), 0);
        Recording out = new Recording();
        try (SourceReader<Offset, KafkaPartitionSplit> reader =
                source(CONSENT, CatchUpAwareKafkaSource.Mode.CONSENT, Duration.ofSeconds(30))
                        .createReader(context())) {
            reader.start();
            reader.addSplits(List.of(read, starved));
            run(reader, out, Duration.ofMillis(800));
            assertThat(out.splits.values())
                    .as("no watermark before the assignment is known")
                    .allMatch(l -> l.watermark == Long.MIN_VALUE);
            reader.handleSourceEvents(new CatchUpAwareKafkaSource.AssignmentComplete());
            long before = System.currentTimeMillis();
            run(reader, out, Duration.ofSeconds(1));
            assertThat(out.splits.get(read.splitId()).watermark)
                    .isBetween(before - 30_000, System.currentTimeMillis() - 30_000);
            assertThat(out.splits.get(starved.splitId()).watermark)
                    .as("empty: read to its end")
                    .isGreaterThan(before - 31_000);

            reader.pauseOrResumeSplits(List.of(starved.splitId()), List.of());
            run(reader, out, Duration.ofMillis(300));
            kafka.produce(fifty(CONSENT, 1));
            run(reader, out, Duration.ofSeconds(1));
            long held = out.splits.get(starved.splitId()).watermark;
            long other = out.splits.get(read.splitId()).watermark;
            run(reader, out, Duration.ofSeconds(2));
            assertThat(out.splits.get(starved.splitId()).watermark)
                    .as("unread consent: the clock no longer moves it")
                    .isEqualTo(held);
            assertThat(out.splits.get(read.splitId()).watermark).isGreaterThan(other + 1_000);
            assertThat(out.splits.values()).noneMatch(l -> l.everIdle);
        }
    }

    /**
     * The Kafka enumerator with a coordinator context that runs asynchronous calls one after
     * another, as Flink's coordinator thread does, and records what each reader is sent.
     */
    static final class Coordinator implements SplitEnumeratorContext<KafkaPartitionSplit> {
        final ArrayDeque<Runnable> calls = new ArrayDeque<>();
        final Map<Integer, ReaderInfo> readers = new TreeMap<>();

        /** Per reader, in order: "splits:<ids>" or the event's class name. */
        final Map<Integer, List<String>> sent = new TreeMap<>();

        void register(int subtask) {
            readers.put(subtask, new ReaderInfo(subtask, "localhost"));
        }

        void drain() {
            while (!calls.isEmpty()) {
                calls.poll().run();
            }
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            sent.computeIfAbsent(subtaskId, k -> new ArrayList<>())
                    .add(event.getClass().getSimpleName());
        }

        @Override
        public int currentParallelism() {
            return 2;
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return readers;
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            assignment
                    .assignment()
                    .forEach(
                            (subtask, splits) ->
                                    sent.computeIfAbsent(subtask, k -> new ArrayList<>())
                                            .add(
                                                    "splits:"
                                                            + splits.stream()
                                                                    .map(
                                                                            KafkaPartitionSplit
                                                                                    ::splitId)
                                                                    .sorted()
                                                                    .toList()));
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            sent.computeIfAbsent(subtask, k -> new ArrayList<>()).add("no-more-splits");
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            calls.add(
                    () -> {
                        try {
                            handler.accept(callable.call(), null);
                        } catch (Exception e) {
                            handler.accept(null, e);
                        }
                    });
        }

        @Override
        public <T> void callAsync(
                Callable<T> callable,
                BiConsumer<T, Throwable> handler,
                long initialDelay,
                long period) {
            callAsync(callable, handler);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            calls.add(runnable);
        }
    }

    @Test
    void enumerator_announcesTheAssignmentOnlyAfterEachReadersSplits_alsoToAReaderRegisteringLater()
            throws Exception {
        Coordinator coordinator = new Coordinator();
        coordinator.register(0);
        try (var enumerator =
                source(LOGS, CatchUpAwareKafkaSource.Mode.LOGS, Duration.ofSeconds(1))
                        .createEnumerator(coordinator)) {
            enumerator.start();
            enumerator.addReader(0);
            assertThat(coordinator.sent).as("nothing before discovery has run").isEmpty();

            coordinator.drain();
            assertThat(coordinator.sent.get(0))
                    .as("reader 0: its split, then the announcement")
                    .containsExactly("splits:[" + LOGS + "-0]", "AssignmentComplete");

            coordinator.register(1);
            enumerator.addReader(1);
            coordinator.drain();
            assertThat(coordinator.sent.get(1))
                    .as("reader 1, registered after discovery")
                    .containsExactly("splits:[" + LOGS + "-1]", "AssignmentComplete");
        }
    }
}
