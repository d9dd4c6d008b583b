package dev.veil.consent;

import java.util.Arrays;

/**
 * A data subject's consent over event time, as the consent gate keeps it in one keyed-state value:
 * the consent in force after every change up to {@link #foldedUpTo()} (the <em>base</em>), and the
 * changes after that, in {@link ConsentRules#SAME_TIME_ORDER}. The base is enough for every event
 * newer than the log watermark; the changes after it are what lets an event be decided by the
 * consent at its own time whenever it arrives, so long as it is not late.
 *
 * <p>Mutable, not thread-safe: one instance per subject per access, as read from state. Plain Java
 * (no Flink), so the semantics are tested on their own.
 */
public final class ConsentHistory {
    private static final ConsentChange[] NONE = new ConsentChange[0];

    /** How {@link #insert} took a change. */
    public enum Insertion {
        /** At its place in time: every event after it sees it, every event before it does not. */
        IN_ORDER,
        /**
         * Behind changes already folded into the base, and restrictive (revocation, erasure,
         * becoming a minor): applied on top of the base, so it restricts more events than its own
         * time says (fail closed).
         */
        APPLIED_LATE,
        /**
         * Behind changes already folded into the base, and permissive (a grant, coming of age):
         * ignored. Applying it on top of the base could undo a later revocation; consent that
         * cannot be placed in time does not count.
         */
        IGNORED_LATE
    }

    /**
     * The part of a subject's history between two erasures, and its secret: every subject- and
     * record-scoped pseudonym of the subject's events in it is derived from that secret (see {@code
     * dev.veil.privacy.PseudonymKeys}). Made when the generation's first event is let through;
     * deleted with the erasure that ends the generation, after which no one can recompute those
     * pseudonyms. Mutable.
     */
    public static final class Generation {
        /** Random bytes, or null while nothing of the generation has been published. */
        public byte[] secret;

        /** The lowest key epoch of the events published with {@link #secret}. */
        public long firstEpoch;

        public Generation() {}

        public Generation(byte[] secret, long firstEpoch) {
            this.secret = secret;
            this.firstEpoch = firstEpoch;
        }

        Generation copy() {
            return new Generation(secret == null ? null : secret.clone(), firstEpoch);
        }

        @Override
        public String toString() {
            // never the secret itself
            return secret == null
                    ? "Generation{none}"
                    : "Generation{secret, from epoch " + firstEpoch + "}";
        }
    }

    /** Told of each erasure that ends a generation with a secret, as its secret is deleted. */
    public interface ErasureListener {
        /**
         * @param erasureTime the erasure's effective time, epoch ms
         * @param ended the generation the erasure ended; its secret is still readable during the
         *     call
         */
        void erased(long erasureTime, Generation ended);
    }

    private ConsentState base;
    private long foldedUpTo;
    private ConsentChange[] changes;
    private long foldAt = Long.MIN_VALUE;

    /**
     * Generation 0 is the one in force at the base; generation i &gt; 0 is the one the i-th
     * unfolded ERASE change starts. Always one more than the ERASE changes among {@link #changes}.
     */
    private Generation[] generations;

    /** No consent, nothing folded. */
    public ConsentHistory() {
        this(null, Long.MIN_VALUE, NONE);
    }

    /**
     * @param base consent after every change at or before {@code foldedUpTo}; null for none (never
     *     granted, erased)
     * @param foldedUpTo effective time (epoch ms) of the last change folded into the base;
     *     Long.MIN_VALUE for none
     * @param changes changes after {@code foldedUpTo}, sorted by {@link
     *     ConsentRules#SAME_TIME_ORDER}; not copied
     */
    public ConsentHistory(ConsentState base, long foldedUpTo, ConsentChange[] changes) {
        this(base, foldedUpTo, changes, null);
    }

    /**
     * @param generations one more than the ERASE changes among {@code changes} (see {@link
     *     #generations()}), or null for none with a secret; not copied
     */
    public ConsentHistory(
            ConsentState base, long foldedUpTo, ConsentChange[] changes, Generation[] generations) {
        this.base = base;
        this.foldedUpTo = foldedUpTo;
        this.changes = changes;
        int n = 1 + erasures(changes, changes.length);
        if (generations == null) {
            generations = new Generation[n];
            for (int i = 0; i < n; i++) {
                generations[i] = new Generation();
            }
        } else if (generations.length != n) {
            throw new IllegalArgumentException(
                    "expected " + n + " generations for the changes, got " + generations.length);
        }
        this.generations = generations;
    }

    private static int erasures(ConsentChange[] cs, int end) {
        int n = 0;
        for (int i = 0; i < end; i++) {
            if (cs[i].action == ConsentChange.Action.ERASE) {
                n++;
            }
        }
        return n;
    }

    /**
     * The generations: [0] in force at the base, then one per unfolded ERASE change, in order; do
     * not modify the array.
     */
    public Generation[] generations() {
        return generations;
    }

    /**
     * The generation in force at event time {@code t}: the one started by the last ERASE change at
     * or before {@code t} (the base's if none).
     */
    public Generation generationAt(long t) {
        int g = 0;
        for (ConsentChange c : changes) {
            if (c.effectiveTime > t) {
                break;
            }
            if (c.action == ConsentChange.Action.ERASE) {
                g++;
            }
        }
        return generations[g];
    }

    /**
     * Ends the base generation now, for an erasure applied behind the base ({@link
     * Insertion#APPLIED_LATE}): a fresh generation takes its place.
     *
     * @return the ended generation (its secret, if any, is no longer held here)
     */
    public Generation endBaseGeneration() {
        Generation ended = generations[0];
        generations = generations.clone();
        generations[0] = new Generation();
        return ended;
    }

    public ConsentState base() {
        return base;
    }

    public long foldedUpTo() {
        return foldedUpTo;
    }

    /** The unfolded changes, sorted; do not modify. */
    public ConsentChange[] changes() {
        return changes;
    }

    /**
     * When the operator that keeps this history has asked to be called back to fold it (its own
     * clock, epoch ms), or Long.MIN_VALUE for never; kept here so that it replaces its call-back
     * instead of adding one more.
     */
    public long foldAt() {
        return foldAt;
    }

    public void foldAt(long at) {
        foldAt = at;
    }

    /**
     * True when nothing is known of the subject: no consent and no change to come. The state entry
     * can go.
     */
    public boolean isEmpty() {
        return base == null && changes.length == 0;
    }

    /**
     * The consent in force at event time {@code t} (epoch ms): the base with every unfolded change
     * at or before {@code t} applied (effective times are inclusive). Null means no consent.
     * Correct for any {@code t} after {@link #foldedUpTo()}; the consent gate never asks about
     * earlier times (those events are late).
     */
    public ConsentState at(long t) {
        ConsentState s = base;
        for (ConsentChange c : changes) {
            if (c.effectiveTime > t) {
                break;
            }
            s = ConsentRules.apply(s, c);
        }
        return s;
    }

    /** Adds a change; see {@link Insertion} for what happens to one behind the base. */
    public Insertion insert(ConsentChange change) {
        if (change.effectiveTime > foldedUpTo) {
            int i = Arrays.binarySearch(changes, change, ConsentRules.SAME_TIME_ORDER);
            int at = i >= 0 ? i + 1 : -i - 1;
            if (change.action == ConsentChange.Action.ERASE) {
                // the new generation starts at the erasure: it follows the generation in force
                // just before it, which keeps every event before it
                int g = 1 + erasures(changes, at);
                Generation[] more = new Generation[generations.length + 1];
                System.arraycopy(generations, 0, more, 0, g);
                more[g] = new Generation();
                System.arraycopy(generations, g, more, g + 1, generations.length - g);
                generations = more;
            }
            ConsentChange[] grown = new ConsentChange[changes.length + 1];
            System.arraycopy(changes, 0, grown, 0, at);
            grown[at] = change;
            System.arraycopy(changes, at, grown, at + 1, changes.length - at);
            changes = grown;
            return Insertion.IN_ORDER;
        }
        if (restrictive(change)) {
            base = ConsentRules.apply(base, change);
            return Insertion.APPLIED_LATE;
        }
        return Insertion.IGNORED_LATE;
    }

    /**
     * Folds every change at or before {@code bound} (epoch ms) into the base. The caller guarantees
     * that no event at or before {@code bound} will be decided any more.
     *
     * @return true when anything was folded
     */
    public boolean foldUpTo(long bound) {
        return foldUpTo(bound, (t, g) -> {});
    }

    /**
     * Folds every change at or before {@code bound} (epoch ms) into the base; each folded erasure
     * ends the base generation and deletes its secret, after telling {@code listener}.
     *
     * @return true when anything was folded
     */
    public boolean foldUpTo(long bound, ErasureListener listener) {
        int n = 0;
        int erased = 0;
        while (n < changes.length && changes[n].effectiveTime <= bound) {
            ConsentChange c = changes[n];
            base = ConsentRules.apply(base, c);
            foldedUpTo = c.effectiveTime;
            if (c.action == ConsentChange.Action.ERASE) {
                Generation ended = generations[erased++];
                if (ended.secret != null) {
                    listener.erased(c.effectiveTime, ended);
                    Arrays.fill(ended.secret, (byte) 0);
                    ended.secret = null;
                }
            }
            n++;
        }
        if (n > 0) {
            changes = n == changes.length ? NONE : Arrays.copyOfRange(changes, n, changes.length);
        }
        if (erased > 0) {
            generations = Arrays.copyOfRange(generations, erased, generations.length);
        }
        return n > 0;
    }

    /** Effective time of the newest unfolded change; only when {@link #changes()} is not empty. */
    public long newestChange() {
        return changes[changes.length - 1].effectiveTime;
    }

    private static boolean restrictive(ConsentChange c) {
        return switch (c.action) {
            case REVOKE, ERASE -> true;
            case AGE_STATUS -> c.minor;
            case GRANT -> false;
        };
    }

    @Override
    public String toString() {
        return "ConsentHistory{base="
                + base
                + ", foldedUpTo="
                + foldedUpTo
                + ", changes="
                + Arrays.toString(changes)
                + ", generations="
                + Arrays.toString(generations)
                + "}";
    }
}
