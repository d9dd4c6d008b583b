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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The consent gate's per-subject value in RocksDB, in a compact layout of its own (a subject with
 * one applied grant takes 12 bytes, against about 35 for the same data as a Flink POJO): the
 * consent state is what most of the keyed state is, once per data subject, so every byte counts a
 * million times.
 *
 * <p>Layout: a flags byte (1 = base present, 2 = base minor, 4 = something folded, 32 = a fold
 * timer set, 64 = the base generation has a secret, 128 = the base has a policy version); if a
 * base, its granted and guardian-granted purpose masks as unsigned varints; if a policy version,
 * its UTF-8 length as a varint and its bytes; if something folded, the folded-up-to time as 8
 * bytes; if a fold timer, its time as 8 bytes; if a base secret, the generation ({@value
 * #SECRET_BYTES} secret bytes, its first key epoch as a zig-zag varint); the number of unfolded
 * changes as a varint, and per change a byte (action in bits 0-2, 8 = guardian consent, 16 = minor,
 * 32 = an erasure whose generation has a secret, 64 = a policy version), its purpose mask as a
 * varint, its effective time as 8 bytes, then its policy version and its generation as above when
 * flagged. Veil 0.2 wrote no bit of 64 or 128 and none of 32 or 64 in a change, so its values read
 * unchanged (without policy versions or secrets).
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
    private static final int BASE_SECRET = 64;
    private static final int BASE_POLICY = 128;
    private static final int CHANGE_SECRET = 32;
    private static final int CHANGE_POLICY = 64;
    private static final int ACTION_BITS = 7;

    /** Length of a data subject's secret. */
    public static final int SECRET_BYTES = 16;

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
            copied[i].policyVersion = c.policyVersion;
        }
        ConsentHistory.Generation[] gs = from.generations();
        ConsentHistory.Generation[] gens = new ConsentHistory.Generation[gs.length];
        for (int i = 0; i < gs.length; i++) {
            gens[i] =
                    new ConsentHistory.Generation(
                            gs[i].secret == null ? null : gs[i].secret.clone(), gs[i].firstEpoch);
        }
        ConsentHistory h =
                new ConsentHistory(
                        b == null
                                ? null
                                : new ConsentState(
                                        b.granted, b.guardianGranted, b.minor, b.policyVersion),
                        from.foldedUpTo(),
                        copied,
                        gens);
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
        ConsentHistory.Generation[] gens = h.generations();
        boolean policy = b != null && b.policyVersion != null;
        int flags =
                (b != null ? BASE : 0)
                        | (b != null && b.minor ? BASE_MINOR : 0)
                        | (folded ? FOLDED : 0)
                        | (timer ? FOLD_TIMER : 0)
                        | (gens[0].secret != null ? BASE_SECRET : 0)
                        | (policy ? BASE_POLICY : 0);
        out.writeByte(flags);
        if (b != null) {
            writeVarInt(out, b.granted);
            writeVarInt(out, b.guardianGranted);
        }
        if (policy) {
            writeText(out, b.policyVersion);
        }
        if (folded) {
            out.writeLong(h.foldedUpTo());
        }
        if (timer) {
            out.writeLong(h.foldAt());
        }
        if (gens[0].secret != null) {
            writeGeneration(out, gens[0]);
        }
        ConsentChange[] cs = h.changes();
        writeVarInt(out, cs.length);
        int g = 0;
        for (ConsentChange c : cs) {
            ConsentHistory.Generation started =
                    c.action == ConsentChange.Action.ERASE ? gens[++g] : null;
            boolean secret = started != null && started.secret != null;
            out.writeByte(
                    c.action.code
                            | (c.guardianConsent ? GUARDIAN : 0)
                            | (c.minor ? MINOR : 0)
                            | (secret ? CHANGE_SECRET : 0)
                            | (c.policyVersion != null ? CHANGE_POLICY : 0));
            writeVarInt(out, c.purposes);
            out.writeLong(c.effectiveTime);
            if (c.policyVersion != null) {
                writeText(out, c.policyVersion);
            }
            if (secret) {
                writeGeneration(out, started);
            }
        }
    }

    private static void writeGeneration(DataOutputView out, ConsentHistory.Generation g)
            throws IOException {
        if (g.secret.length != SECRET_BYTES) {
            throw new IOException("a subject secret must have " + SECRET_BYTES + " bytes");
        }
        out.write(g.secret);
        long e = g.firstEpoch;
        writeVarLong(out, (e << 1) ^ (e >> 63));
    }

    private static ConsentHistory.Generation readGeneration(DataInputView in) throws IOException {
        byte[] secret = new byte[SECRET_BYTES];
        in.readFully(secret);
        long z = readVarLong(in);
        return new ConsentHistory.Generation(secret, (z >>> 1) ^ -(z & 1));
    }

    private static void writeText(DataOutputView out, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        writeVarInt(out, b.length);
        out.write(b);
    }

    private static String readText(DataInputView in) throws IOException {
        byte[] b = new byte[readVarInt(in)];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void writeVarLong(DataOutputView out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    private static long readVarLong(DataInputView in) throws IOException {
        long v = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed varint in consent state");
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
        if ((flags & BASE_POLICY) != 0) {
            if (base == null) {
                throw new IOException("malformed consent state: a policy version without consent");
            }
            base.policyVersion = readText(in);
        }
        long foldedUpTo = (flags & FOLDED) != 0 ? in.readLong() : Long.MIN_VALUE;
        long foldAt = (flags & FOLD_TIMER) != 0 ? in.readLong() : Long.MIN_VALUE;
        List<ConsentHistory.Generation> gens = new ArrayList<>(2);
        gens.add((flags & BASE_SECRET) != 0 ? readGeneration(in) : new ConsentHistory.Generation());
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
            if ((a & CHANGE_POLICY) != 0) {
                cs[i].policyVersion = readText(in);
            }
            if (cs[i].action == ConsentChange.Action.ERASE) {
                gens.add(
                        (a & CHANGE_SECRET) != 0
                                ? readGeneration(in)
                                : new ConsentHistory.Generation());
            }
        }
        ConsentHistory h =
                new ConsentHistory(
                        base, foldedUpTo, cs, gens.toArray(ConsentHistory.Generation[]::new));
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
