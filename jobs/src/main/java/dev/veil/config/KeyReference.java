package dev.veil.config;

import dev.veil.privacy.KeyLoader;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the pseudonymisation key lives: an environment variable or a file, never the key itself.
 * This reference is what config holds and what the job graph carries; each task resolves it in
 * {@code open()}, so the key reaches no config file, log line, job graph or exception message.
 */
public final class KeyReference implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String environmentVariable;
    private final String file;

    private KeyReference(String environmentVariable, String file) {
        this.environmentVariable = environmentVariable;
        this.file = file;
    }

    /**
     * Reads {@code {env: NAME}} or {@code {file: PATH}}. Errors never quote the value: a key pasted
     * here by mistake must not reach a log line.
     *
     * @throws ConfigException naming the file, line and problem
     */
    public static KeyReference fromConfig(ConfigNode key) {
        key.allowOnly("env", "file");
        if (key.has("env") == key.has("file")) {
            throw key.error(
                    "give exactly one of 'env' (an environment variable name) or 'file' (a path); never the key itself");
        }
        if (key.has("env")) {
            ConfigNode v = key.child("env");
            if (!v.json().isTextual()
                    || !v.json().asText().matches("[A-Za-z_][A-Za-z0-9_]{0,127}")) {
                throw v.error(
                        "not an environment variable name (letters, digits and _); the key itself never goes in config");
            }
            return environment(v.json().asText());
        }
        ConfigNode f = key.child("file");
        if (!f.json().isTextual() || f.json().asText().isBlank()) {
            throw f.error("expected the path of the file that holds the key");
        }
        return file(f.json().asText());
    }

    /** A key in an environment variable (base64 of at least 32 bytes). */
    public static KeyReference environment(String variable) {
        return new KeyReference(variable, null);
    }

    /** A key in a file (base64 of at least 32 bytes). */
    public static KeyReference file(String path) {
        return new KeyReference(null, path);
    }

    /**
     * Reads the key.
     *
     * @return the key bytes; callers must not log or keep them beyond building a pseudonymiser
     * @throws IllegalStateException naming the variable or file and what is wrong, never the
     *     content
     */
    public byte[] resolve() {
        return resolve(System.getenv());
    }

    /** As {@link #resolve()}, with an explicit environment (for tests). */
    public byte[] resolve(Map<String, String> environment) {
        if (environmentVariable != null) {
            return KeyLoader.fromEnvironment(environmentVariable, environment);
        }
        return KeyLoader.fromFile(Path.of(file));
    }

    @Override
    public String toString() {
        return environmentVariable != null ? "env:" + environmentVariable : "file:" + file;
    }
}
