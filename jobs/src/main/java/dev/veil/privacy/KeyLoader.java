package dev.veil.privacy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Loads the pseudonymisation key for {@link Pseudonymiser} from an environment variable or a file.
 *
 * <p>Format: the value (environment) or the whole file content, with surrounding white space
 * trimmed, is base64 in the standard alphabet ({@code +/}) or the URL-safe alphabet ({@code -_}) of
 * RFC 4648 (sections 4 and 5), padding optional, no line breaks, decoding to at least 32 bytes (the
 * SHA-256 output length, as RFC 2104 section 3 recommends). Generate one with {@code openssl rand
 * -base64 32}.
 *
 * <p>Errors are {@link IllegalStateException}s (the job must not start) whose message names the
 * variable or file and what is wrong; they never contain the value or file content, nor a library
 * message that could quote it.
 *
 * <p>Stateless and thread-safe.
 */
public final class KeyLoader {

    /** Minimum decoded key length in bytes, the SHA-256 output length. */
    private static final int MIN_KEY_BYTES = 32;

    private KeyLoader() {}

    /**
     * Reads and decodes a key from an environment variable.
     *
     * @param variable the variable name, for example {@code "VEIL_PSEUDONYM_KEY"}; must not be null
     * @param env the environment, usually {@link System#getenv()}; must not be null
     * @return the decoded key, a new array of at least 32 bytes
     * @throws IllegalStateException if the variable is not set, is empty, is not base64 or decodes
     *     to too few bytes
     * @throws NullPointerException if an argument is null
     */
    public static byte[] fromEnvironment(String variable, Map<String, String> env) {
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(env, "env");
        String source = "environment variable " + variable;
        String value = env.get(variable);
        if (value == null) {
            throw new IllegalStateException(source + " is not set");
        }
        return decode(source, value);
    }

    /**
     * Reads and decodes a key from a file (for example a mounted Kubernetes secret).
     *
     * @param file the file; must not be null
     * @return the decoded key, a new array of at least 32 bytes
     * @throws IllegalStateException if the file cannot be read (the message names the I/O exception
     *     type), is empty, is not base64 or decodes to too few bytes
     * @throws NullPointerException if {@code file} is null
     */
    public static byte[] fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        String source = "file " + file;
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            // I/O exceptions describe the path, never the content, so the cause is kept.
            throw new IllegalStateException(
                    source + " cannot be read: " + e.getClass().getSimpleName(), e);
        }
        // Non-ASCII bytes become U+FFFD, which no base64 alphabet accepts.
        return decode(source, new String(content, StandardCharsets.US_ASCII));
    }

    private static byte[] decode(String source, String value) {
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalStateException(source + " is empty");
        }
        boolean urlSafe = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0;
        byte[] key;
        try {
            key = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(trimmed);
        } catch (IllegalArgumentException e) {
            // The JDK message quotes the offending character: drop it.
            throw new IllegalStateException(
                    source + " is not base64 (RFC 4648 standard or URL-safe alphabet)");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalStateException(
                    source
                            + " decodes to "
                            + key.length
                            + " bytes; at least "
                            + MIN_KEY_BYTES
                            + " are required");
        }
        return key;
    }
}
