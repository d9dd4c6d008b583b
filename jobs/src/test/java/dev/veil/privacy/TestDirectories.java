package dev.veil.privacy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test support for file-system preconditions. */
final class TestDirectories {

    private TestDirectories() {}

    /**
     * Creates {@code java.io.tmpdir} if it is missing. Surefire points it at {@code target/tmp},
     * which a clean build has not created yet; {@code @TempDir} and H3's native library extraction
     * need it.
     */
    static void ensureJavaTmpDir() throws IOException {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    }
}
