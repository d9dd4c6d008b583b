package dev.veil.testing;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one class logs while a test runs, captured instead of printed: a test that provokes a
 * warning asserts it (and that it names no identifier) rather than leaving it in the build output.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final String name;
    private final AbstractAppender appender;

    private LogCapture(String logger) {
        this.context = (LoggerContext) LogManager.getContext(false);
        this.name = logger;
        this.appender =
                new AbstractAppender("capture-" + name, null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        messages.add(
                                event.getLevel() + " " + event.getMessage().getFormattedMessage());
                    }
                };
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig captured = new LoggerConfig(name, Level.INFO, false);
        captured.addAppender(appender, null, null);
        config.addLogger(name, captured);
        context.updateLoggers();
    }

    /** Captures what {@code logger}'s class logs at INFO and above, until closed. */
    public static LogCapture of(Class<?> logger) {
        return new LogCapture(logger.getName());
    }

    /** Captures what the logger named {@code logger} (and those under it) logs, until closed. */
    public static LogCapture of(String logger) {
        return new LogCapture(logger);
    }

    /**
     * The messages so far, each prefixed with its level, e.g. {@code "WARN A consent change ..."}.
     */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(name);
        context.updateLoggers();
        appender.stop();
    }
}
