package dev.veil.job.serialisation;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentHistory;
import dev.veil.consent.ConsentState;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/**
 * The consent gate's per-subject value in RocksDB, in a compact layout of its own (a subject with
 * one applied grant takes 12 bytes, against about 35 for the same data as a Flink POJO): the
 * consent state is what most of the keyed state is, once per data subject, so every byte counts a
 * million times.
 *
 * <p>Layout, version 1: a flags byte (1 = base present, 2 = base minor, 4 = something folded, 32 =
 * a fold timer set); if a base, its granted and guardian-granted purpose masks as unsigned varints;
 * if something folded, the folded-up-to time as 8 bytes; if a fold timer, its time as 8 bytes; the
 * number of unfolded changes as a varint, and per change a byte (action in bits 0-2, 8 = guardian
 * consent, 16 = minor), its purpose mask as a varint and its effective time as 8 bytes.
 *
 * <p>Its snapshot is compatible only with itself: a savepoint whose {@code gate} state was written
 * by another serializer (Veil 0.1 kept a POJO there) is refused at restore instead of being read as
 * empty consent.
 */
public final class ConsentHistorySerializer extends TypeSerializerSingleton<ConsentHistory> {
    private static final long serialVersionUID = 1L;

    public static final ConsentHistorySerializer INSTANCE = new ConsentHistorySerializer();

    private static final int BASE = 1;
    private static final int BASE_MINOR = 2;
    private static final int FOLDED = 4;
    private static final int GUARDIAN = 8;
    private static final int MINOR = 16;
    private static final int FOLD_TIMER = 32;
    private static final int ACTION_BITS = 7;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public ConsentHistory createInstance() {
        return new ConsentHistory();
    }

    @Override
    public ConsentHistory copy(ConsentHistory from) {
        ConsentState b = from.base();
        ConsentChange[] cs = from.changes();
        ConsentChange[] copied = new ConsentChange[cs.length];
        for (int i = 0; i < cs.length; i++) {
            ConsentChange c = cs[i];
            copied[i] =
                    new ConsentChange(
                            c.action, c.purposes, c.guardianConsent, c.minor, c.effectiveTime);
        }
        ConsentHistory h =
                new ConsentHistory(
                        b == null ? null : new ConsentState(b.granted, b.guardianGranted, b.minor),
                        from.foldedUpTo(),
                        copied);
        h.foldAt(from.foldAt());
        return h;
    }

    @Override
    public ConsentHistory copy(ConsentHistory from, ConsentHistory reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ConsentHistory h, DataOutputView out) throws IOException {
        ConsentState b = h.base();
        boolean folded = h.foldedUpTo() != Long.MIN_VALUE;
        boolean timer = h.foldAt() != Long.MIN_VALUE;
        int flags =
                (b != null ? BASE : 0)
                        | (b != null && b.minor ? BASE_MINOR : 0)
                        | (folded ? FOLDED : 0)
                        | (timer ? FOLD_TIMER : 0);
        out.writeByte(flags);
        if (b != null) {
            writeVarInt(out, b.granted);
            writeVarInt(out, b.guardianGranted);
        }
        if (folded) {
            out.writeLong(h.foldedUpTo());
        }
        if (timer) {
            out.writeLong(h.foldAt());
        }
        ConsentChange[] cs = h.changes();
        writeVarInt(out, cs.length);
        for (ConsentChange c : cs) {
            out.writeByte(
                    c.action.code | (c.guardianConsent ? GUARDIAN : 0) | (c.minor ? MINOR : 0));
            writeVarInt(out, c.purposes);
            out.writeLong(c.effectiveTime);
        }
    }

    @Override
    public ConsentHistory deserialize(DataInputView in) throws IOException {
        int flags = in.readUnsignedByte();
        ConsentState base = null;
        if ((flags & BASE) != 0) {
            int granted = readVarInt(in);
            int guardianGranted = readVarInt(in);
            base = new ConsentState(granted, guardianGranted, (flags & BASE_MINOR) != 0);
        }
        long foldedUpTo = (flags & FOLDED) != 0 ? in.readLong() : Long.MIN_VALUE;
        long foldAt = (flags & FOLD_TIMER) != 0 ? in.readLong() : Long.MIN_VALUE;
        int n = readVarInt(in);
        ConsentChange[] cs = new ConsentChange[n];
        for (int i = 0; i < n; i++) {
            int a = in.readUnsignedByte();
            int purposes = readVarInt(in);
            long at = in.readLong();
            cs[i] =
                    new ConsentChange(
                            ConsentChange.Action.ofCode(a & ACTION_BITS),
                            purposes,
                            (a & GUARDIAN) != 0,
                            (a & MINOR) != 0,
                            at);
        }
        ConsentHistory h = new ConsentHistory(base, foldedUpTo, cs);
        h.foldAt(foldAt);
        return h;
    }

    @Override
    public ConsentHistory deserialize(ConsentHistory reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<ConsentHistory> snapshotConfiguration() {
        return new Snapshot();
    }

    private static void writeVarInt(DataOutputView out, int v) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int readVarInt(DataInputView in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed varint in consent state");
    }

    /** Serializer snapshot; compatible only with another snapshot of this serializer. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ConsentHistory> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
