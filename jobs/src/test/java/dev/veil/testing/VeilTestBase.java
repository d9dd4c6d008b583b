package dev.veil.testing;

import dev.veil.config.KeyReference;
import dev.veil.job.RulesText;
import dev.veil.job.operators.ConsentGate;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.RuleContext;
import dev.veil.rules.RuleSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/** Named instants, a fixed test key and the project's own config files, for tests. */
public abstract class VeilTestBase {
    /** The shipped field rules, as the privacy team edits them. */
    public static final Path RULES = Path.of("../config/rules.yaml");

    /** The shipped job configuration. */
    public static final Path JOB_CONFIG = Path.of("../config/veil.yaml");

    /** A fixed 32-byte test key (base64), never used outside tests. */
    public static final String TEST_KEY_BASE64 =
            Base64.getEncoder()
                    .encodeToString(
                            "veil-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII));

    public static final String KEY_VARIABLE = "VEIL_PSEUDONYM_KEY";

    /** Environment that holds the test key. */
    public static final Map<String, String> TEST_ENV = Map.of(KEY_VARIABLE, TEST_KEY_BASE64);

    public static final Instant T0900 = Instant.parse("2026-11-28T09:00:00Z");
    public static final Instant T0930 = Instant.parse("2026-11-28T09:30:00Z");
    public static final Instant T1000 = Instant.parse("2026-11-28T10:00:00Z");
    public static final Instant T1030 = Instant.parse("2026-11-28T10:30:00Z");
    public static final Instant T1100 = Instant.parse("2026-11-28T11:00:00Z");
    public static final Instant T1130 = Instant.parse("2026-11-28T11:30:00Z");
    public static final Instant T1200 = Instant.parse("2026-11-28T12:00:00Z");

    public static RulesText shippedRules() {
        return RulesText.read(RULES);
    }

    public static byte[] testKey() {
        return Base64.getDecoder().decode(TEST_KEY_BASE64);
    }

    /**
     * Key epochs of the tests: 30 days from 2026-01-01 (epoch 11, from 2026-11-27, covers
     * 2026-11-28).
     */
    public static final KeyEpochs EPOCHS =
            new KeyEpochs(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(30));

    /** The dead-letter topic of the tests. */
    public static final String DLQ = "veil.dead-letter";

    /** The erasure topic of the tests. */
    public static final String ERASURE = "veil.erasure";

    private static KeyReference keyFile;

    /** A reference to a file holding the test key (written once per JVM). */
    public static synchronized KeyReference testKeyReference() {
        if (keyFile == null) {
            try {
                Path f = Files.createTempFile("veil-test-key", ".b64");
                f.toFile().deleteOnExit();
                Files.writeString(f, TEST_KEY_BASE64);
                keyFile = KeyReference.file(f.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return keyFile;
    }

    /** Consent gate settings of the tests: {@link #EPOCHS}, 90 days idle, 365 days of notices. */
    public static ConsentGate.Settings gateSettings(int maxPending) {
        return new ConsentGate.Settings(
                DLQ,
                ERASURE,
                maxPending,
                testKeyReference(),
                EPOCHS,
                Duration.ofDays(90),
                Duration.ofDays(365));
    }

    /** A record processor with the test key and {@link #EPOCHS}. */
    public static LogRecordProcessor processor(RuleSet rules) {
        return new LogRecordProcessor(
                rules, new Pseudonymiser(testKey()), new PseudonymKeys(testKey()), EPOCHS);
    }

    /** A rule context with the test key. */
    public static RuleContext ruleContext() {
        return new RuleContext(new Pseudonymiser(testKey()), new PseudonymKeys(testKey()));
    }
}
