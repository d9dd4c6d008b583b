package dev.veil.config;

import java.util.ArrayList;
import java.util.List;

/**
 * A configuration file is wrong. The message names the file, the place (line, column and the dotted
 * path of the key) and what is wrong, for example:
 *
 * <pre>
 * config/rules.yaml:37:58 (outputs.device.fields.ip_prefix.generalise_ip.ipv4_prefix): must be between 0 and 24, was 40
 * </pre>
 *
 * <p>Thrown at startup, before the job graph is built, so a bad config never reaches a cluster.
 * Messages quote configuration values, which are never secrets: keys are only referenced by
 * environment variable or file name.
 */
public final class ConfigException extends RuntimeException {
    private final String file;
    private final String path;
    private final int line;
    private final int column;
    private final String problem;

    /**
     * @param file the file as the user named it
     * @param path dotted path of the key, "" for the document root
     * @param line 1-based line, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     * @param problem what is wrong, in words
     */
    public ConfigException(String file, String path, int line, int column, String problem) {
        super(format(file, path, line, column, problem));
        this.file = file;
        this.path = path;
        this.line = line;
        this.column = column;
        this.problem = problem;
    }

    private static String format(String file, String path, int line, int column, String problem) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        if (path != null && !path.isEmpty()) {
            sb.append(" (").append(path).append(')');
        }
        return sb.append(": ").append(problem).toString();
    }

    /**
     * This problem and the further ones a loader found before giving up, in the order found: a
     * loader that goes on past an error (per output, per field rule) attaches the others as
     * suppressed exceptions, so callers that want only the first still get it as before.
     */
    public List<ConfigException> all() {
        List<ConfigException> out = new ArrayList<>();
        out.add(this);
        for (Throwable t : getSuppressed()) {
            if (t instanceof ConfigException c) {
                out.add(c);
            }
        }
        return out;
    }

    public String file() {
        return file;
    }

    public String path() {
        return path;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public String problem() {
        return problem;
    }
}
