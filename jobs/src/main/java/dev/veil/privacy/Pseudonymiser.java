package dev.veil.privacy;

import org.apache.commons.codec.binary.Hex;
import org.apache.commons.codec.digest.HmacAlgorithms;
import org.apache.commons.codec.digest.HmacUtils;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Keyed pseudonymisation of identifiers with HMAC-SHA256 (RFC 2104 HMAC over FIPS 180-4 SHA-256;
 * known answers in RFC 4231). The same key and identifier always give the same pseudonym; without
 * the key a pseudonym cannot be recomputed from a guessed identifier.
 *
 * <p>Identifiers should be canonicalised with {@link IdNormaliser} first.
 *
 * <p><b>Not thread-safe:</b> one {@link javax.crypto.Mac} is reused for every call; use one
 * instance per thread (one per Flink subtask, created in {@code open}). Deliberately not {@link
 * java.io.Serializable}, so that the key never travels in a serialised job graph or checkpoint.
 * {@link #toString()} never shows the key.
 */
public final class Pseudonymiser {

    private final HmacUtils hmac;

    /**
     * Creates a pseudonymiser. The key bytes are copied into the underlying {@link
     * javax.crypto.spec.SecretKeySpec}; the caller may wipe its array afterwards. RFC 2104
     * recommends at least 32 bytes (the hash output length) for HMAC-SHA256; {@link KeyLoader}
     * enforces that.
     *
     * @param key the secret key, raw bytes; must be non-null and non-empty
     * @throws IllegalArgumentException if {@code key} is null or empty (the message never contains
     *     key material)
     */
    public Pseudonymiser(byte[] key) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException(
                    "pseudonymisation key must be non-null and non-empty");
        }
        this.hmac = new HmacUtils(HmacAlgorithms.HMAC_SHA_256, key);
    }

    /**
     * Computes HMAC-SHA256 of raw bytes.
     *
     * @param data the message; must not be null
     * @return a new 32-byte array
     * @throws NullPointerException if {@code data} is null
     */
    public byte[] hmac(byte[] data) {
        return hmac.hmac(Objects.requireNonNull(data, "data"));
    }

    /**
     * Pseudonymises a canonical identifier: HMAC-SHA256 over its UTF-8 bytes, hex-encoded.
     *
     * @param normalisedId the identifier, already canonicalised (see {@link IdNormaliser}); must
     *     not be null
     * @return 64 lower-case hexadecimal characters
     * @throws NullPointerException if {@code normalisedId} is null
     */
    public String pseudonymise(String normalisedId) {
        Objects.requireNonNull(normalisedId, "normalisedId");
        return Hex.encodeHexString(hmac(normalisedId.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The same HMAC-SHA256 as {@link #pseudonymise}, in the compact unpadded base64url alphabet
     * (RFC 4648 §5): for internal keys such as the Flink key of consent state, where 21 fewer bytes
     * per subject matter.
     *
     * @param normalisedId the identifier, already canonicalised; must not be null
     * @return 43 characters of [A-Za-z0-9_-]
     */
    public String pseudonymiseCompact(String normalisedId) {
        Objects.requireNonNull(normalisedId, "normalisedId");
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(hmac(normalisedId.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Names the algorithm only; never the key.
     *
     * @return {@code "Pseudonymiser[HmacSHA256]"}
     */
    @Override
    public String toString() {
        return "Pseudonymiser[HmacSHA256]";
    }
}
