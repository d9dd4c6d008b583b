package dev.veil.dp;

import org.apache.commons.codec.digest.HmacAlgorithms;
import org.apache.commons.codec.digest.HmacUtils;

import java.nio.ByteBuffer;

/**
 * A deterministic, cryptographically secure bit stream: HMAC-SHA256 under a secret key, used as a
 * pseudorandom function in counter mode.
 *
 * <p><b>Construction.</b> Block {@code i} (for {@code i = 0, 1, 2, ...}) is {@code HMAC-SHA256(key,
 * label || I2OSP(i, 8))}, where {@code I2OSP(i, 8)} is the 8-byte big-endian encoding of the
 * counter. Each 32-byte block yields four longs, read as big-endian from bytes 0-7, 8-15, 16-23 and
 * 24-31. So the first {@link #nextLong()} is the first 8 bytes of block 0, the fifth is the first 8
 * bytes of block 1, and so on. The same (key, label) always gives the same stream; different labels
 * give computationally independent streams. Because the counter occupies the last 8 bytes of every
 * HMAC input, the map (label, counter) to input is injective, for labels of any length.
 *
 * <p><b>Why.</b> This is how Veil makes "one noise draw per window and cell": the label names the
 * release, window and cell, so a window that fires again after a restore from a checkpoint draws
 * exactly the same noise, and an observer cannot average repeated releases of one cell. The caller
 * must encode (release, window, cell) into the label injectively (for instance length-prefixed
 * fields), and must never reuse a label for a different release.
 *
 * <p><b>Sources.</b> HMAC: RFC 2104 (Krawczyk, Bellare, Canetti 1997), with SHA-256 from FIPS
 * 180-4; computed with commons-codec {@link HmacUtils}. The counter-mode construction follows the
 * "KDF in Counter Mode" of NIST SP 800-108 Rev. 1 (2022), section 4.1, with HMAC as the PRF. The
 * input layout here is {@code label || counter} (the counter last, no length field {@code [L]_2}),
 * so the output is not a conformant SP 800-108 key derivation; its security rests only on
 * HMAC-SHA256 being a PRF (Bellare 2006, "New Proofs for NMAC and HMAC"), which makes distinct
 * inputs give independent-looking uniform blocks.
 *
 * <p><b>Thread-safety:</b> not thread-safe (a mutable counter and a reused {@link
 * javax.crypto.Mac}); use one instance per thread and per label. Deliberately not {@link
 * java.io.Serializable}, so the key never travels in a job graph or checkpoint. {@link #toString()}
 * never shows the key or the label.
 */
public final class KeyedRandomBits implements RandomBits {

    /** Minimum key length in bytes: the SHA-256 output length, as RFC 2104 section 3 recommends. */
    public static final int MIN_KEY_BYTES = 32;

    private static final int LONGS_PER_BLOCK = 4;

    private final HmacUtils hmac;
    private final byte[] label;
    private final byte[] input;
    private long counter;
    private final long[] block = new long[LONGS_PER_BLOCK];
    private int used = LONGS_PER_BLOCK;
    private boolean exhausted;

    /**
     * Creates the stream for one (key, label). Both arrays are copied; the caller may wipe them
     * afterwards.
     *
     * @param key the secret key, raw bytes; must be non-null and at least {@value #MIN_KEY_BYTES}
     *     bytes long
     * @param label names what the stream is for (release, window, cell); must be non-null, may be
     *     empty
     * @throws IllegalArgumentException if {@code key} is null or shorter than {@value
     *     #MIN_KEY_BYTES} bytes (the message gives the length only, never key material), or if
     *     {@code label} is null
     */
    public KeyedRandomBits(byte[] key, byte[] label) {
        if (key == null) {
            throw new IllegalArgumentException("key must not be null");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "key must be at least "
                            + MIN_KEY_BYTES
                            + " bytes, but was "
                            + key.length
                            + " bytes");
        }
        if (label == null) {
            throw new IllegalArgumentException("label must not be null");
        }
        this.hmac = new HmacUtils(HmacAlgorithms.HMAC_SHA_256, key);
        this.label = label.clone();
        this.input = new byte[label.length + Long.BYTES];
        System.arraycopy(label, 0, input, 0, label.length);
    }

    /**
     * Returns the next 64 bits of the stream (see the class description for the exact layout).
     *
     * @return the next long of the stream
     * @throws IllegalStateException after 2^66 longs, when the 64-bit block counter would wrap
     *     (unreachable in practice)
     */
    @Override
    public long nextLong() {
        if (used == LONGS_PER_BLOCK) {
            refill();
        }
        return block[used++];
    }

    private void refill() {
        if (exhausted) {
            throw new IllegalStateException(
                    "KeyedRandomBits stream exhausted: block counter would wrap");
        }
        ByteBuffer.wrap(input, label.length, Long.BYTES).putLong(counter);
        ByteBuffer out = ByteBuffer.wrap(hmac.hmac(input));
        for (int i = 0; i < LONGS_PER_BLOCK; i++) {
            block[i] = out.getLong();
        }
        used = 0;
        counter++;
        if (counter == 0L) {
            exhausted = true;
        }
    }

    /**
     * The number of HMAC blocks computed so far, i.e. the counter value the next block will use.
     *
     * @return a value in {@code [0, 2^63)} in practice (an unsigned 64-bit counter)
     */
    public long blocksUsed() {
        return counter;
    }

    /**
     * Names the construction only; never the key or the label.
     *
     * @return {@code "KeyedRandomBits[HmacSHA256-CTR]"}
     */
    @Override
    public String toString() {
        return "KeyedRandomBits[HmacSHA256-CTR]";
    }
}
