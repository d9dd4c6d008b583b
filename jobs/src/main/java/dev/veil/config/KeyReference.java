package dev.veil.config;

import dev.veil.privacy.KeyLoader;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the pseudonymisation key lives: an environment variable or a file, never the key itself. This reference is
 * what config holds and what the job graph carries; each task resolves it in {@code open()}, so the key reaches no
 * config file, log line, job graph or exception message.
 */
public final class KeyReference implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String environmentVariable;
    private final String file;

    private KeyReference(String environmentVariable, String file) {
        this.environmentVariable = environmentVariable;
        this.file = file;
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
     * @throws IllegalStateException naming the variable or file and what is wrong, never the content
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
