package dev.veil.job.operators;

import dev.veil.job.records.FromKafka;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A {@link KafkaSource} whose per-partition watermarks know whether the partition has been read to
 * its end. Flink's own idleness ({@code WatermarkStrategy.withIdleness}) is a wall-clock timer: a
 * partition that a busy reader has not polled for that long counts as idle, the watermark moves on
 * without it, and its records then arrive behind the watermark. Here a partition is <em>caught
 * up</em> only when its reader's position has reached the partition's end offset (the last stable
 * offset, as {@code read_committed} sees it), checked against the broker, and only a caught-up
 * partition may stop holding the watermark back. A partition with unread records never does,
 * however slow or backpressured its reader.
 *
 * <p>What a caught-up partition does depends on the {@link Mode}:
 *
 * <ul>
 *   <li>{@link Mode#LOGS}: once it has also emitted nothing for {@code quiet}, it is marked idle
 *       (it rejoins with its next record).
 *   <li>{@link Mode#CONSENT}: its watermark is the wall clock less {@code quiet} (the consent
 *       delivery bound): a quiet consent topic never stalls the job, and a consent change up to
 *       that bound late still counts.
 * </ul>
 *
 * Otherwise a partition's watermark is the bounded-out-of-orderness one: the highest event time it
 * has emitted less the bound, less 1 ms (for {@link Mode#CONSENT} the bound is {@code quiet} too,
 * and event times ahead of the wall clock count as the wall clock). The watermarks are emitted
 * here, per split, so the {@code WatermarkStrategy} given to {@code fromSource} must be {@code
 * noWatermarks()} with the event-time assigner (see {@link #watermarkStrategy}).
 *
 * <p>End offsets are polled by one daemon thread per reader with its own consumer (no group
 * membership, no commits), every {@value #WATCH_MILLIS} ms. A gap between the reader's position and
 * the end that holds only transaction markers or aborted records is recognised by reading from the
 * position with that consumer. Enumeration, splits and their checkpoints are the wrapped {@link
 * KafkaSource}'s own, so a savepoint of a plain KafkaSource restores here.
 *
 * @param <T> the records
 */
public final class CatchUpAwareKafkaSource<T extends FromKafka>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpAwareKafkaSource.class);

    /**
     * How often end offsets are polled, and how often watermarks are updated while no record comes.
     */
    static final long WATCH_MILLIS = 200;

    /** What a caught-up partition does. */
    public enum Mode {
        /** Marked idle after {@code quiet} without a record. */
        LOGS,
        /** Watermark follows the wall clock less {@code quiet}. */
        CONSENT
    }

    /** Event time of a record, epoch ms; Long.MIN_VALUE for records without one (dead letters). */
    @FunctionalInterface
    public interface EventTime<T> extends Serializable {
        long of(T record);
    }

    private final KafkaSource<T> delegate;
    private final Properties consumerProperties;
    private final EventTime<T> eventTime;
    private final Mode mode;
    private final long outOfOrdernessMillis;
    private final long quietMillis;

    /**
     * @param delegate the Kafka source; its splits, enumerator and checkpoints are used as they are
     * @param consumerProperties bootstrap servers, security settings and the group id of {@code
     *     delegate}; used to read end offsets and committed offsets, never to commit
     * @param eventTime the same event time the job's timestamp assigner gives
     * @param mode what a caught-up partition does
     * @param outOfOrderness how far behind the newest event time of its partition a record may be
     * @param quiet {@link Mode#LOGS}: how long a caught-up partition must be silent to be idle;
     *     {@link Mode#CONSENT}: the delivery bound the watermark stays behind the wall clock
     */
    public CatchUpAwareKafkaSource(
            KafkaSource<T> delegate,
            Properties consumerProperties,
            EventTime<T> eventTime,
            Mode mode,
            Duration outOfOrderness,
            Duration quiet) {
        this.delegate = delegate;
        this.consumerProperties = new Properties();
        this.consumerProperties.putAll(consumerProperties);
        this.eventTime = eventTime;
        this.mode = mode;
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.quietMillis = quiet.toMillis();
    }

    /**
     * The strategy to pass to {@code fromSource} with this source: timestamps only, the watermarks
     * come from here.
     */
    public static <T extends FromKafka> WatermarkStrategy<T> watermarkStrategy(
            EventTime<T> eventTime) {
        return WatermarkStrategy.<T>noWatermarks()
                .withTimestampAssigner((r, kafkaTimestamp) -> eventTime.of(r));
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context)
            throws Exception {
        return new Reader<>(delegate.createReader(context), this, context.getIndexOfSubtask());
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) {
        AnnouncingContext announcing = new AnnouncingContext(context);
        return new AnnouncingEnumerator(delegate.createEnumerator(announcing), announcing);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState checkpoint)
            throws Exception {
        AnnouncingContext announcing = new AnnouncingContext(context);
        return new AnnouncingEnumerator(
                delegate.restoreEnumerator(announcing, checkpoint), announcing);
    }

    /**
     * Tells a reader that the partitions it owns have been assigned to it. Until a reader hears
     * this (or "no more splits", in bounded mode) it holds its subtask's watermark: a reader
     * without splits would otherwise count as idle, and the other subtasks' watermarks would move
     * on while this one's partitions are still to come.
     */
    static final class AssignmentComplete implements SourceEvent {
        private static final long serialVersionUID = 1L;
    }

    /**
     * The Kafka enumerator's context, noting when its first partition discovery has been handled
     * completely. The Kafka enumerator discovers partitions in one asynchronous call whose handler
     * starts a second one (split initialisation), whose handler assigns the splits; so discovery is
     * complete once a handler has run and no one-shot call it started is still outstanding. By then
     * every partition is assigned, or pending for a reader that has not registered yet (it is
     * assigned when it does, in {@code addReader}). All of this runs in the coordinator thread.
     */
    private static final class AnnouncingContext
            implements SplitEnumeratorContext<KafkaPartitionSplit> {
        private final SplitEnumeratorContext<KafkaPartitionSplit> context;
        private boolean discovered;
        private int outstanding;

        AnnouncingContext(SplitEnumeratorContext<KafkaPartitionSplit> context) {
            this.context = context;
        }

        /** Sends the announcement to one reader, once the first discovery is through. */
        void announceTo(int subtask) {
            if (discovered) {
                context.sendEventToSourceReader(subtask, new AssignmentComplete());
            }
        }

        private <T> BiConsumer<T, Throwable> announcing(
                BiConsumer<T, Throwable> handler, boolean oneShot) {
            return (result, error) -> {
                try {
                    handler.accept(result, error);
                } finally {
                    if (oneShot) {
                        outstanding--;
                    }
                }
                if (error == null && !discovered && outstanding == 0) {
                    discovered = true;
                    context.registeredReaders().keySet().forEach(this::announceTo);
                }
            };
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            outstanding++;
            context.callAsync(callable, announcing(handler, true));
        }

        @Override
        public <T> void callAsync(
                Callable<T> callable,
                BiConsumer<T, Throwable> handler,
                long initialDelay,
                long period) {
            context.callAsync(callable, announcing(handler, false), initialDelay, period);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return context.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return context.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return context.registeredReadersOfAttempts();
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            context.assignSplits(assignment);
        }

        @Override
        public void assignSplit(KafkaPartitionSplit split, int subtask) {
            context.assignSplit(split, subtask);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            context.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            context.setIsProcessingBacklog(isProcessingBacklog);
        }
    }

    /** The Kafka enumerator, announcing to each reader that registers after the first discovery. */
    private static final class AnnouncingEnumerator
            implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator;
        private final AnnouncingContext context;

        AnnouncingEnumerator(
                SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> enumerator,
                AnnouncingContext context) {
            this.enumerator = enumerator;
            this.context = context;
        }

        @Override
        public void start() {
            enumerator.start();
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            enumerator.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            enumerator.addSplitsBack(splits, subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            // The Kafka enumerator assigns a new reader's pending splits here, so the announcement
            // follows them.
            enumerator.addReader(subtaskId);
            context.announceTo(subtaskId);
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
            return enumerator.snapshotState(checkpointId);
        }

        @Override
        public void close() throws IOException {
            try {
                enumerator.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            enumerator.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
            enumerator.handleSourceEvent(subtaskId, sourceEvent);
        }
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return delegate.getProducedType();
    }

    /** One split as the reader sees it. Touched by the task thread only. */
    private static final class Track<T extends FromKafka> {
        final KafkaPartitionSplit split;

        /** Next offset to read: one past the last record emitted; -1 until a record was emitted. */
        long position = -1;

        long maxEventTime = Long.MIN_VALUE;
        long lastActivityNanos = System.nanoTime();
        long positionAtLastTick = -1;
        boolean idle;

        /** A watermark above Long.MIN_VALUE has been emitted for it. */
        boolean emitted;

        SplitOutput<T> output;

        Track(KafkaPartitionSplit split) {
            this.split = split;
        }

        /**
         * What the watcher is asked about: the position, or before the first record the split's
         * starting offset.
         */
        long reportedPosition() {
            return position >= 0 ? position : split.getStartingOffset();
        }
    }

    /**
     * The split output the wrapped reader writes to: follows position and event time of what it
     * emits.
     */
    private static final class SplitOutput<T extends FromKafka> implements SourceOutput<T> {
        final SourceOutput<T> out;
        final Track<T> track;
        final EventTime<T> eventTime;
        final ReaderOutput<T> main;

        SplitOutput(
                SourceOutput<T> out, Track<T> track, EventTime<T> eventTime, ReaderOutput<T> main) {
            this.out = out;
            this.track = track;
            this.eventTime = eventTime;
            this.main = main;
        }

        @Override
        public void collect(T record) {
            seen(record, Long.MAX_VALUE);
            out.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            seen(record, timestamp);
            out.collect(record, timestamp);
        }

        /**
         * @param appendTime the Kafka record's timestamp; an event time later than it (a clock
         *     ahead, a record dated in the future within max_future_skew) moves the watermark only
         *     as far as the record's own timestamp
         */
        private void seen(T record, long appendTime) {
            if (track.idle) {
                // Active again before the record goes out, so that nothing downstream takes this
                // subtask for idle
                // while its records flow (Flink's split multiplexer only marks a subtask active
                // with a new maximum).
                track.idle = false;
                out.markActive();
                main.markActive();
            }
            long t = Math.min(eventTime.of(record), appendTime);
            if (t > track.maxEventTime) {
                track.maxEventTime = t;
            }
            track.position = record.kafkaOffset() + 1;
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            out.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            out.markIdle();
        }

        @Override
        public void markActive() {
            out.markActive();
        }
    }

    /** Wraps the Kafka reader: tracks its splits, polls their ends, emits the watermarks. */
    private static final class Reader<T extends FromKafka>
            implements SourceReader<T, KafkaPartitionSplit> {
        private final SourceReader<T, KafkaPartitionSplit> delegate;
        private final CatchUpAwareKafkaSource<T> source;
        private final Map<String, Track<T>> tracks = new LinkedHashMap<>();
        private final Watcher watcher;
        private ReaderOutput<T> realOutput;
        private ReaderOutput<T> wrappedOutput;
        private long nextTickNanos;

        /**
         * True once the enumerator said this reader has all its partitions (or, bounded, that no
         * more come).
         */
        private boolean assignmentKnown;

        /**
         * True while this reader keeps its subtask active (not idle) because its assignment is not
         * known yet.
         */
        private boolean holding;

        /** The reader output itself (not its splits) was last marked idle. */
        private boolean mainIdle;

        Reader(
                SourceReader<T, KafkaPartitionSplit> delegate,
                CatchUpAwareKafkaSource<T> source,
                int subtask) {
            this.delegate = delegate;
            this.source = source;
            this.watcher =
                    new Watcher(
                            source.consumerProperties,
                            "veil-catch-up-" + source.mode.name().toLowerCase() + "-" + subtask);
        }

        @Override
        public void start() {
            delegate.start();
            watcher.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
            if (output != realOutput) {
                realOutput = output;
                wrappedOutput = new WrappedReaderOutput(output);
                if (!assignmentKnown) {
                    // Before the first periodic watermark: a reader with no split yet must not
                    // count as idle.
                    output.markActive();
                    holding = true;
                }
            }
            InputStatus status = delegate.pollNext(wrappedOutput);
            long now = System.nanoTime();
            if (now - nextTickNanos >= 0) {
                nextTickNanos = now + WATCH_MILLIS * 1_000_000;
                tick(now);
            }
            return status;
        }

        /**
         * Publishes positions to the watcher and emits each split's watermark or idleness from what
         * it says back.
         */
        private void tick(long now) {
            Map<TopicPartition, Long> positions = new HashMap<>();
            for (Track<T> t : tracks.values()) {
                positions.put(t.split.getTopicPartition(), t.reportedPosition());
                if (t.position != t.positionAtLastTick) {
                    t.positionAtLastTick = t.position;
                    t.lastActivityNanos = now;
                }
            }
            watcher.publish(positions);
            if (realOutput == null || !assignmentKnown) {
                return;
            }
            for (Track<T> t : tracks.values()) {
                // The wall-clock time at which the broker said this partition ended at this
                // position, or MIN_VALUE.
                long caughtUpAt =
                        watcher.caughtUpAt(t.split.getTopicPartition(), t.reportedPosition());
                boolean caughtUp = caughtUpAt != Long.MIN_VALUE;
                SourceOutput<T> out =
                        t.output != null
                                ? t.output.out
                                : realOutput.createOutputForSplit(t.split.splitId());
                long dataWatermark =
                        t.maxEventTime == Long.MIN_VALUE
                                ? Long.MIN_VALUE
                                : t.maxEventTime - source.outOfOrdernessMillis - 1;
                if (source.mode == Mode.CONSENT) {
                    // A change appended after the broker's answer is effective at or after that
                    // moment less the
                    // delivery bound; before it, records of one partition are out of order by at
                    // most the bound.
                    long w = caughtUp ? caughtUpAt - source.quietMillis - 1 : dataWatermark;
                    if (w > Long.MIN_VALUE) {
                        out.emitWatermark(new Watermark(w));
                        t.emitted = true;
                    }
                } else if (caughtUp
                        && now - t.lastActivityNanos >= source.quietMillis * 1_000_000) {
                    if (!t.idle) {
                        t.idle = true;
                        out.markIdle();
                    }
                } else {
                    if (t.idle) {
                        t.idle = false;
                        out.markActive();
                        realOutput.markActive();
                    }
                    if (dataWatermark > Long.MIN_VALUE) {
                        out.emitWatermark(new Watermark(dataWatermark));
                        t.emitted = true;
                    }
                }
            }
            if (!tracks.values().stream().allMatch(t -> t.idle)) {
                // A split that came back marked the reader output active already (here or as its
                // record went out).
                mainIdle = false;
            } else if (!holding && !mainIdle) {
                // Every split idle (or none): the subtask is, too.
                mainIdle = true;
                realOutput.markIdle();
            }
            if (holding && tracks.values().stream().allMatch(t -> t.idle || t.emitted)) {
                // Flink's split-local output counts as idle until its first combined watermark, so
                // the subtask is
                // released only once every split has a watermark or is idle (or there is no split):
                // then only the
                // splits decide whether it is idle.
                holding = false;
                mainIdle = true;
                realOutput.markIdle();
            }
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            CompletableFuture<Void> available = delegate.isAvailable();
            if (available.isDone()) {
                return available;
            }
            // Wake up at the next watch round even without records, so that watermarks keep moving.
            return CompletableFuture.anyOf(available, watcher.nextRound()).thenApply(x -> null);
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            for (KafkaPartitionSplit s : splits) {
                tracks.put(s.splitId(), new Track<>(s));
            }
            delegate.addSplits(splits);
        }

        @Override
        public void notifyNoMoreSplits() {
            assignmentKnown = true;
            delegate.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            if (event instanceof AssignmentComplete) {
                assignmentKnown = true;
            } else {
                delegate.handleSourceEvents(event);
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
            delegate.pauseOrResumeSplits(toPause, toResume);
        }

        @Override
        public void close() throws Exception {
            try {
                watcher.close();
            } finally {
                delegate.close();
            }
        }

        /**
         * The reader output the Kafka reader sees: hands out tracking split outputs, forgets
         * finished splits.
         */
        private final class WrappedReaderOutput implements ReaderOutput<T> {
            private final ReaderOutput<T> out;

            WrappedReaderOutput(ReaderOutput<T> out) {
                this.out = out;
            }

            @Override
            public void collect(T record) {
                out.collect(record);
            }

            @Override
            public void collect(T record, long timestamp) {
                out.collect(record, timestamp);
            }

            @Override
            public void emitWatermark(Watermark watermark) {
                out.emitWatermark(watermark);
            }

            @Override
            public void markIdle() {
                out.markIdle();
            }

            @Override
            public void markActive() {
                out.markActive();
            }

            @Override
            public SourceOutput<T> createOutputForSplit(String splitId) {
                Track<T> t = tracks.get(splitId);
                SourceOutput<T> real = out.createOutputForSplit(splitId);
                if (t == null) {
                    return real;
                }
                if (t.output == null || t.output.out != real) {
                    t.output = new SplitOutput<>(real, t, source.eventTime, out);
                }
                return t.output;
            }

            @Override
            public void releaseOutputForSplit(String splitId) {
                Track<T> t = tracks.remove(splitId);
                if (t != null) {
                    watcher.forget(t.split.getTopicPartition());
                }
                out.releaseOutputForSplit(splitId);
            }
        }
    }

    /**
     * Polls end offsets for the reader's partitions on a thread of its own, and answers "has this
     * partition been read to its end at this position, and when did the broker say so?". The task
     * thread publishes positions; this thread publishes, per partition, the position it found
     * caught up and the wall-clock time just before it asked. An answer holds for the exact
     * position it was given, so a stale one is never taken for a newer position, and its time, not
     * the time it is read, is what a consent watermark may follow.
     */
    private static final class Watcher implements Runnable {
        /**
         * A caught-up answer: the position asked about and the wall-clock time before the broker
         * was asked.
         */
        private record Answer(long position, long observedAt) {}

        private final Properties properties;
        private final String name;
        private volatile Map<TopicPartition, Long> positions = Map.of();
        private volatile Map<TopicPartition, Answer> answers = Map.of();
        private volatile CompletableFuture<Void> round = new CompletableFuture<>();
        private volatile boolean closed;
        private final Map<TopicPartition, Long> resolvedStarts = new HashMap<>();
        private final Map<TopicPartition, Long> lastEnds = new HashMap<>();
        private final Map<TopicPartition, Long> lastPositions = new HashMap<>();

        /** Position and end last found to have only markers between them, per partition. */
        private final Map<TopicPartition, long[]> markerGaps = new HashMap<>();

        private Thread thread;
        private volatile KafkaConsumer<byte[], byte[]> consumer;

        Watcher(Properties source, String name) {
            this.name = name;
            properties = new Properties();
            properties.putAll(source);
            properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            properties.put(
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            properties.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            properties.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
            // It only ever asks whether one committed record follows a position: small fetches.
            properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1");
            properties.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "1024");
            properties.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, "1024");
        }

        void start() {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }

        void publish(Map<TopicPartition, Long> p) {
            positions = p;
        }

        void forget(TopicPartition tp) {
            Map<TopicPartition, Long> p = new HashMap<>(positions);
            p.remove(tp);
            positions = p;
        }

        /**
         * When the broker said the partition ended at this position (wall-clock ms), or
         * Long.MIN_VALUE.
         */
        long caughtUpAt(TopicPartition tp, long position) {
            Answer a = answers.get(tp);
            return a != null && a.position() == position ? a.observedAt() : Long.MIN_VALUE;
        }

        CompletableFuture<Void> nextRound() {
            return round;
        }

        @Override
        public void run() {
            while (!closed) {
                try {
                    if (consumer == null) {
                        consumer = new KafkaConsumer<>(properties);
                    }
                    answers = check(consumer, positions);
                } catch (Exception e) {
                    if (closed) {
                        break;
                    }
                    // Nothing is caught up while the broker cannot be asked: partitions keep
                    // holding the watermark.
                    LOG.warn(
                            "{}: cannot read end offsets ({}); watermarks hold until it can",
                            name,
                            e.toString());
                    answers = Map.of();
                    closeConsumer();
                }
                CompletableFuture<Void> done = round;
                round = new CompletableFuture<>();
                done.complete(null);
                try {
                    Thread.sleep(WATCH_MILLIS);
                } catch (InterruptedException e) {
                    break;
                }
            }
            closeConsumer();
        }

        private void closeConsumer() {
            if (consumer != null) {
                try {
                    consumer.close(Duration.ZERO);
                } catch (RuntimeException e) {
                    LOG.debug("{}: closing its consumer failed", name, e);
                }
                consumer = null;
            }
        }

        private Map<TopicPartition, Answer> check(
                KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> asked) {
            resolvedStarts.keySet().retainAll(asked.keySet());
            lastEnds.keySet().retainAll(asked.keySet());
            lastPositions.keySet().retainAll(asked.keySet());
            markerGaps.keySet().retainAll(asked.keySet());
            if (asked.isEmpty()) {
                return Map.of();
            }
            long observedAt = System.currentTimeMillis();
            Map<TopicPartition, Long> ends =
                    consumer.endOffsets(asked.keySet(), Duration.ofSeconds(10));
            Map<TopicPartition, Answer> caught = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> e : asked.entrySet()) {
                TopicPartition tp = e.getKey();
                long position =
                        e.getValue() >= 0 ? e.getValue() : resolveStart(consumer, tp, e.getValue());
                Long end = ends.get(tp);
                if (end == null || position < 0) {
                    continue;
                }
                boolean atEnd = position >= end;
                // A gap that neither the reader closes (its position did not move) nor new records
                // widen (the end did
                // not move) may be transaction markers or aborted records only: read from the
                // position to see.
                boolean stalled =
                        end.equals(lastEnds.get(tp))
                                && Long.valueOf(position).equals(lastPositions.get(tp));
                if (!atEnd && stalled) {
                    long[] gap = markerGaps.get(tp);
                    atEnd = gap != null && gap[0] == position && gap[1] == end;
                    if (!atEnd && onlyMarkersBetween(consumer, tp, position, end)) {
                        markerGaps.put(tp, new long[] {position, end});
                        atEnd = true;
                    }
                }
                lastEnds.put(tp, end);
                lastPositions.put(tp, position);
                if (atEnd) {
                    caught.put(tp, new Answer(e.getValue(), observedAt));
                }
            }
            return caught;
        }

        /**
         * True when no committed record lies between position and end: only transaction markers or
         * aborted data.
         */
        private static boolean onlyMarkersBetween(
                KafkaConsumer<byte[], byte[]> consumer,
                TopicPartition tp,
                long position,
                long end) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, position);
            boolean empty = consumer.poll(Duration.ofMillis(100)).isEmpty();
            return empty && consumer.position(tp, Duration.ofSeconds(5)) >= end;
        }

        /**
         * The offset a split with a marker starting offset (earliest, latest, committed) starts
         * reading at.
         */
        private long resolveStart(
                KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long marker) {
            Long known = resolvedStarts.get(tp);
            if (known != null) {
                return known;
            }
            long start;
            if (marker == KafkaPartitionSplit.LATEST_OFFSET) {
                start = consumer.endOffsets(Set.of(tp), Duration.ofSeconds(10)).get(tp);
            } else if (marker == KafkaPartitionSplit.EARLIEST_OFFSET) {
                start = consumer.beginningOffsets(Set.of(tp), Duration.ofSeconds(10)).get(tp);
            } else {
                // Committed (Veil resets to the earliest offset when the group has none).
                OffsetAndMetadata committed =
                        consumer.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp);
                start =
                        committed != null
                                ? committed.offset()
                                : consumer.beginningOffsets(Set.of(tp), Duration.ofSeconds(10))
                                        .get(tp);
            }
            resolvedStarts.put(tp, start);
            return start;
        }

        /** Stops the thread (its consumer is closed there); waits up to 10 s for it. */
        void close() {
            closed = true;
            if (thread != null) {
                KafkaConsumer<byte[], byte[]> c = consumer;
                if (c != null) {
                    c.wakeup();
                }
                thread.interrupt();
                try {
                    thread.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
