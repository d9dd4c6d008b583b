package dev.veil.privacy;

import dev.veil.testing.VeilTestBase;

import org.apache.commons.codec.binary.Hex;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-epoch, per-scope pseudonym keys and the pseudonyms made with them. */
class PseudonymKeysTest extends VeilTestBase {
    private final PseudonymKeys keys = new PseudonymKeys(testKey());

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** HKDF-SHA256 for L = 32 written out from RFC 5869 section 2 with the JDK's HMAC. */
    private static byte[] rfc5869(byte[] ikm, byte[] salt, byte[] info) throws Exception {
        byte[] prk = hmac(salt, ikm);
        byte[] t1 = new byte[info.length + 1];
        System.arraycopy(info, 0, t1, 0, info.length);
        t1[info.length] = 1;
        return hmac(prk, t1);
    }

    @Test
    void bouncyCastlesHkdf_passesRfc5869TestCase1() throws Exception {
        byte[] ikm = Hex.decodeHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = Hex.decodeHex("000102030405060708090a0b0c");
        byte[] info = Hex.decodeHex("f0f1f2f3f4f5f6f7f8f9");
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(ikm, salt, info));
        byte[] okm = new byte[42];
        hkdf.generateBytes(okm, 0, okm.length);
        assertThat(Hex.encodeHexString(okm))
                .isEqualTo(
                        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                                + "34007208d5b887185865");
    }

    @Test
    void derive_isHkdfSha256OfTheMasterKeyWithVeilsSaltAndScopeSlashEpoch() throws Exception {
        byte[] expected =
                rfc5869(
                        testKey(),
                        PseudonymKeys.SALT.getBytes(StandardCharsets.UTF_8),
                        "subject/11".getBytes(StandardCharsets.UTF_8));
        assertThat(keys.derive(IdentifierScope.SUBJECT, 11)).isEqualTo(expected);
    }

    @Test
    void everyScopeAndEpoch_hasItsOwnKey() {
        Set<String> seen = new HashSet<>();
        for (IdentifierScope scope : IdentifierScope.values()) {
            for (long epoch = -2; epoch <= 2; epoch++) {
                assertThat(seen.add(Hex.encodeHexString(keys.derive(scope, epoch))))
                        .as("%s/%d", scope, epoch)
                        .isTrue();
            }
        }
    }

    @Test
    void global_isHmacOfTheIdentifierUnderTheEpochsGlobalKey() throws Exception {
        byte[] key = keys.derive(IdentifierScope.GLOBAL, 3);
        assertThat(keys.global(3, "bob@example.com"))
                .isEqualTo(
                        Hex.encodeHexString(
                                hmac(key, "bob@example.com".getBytes(StandardCharsets.UTF_8))))
                .isNotEqualTo(keys.global(4, "bob@example.com"));
    }

    @Test
    void subject_dependsOnTheSecretAndTheEpoch() throws Exception {
        byte[] h = new Pseudonymiser(testKey()).hmac("alice".getBytes(StandardCharsets.UTF_8));
        byte[] s1 = new byte[16];
        byte[] s2 = new byte[16];
        s2[0] = 1;
        byte[] data = new byte[32 + 16];
        System.arraycopy(s1, 0, data, 0, 16);
        System.arraycopy(h, 0, data, 16, 32);
        assertThat(keys.subject(5, s1, h))
                .isEqualTo(hmac(keys.derive(IdentifierScope.SUBJECT, 5), data));
        assertThat(keys.subject(5, s2, h)).isNotEqualTo(keys.subject(5, s1, h));
        assertThat(keys.subject(6, s1, h)).isNotEqualTo(keys.subject(5, s1, h));
    }

    @Test
    void record_differsPerSourcePosition() {
        byte[] h = new byte[32];
        byte[] s = new byte[16];
        byte[] a = keys.record(0, s, h, "veil.raw.service", 0, 1);
        assertThat(keys.record(0, s, h, "veil.raw.service", 0, 1)).isEqualTo(a);
        assertThat(keys.record(0, s, h, "veil.raw.service", 0, 2)).isNotEqualTo(a);
        assertThat(keys.record(0, s, h, "veil.raw.service", 1, 1)).isNotEqualTo(a);
    }

    @Test
    void aNewEpochsKeyIsDerivedOnItsFirstUse_andManyEpochsDoNotGrowTheCache() {
        byte[] h = new byte[32];
        byte[] s = new byte[16];
        byte[] first = keys.subject(0, s, h);
        for (long e = 1; e < 500; e++) {
            keys.subject(e, s, h);
        }
        assertThat(keys.subject(0, s, h)).isEqualTo(first);
    }

    @Test
    void keyEpochs_floorDivisionFromTheStart() {
        KeyEpochs e = new KeyEpochs(Instant.parse("2026-11-28T12:00:00Z"), Duration.ofDays(1));
        long noon = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();
        assertThat(e.of(noon)).isZero();
        assertThat(e.of(noon - 1)).isEqualTo(-1);
        assertThat(e.of(noon + Duration.ofDays(1).toMillis())).isEqualTo(1);
        assertThat(e.startOf(-1)).isEqualTo(noon - Duration.ofDays(1).toMillis());
        assertThat(e).hasToString("every PT24H from 2026-11-28T12:00:00Z");
    }

    @Test
    void toString_neverShowsAKey() {
        assertThat(keys.toString()).doesNotContain(TEST_KEY_BASE64).contains("HKDF");
    }
}
