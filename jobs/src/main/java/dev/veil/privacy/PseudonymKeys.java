package dev.veil.privacy;

import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.HmacAlgorithms;
import org.apache.commons.codec.digest.HmacUtils;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

import javax.crypto.Mac;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The published pseudonyms: HMAC-SHA256 (RFC 2104) under a key per {@link IdentifierScope scope}
 * and {@link KeyEpochs key epoch}, each derived from the master key with HKDF-SHA256 (RFC 5869,
 * BouncyCastle's implementation): salt {@value #SALT}, info {@code "<scope>/<epoch>"}, 32 bytes.
 *
 * <ul>
 *   <li>{@link IdentifierScope#GLOBAL}: HMAC(K<sub>global,e</sub>, normalised identifier).
 *   <li>{@link IdentifierScope#SUBJECT}: HMAC(K<sub>subject,e</sub>, secret ‖ h), where h =
 *       HMAC(master, normalised identifier) is the internal identifier the consent gate receives
 *       (never published) and the secret is the data subject's random secret in keyed state.
 *   <li>{@link IdentifierScope#RECORD}: HMAC(K<sub>record,e</sub>, secret ‖ h ‖ source topic,
 *       partition, offset).
 * </ul>
 *
 * Every pseudonym is 64 lower-case hex characters, as long as the internal h in hex, so the gate
 * writes it over h in place. One epoch's keys reveal nothing of another's (HKDF's outputs for
 * different info are independent), so pseudonyms do not link across epochs, and rotation needs no
 * restart: a new epoch's keys are derived when its first event comes.
 *
 * <p><b>Not thread-safe</b>, not {@link java.io.Serializable} (the master key never travels in a
 * job graph or checkpoint): one instance per Flink subtask, made in {@code open}. Keys of at most
 * {@value #CACHED_KEYS} scope-epoch pairs are kept.
 */
public final class PseudonymKeys {
    /** HKDF salt: names this derivation, so that another use of the master key never collides. */
    public static final String SALT = "veil pseudonym keys v1";

    /** Length of every pseudonym and of the internal identifier in hex. */
    public static final int HEX_LENGTH = 64;

    static final int CACHED_KEYS = 64;

    private final byte[] master;
    private final Map<Long, Mac> keys = new HashMap<>();

    /**
     * @param master the master key (at least 32 bytes, {@link KeyLoader}); copied
     * @throws IllegalArgumentException if the key is null or empty (the message holds no key)
     */
    public PseudonymKeys(byte[] master) {
        if (master == null || master.length == 0) {
            throw new IllegalArgumentException("the master key must be non-null and non-empty");
        }
        this.master = master.clone();
    }

    /**
     * The 32-byte key of one scope and epoch (HKDF-SHA256 of the master key, {@value #SALT}, {@code
     * "<scope>/<epoch>"}). Public for tests that pin the derivation; the job uses the pseudonym
     * methods.
     */
    public byte[] derive(IdentifierScope scope, long epoch) {
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(
                new HKDFParameters(
                        master,
                        SALT.getBytes(StandardCharsets.UTF_8),
                        (scope.label() + "/" + epoch).getBytes(StandardCharsets.UTF_8)));
        byte[] key = new byte[32];
        hkdf.generateBytes(key, 0, key.length);
        return key;
    }

    /** The MAC of a scope's epoch key, kept; each use ends with doFinal, which resets it. */
    private Mac mac(IdentifierScope scope, long epoch) {
        long id = epoch * 4 + scope.ordinal();
        Mac mac = keys.get(id);
        if (mac == null) {
            if (keys.size() >= CACHED_KEYS) {
                keys.clear();
            }
            byte[] key = derive(scope, epoch);
            mac = HmacUtils.getInitializedMac(HmacAlgorithms.HMAC_SHA_256, key);
            Arrays.fill(key, (byte) 0);
            keys.put(id, mac);
        }
        return mac;
    }

    /**
     * A global-scope pseudonym.
     *
     * @param epoch the event's key epoch
     * @param normalisedId the identifier, canonicalised by {@link IdNormaliser}
     * @return 64 lower-case hex characters
     */
    public String global(long epoch, String normalisedId) {
        return Hex.encodeHexString(
                mac(IdentifierScope.GLOBAL, epoch)
                        .doFinal(normalisedId.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A subject-scope pseudonym, raw.
     *
     * @param epoch the event's key epoch
     * @param secret the data subject's secret
     * @param internal the internal identifier h (32 bytes)
     * @return 32 bytes
     */
    public byte[] subject(long epoch, byte[] secret, byte[] internal) {
        Mac mac = mac(IdentifierScope.SUBJECT, epoch);
        mac.update(secret);
        return mac.doFinal(internal);
    }

    /**
     * A record-scope token, raw.
     *
     * @param epoch the event's key epoch
     * @param secret the data subject's secret
     * @param internal the internal identifier h (32 bytes)
     * @param sourceTopic, sourcePartition, sourceOffset where the raw record was read
     * @return 32 bytes
     */
    public byte[] record(
            long epoch,
            byte[] secret,
            byte[] internal,
            String sourceTopic,
            int sourcePartition,
            long sourceOffset) {
        Mac mac = mac(IdentifierScope.RECORD, epoch);
        mac.update(secret);
        mac.update(internal);
        return mac.doFinal(
                (sourceTopic + "/" + sourcePartition + "/" + sourceOffset)
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** Never shows a key. */
    @Override
    public String toString() {
        return "PseudonymKeys[HKDF-SHA256, HmacSHA256]";
    }
}
