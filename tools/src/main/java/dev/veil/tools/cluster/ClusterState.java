package dev.veil.tools.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What {@code ./veil cluster} remembers between its runs, in {@code out/cluster/state.properties}:
 * ports (chosen once), process ids, job ids and the last savepoint of each job.
 */
final class ClusterState {
    private final Path file;
    private final Properties props = new Properties();

    private ClusterState(Path file) {
        this.file = file;
    }

    static ClusterState load(Path dir) throws IOException {
        ClusterState s = new ClusterState(dir.resolve("state.properties"));
        if (Files.exists(s.file)) {
            try (Reader r = Files.newBufferedReader(s.file)) {
                s.props.load(r);
            }
        }
        return s;
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(props.getProperty(key));
    }

    String require(String key) {
        return get(key).orElseThrow(
                        () ->
                                new IllegalStateException(
                                        "no "
                                                + key
                                                + " in "
                                                + file
                                                + "; is the cluster up (./veil cluster up)?"));
    }

    int port(String key) {
        return Integer.parseInt(require(key));
    }

    void set(String key, Object value) throws IOException {
        props.setProperty(key, String.valueOf(value));
        save();
    }

    void remove(String key) throws IOException {
        props.remove(key);
        save();
    }

    /** Keys and values in key order. */
    TreeMap<String, String> all() {
        TreeMap<String, String> m = new TreeMap<>();
        props.stringPropertyNames().forEach(k -> m.put(k, props.getProperty(k)));
        return m;
    }

    private void save() throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("state.properties.tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            for (var e : all().entrySet()) {
                Properties one = new Properties();
                one.setProperty(e.getKey(), e.getValue());
                // Properties.store writes a date comment first; keep only the key=value line
                StringWriter sw = new StringWriter();
                one.store(sw, null);
                String[] lines = sw.toString().split("\n");
                w.write(lines[lines.length - 1]);
                w.write("\n");
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
