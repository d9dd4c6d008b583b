package dev.veil.privacy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyLoaderTest {

    private static final String VAR = "VEIL_PSEUDONYM_KEY";

    /**
     * 40 deterministic bytes; the first six encode as "++++////" (standard) or "----____"
     * (URL-safe).
     */
    private static final byte[] KEY = key();

    private static byte[] key() {
        byte[] k = new byte[40];
        byte[] head = {
            (byte) 0xfb, (byte) 0xef, (byte) 0xbe, (byte) 0xff, (byte) 0xff, (byte) 0xff
        };
        System.arraycopy(head, 0, k, 0, head.length);
        for (int i = head.length; i < k.length; i++) {
            k[i] = (byte) (i * 37);
        }
        return k;
    }

    @BeforeAll
    static void ensureTempDirectory() throws Exception {
        TestDirectories.ensureJavaTmpDir();
    }

    @Test
    void fromEnvironment_standardBase64_returnsKey() {
        String encoded = Base64.getEncoder().encodeToString(KEY);
        assertThat(encoded).startsWith("++++////");

        assertThat(KeyLoader.fromEnvironment(VAR, Map.of(VAR, encoded))).isEqualTo(KEY);
    }

    @Test
    void fromEnvironment_urlSafeBase64WithoutPadding_returnsKey() {
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(KEY);
        assertThat(encoded).startsWith("----____");

        assertThat(KeyLoader.fromEnvironment(VAR, Map.of(VAR, encoded))).isEqualTo(KEY);
    }

    @Test
    void fromEnvironment_surroundingWhiteSpace_isTrimmed() {
        String encoded = "  " + Base64.getEncoder().encodeToString(KEY) + "\n";

        assertThat(KeyLoader.fromEnvironment(VAR, Map.of(VAR, encoded))).isEqualTo(KEY);
    }

    @Test
    void fromEnvironment_missingVariable_throwsNamingVariable() {
        assertThatThrownBy(() -> KeyLoader.fromEnvironment(VAR, Map.of("OTHER", "x")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable VEIL_PSEUDONYM_KEY is not set");
    }

    @Test
    void fromEnvironment_emptyValue_throwsIsEmpty() {
        assertThatThrownBy(() -> KeyLoader.fromEnvironment(VAR, Map.of(VAR, "  ")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("environment variable VEIL_PSEUDONYM_KEY is empty");
    }

    @Test
    void fromEnvironment_shortKey_throwsWithLengthButNotContent() {
        String encoded =
                Base64.getEncoder()
                        .encodeToString("twelve bytes".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> KeyLoader.fromEnvironment(VAR, Map.of(VAR, encoded)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "environment variable VEIL_PSEUDONYM_KEY decodes to 12 bytes; at least 32 are required")
                .hasNoCause()
                .message()
                .doesNotContain(encoded)
                .doesNotContain("twelve");
    }

    @Test
    void fromEnvironment_notBase64_throwsWithoutContent() {
        String secret = "this is my secret passphrase!!! it is long enough!!";

        assertThatThrownBy(() -> KeyLoader.fromEnvironment(VAR, Map.of(VAR, secret)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("environment variable VEIL_PSEUDONYM_KEY is not base64")
                .hasNoCause()
                .message()
                .doesNotContain(secret)
                .doesNotContain("secret")
                .doesNotContain("!");
    }

    @Test
    void fromEnvironment_mixedAlphabets_throwsNotBase64() {
        String mixed = Base64.getEncoder().encodeToString(KEY).replace("////", "____");
        assertThat(mixed).startsWith("++++____");

        assertThatThrownBy(() -> KeyLoader.fromEnvironment(VAR, Map.of(VAR, mixed)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not base64")
                .message()
                .doesNotContain(mixed);
    }

    @Test
    void fromFile_goodKey_returnsKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(
                file, Base64.getEncoder().encodeToString(KEY) + "\n", StandardCharsets.US_ASCII);

        assertThat(KeyLoader.fromFile(file)).isEqualTo(KEY);
    }

    @Test
    void fromFile_missingFile_throwsNamingFileAndException(@TempDir Path dir) {
        Path file = dir.resolve("absent");

        assertThatThrownBy(() -> KeyLoader.fromFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("file " + file + " cannot be read: NoSuchFileException");
    }

    @Test
    void fromFile_shortKey_throwsWithoutContent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        String encoded =
                Base64.getEncoder()
                        .encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        Files.writeString(file, encoded, StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> KeyLoader.fromFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("file " + file + " decodes to 12 bytes; at least 32 are required")
                .message()
                .doesNotContain(encoded);
    }

    @Test
    void fromFile_binaryContent_throwsNotBase64WithoutContent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.write(file, "ключ-ключ-ключ-ключ-ключ-ключ-ключ".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> KeyLoader.fromFile(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "file " + file + " is not base64 (RFC 4648 standard or URL-safe alphabet)");
    }
}
