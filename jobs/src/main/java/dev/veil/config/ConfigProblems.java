package dev.veil.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Collects the {@link ConfigException}s of independent parts of a file (one output, one field
 * rule), so that one run names every problem instead of the first. Use it only where a part's error
 * cannot cause another part's: a later check that depends on a failed part would report a
 * consequence, not a problem. Not thread-safe.
 */
public final class ConfigProblems {
    private final List<ConfigException> found = new ArrayList<>();

    /**
     * Runs {@code part}; a {@link ConfigException} it throws (with its own further problems) is
     * recorded.
     *
     * @return the part's result, or null when it failed
     */
    public <T> T attempt(Supplier<T> part) {
        try {
            return part.get();
        } catch (ConfigException e) {
            found.addAll(e.all());
            return null;
        }
    }

    /** As {@link #attempt(Supplier)} for a part without a result; true when it passed. */
    public boolean attempt(Runnable part) {
        int before = found.size();
        attempt(
                () -> {
                    part.run();
                    return Boolean.TRUE;
                });
        return found.size() == before;
    }

    /** True when no part failed. */
    public boolean none() {
        return found.isEmpty();
    }

    /**
     * Throws the first problem, carrying the others as suppressed exceptions ({@link
     * ConfigException#all()}); returns when there is none.
     */
    public void throwIfAny() {
        if (found.isEmpty()) {
            return;
        }
        ConfigException first = found.get(0);
        ConfigException thrown =
                new ConfigException(
                        first.file(), first.path(), first.line(), first.column(), first.problem());
        for (ConfigException other : found.subList(1, found.size())) {
            thrown.addSuppressed(other);
        }
        throw thrown;
    }
}
