package dev.veil.testing;

import dev.veil.job.RulesText;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
}
