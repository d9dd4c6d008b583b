package dev.veil.privacy;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The key epochs of pseudonymisation: consecutive periods of {@code length} from {@code start}, in
 * event time. Every pseudonym is made with the key of its event's epoch ({@link PseudonymKeys}), so
 * a data subject's pseudonyms of two epochs do not link. Epoch n covers [start + n * length, start
 * + (n + 1) * length); events before {@code start} fall in negative epochs. Immutable.
 */
public final class KeyEpochs implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long startMillis;
    private final long lengthMillis;

    /**
     * @param start the start of epoch 0
     * @param length the length of every epoch, at least one second
     * @throws IllegalArgumentException if {@code length} is shorter than a second
     */
    public KeyEpochs(Instant start, Duration length) {
        if (length.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(
                    "a key epoch lasts at least a second, was " + length);
        }
        this.startMillis = start.toEpochMilli();
        this.lengthMillis = length.toMillis();
    }

    /** The epoch of an event time (epoch ms UTC). */
    public long of(long eventTimeMillis) {
        return Math.floorDiv(eventTimeMillis - startMillis, lengthMillis);
    }

    /** When {@code epoch} starts, epoch ms UTC. */
    public long startOf(long epoch) {
        return startMillis + epoch * lengthMillis;
    }

    public Instant start() {
        return Instant.ofEpochMilli(startMillis);
    }

    public Duration length() {
        return Duration.ofMillis(lengthMillis);
    }

    @Override
    public String toString() {
        return "every " + length() + " from " + start();
    }
}
