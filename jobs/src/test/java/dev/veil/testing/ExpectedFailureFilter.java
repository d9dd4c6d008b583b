package dev.veil.testing;

import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.util.FlinkExpectedException;
import org.apache.flink.util.SerializedThrowable;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

import java.util.Arrays;
import java.util.Set;

/**
 * Keeps out of the test log the failures that Flink logs, each with a stack trace, in the normal
 * course of a passing test; everything else passes. Configured in log4j2-test.properties:
 *
 * <ul>
 *   <li>a failure whose cause Flink marks as expected ({@link FlinkExpectedException}), such as
 *       "The TaskExecutor is shutting down" for every task of a TaskManager that a test stops;
 *   <li>a checkpoint that cannot complete because its tasks or its job are stopping: a bounded
 *       job's sources end while a checkpoint is under way, or a test cancels its job. Flink does
 *       not count these as failed checkpoints;
 *   <li>the same abort once more, as an error of the JobManager: a checkpoint aborted while it was
 *       being triggered never reached the operator coordinators, and told of its abort, they throw
 *       "Trying to open gateway for unseen checkpoint" where they have nothing to reopen.
 * </ul>
 *
 * <p>{@link #hiding} keeps one more kind of failure out for the duration of a test that provokes
 * it.
 */
@Plugin(name = "ExpectedFailureFilter", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE)
public final class ExpectedFailureFilter extends AbstractFilter {
    /** Why a checkpoint cannot complete when its tasks or its job are stopping (or starting). */
    private static final Set<CheckpointFailureReason> STOPPING =
            Set.of(
                    CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING,
                    CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_NOT_READY,
                    CheckpointFailureReason.CHECKPOINT_DECLINED_INPUT_END_OF_STREAM,
                    CheckpointFailureReason.CHECKPOINT_COORDINATOR_SUSPEND,
                    CheckpointFailureReason.CHECKPOINT_COORDINATOR_SHUTDOWN);

    private final String logger;
    private final Class<? extends Throwable> kind;

    private ExpectedFailureFilter(
            String logger, Class<? extends Throwable> kind, Result onMatch, Result onMismatch) {
        super(onMatch, onMismatch);
        this.logger = logger;
        this.kind = kind;
    }

    /**
     * The filter as configured: an expected failure is denied, anything else left to the rest of
     * the config.
     */
    @PluginFactory
    public static ExpectedFailureFilter createFilter(
            @PluginAttribute("onMatch") Result onMatch,
            @PluginAttribute("onMismatch") Result onMismatch) {
        return new ExpectedFailureFilter(
                null,
                null,
                onMatch == null ? Result.DENY : onMatch,
                onMismatch == null ? Result.NEUTRAL : onMismatch);
    }

    /**
     * Keeps out, until closed, what {@code logger} (or a logger under it) logs with an exception of
     * {@code kind} in its cause chain.
     */
    public static AutoCloseable hiding(String logger, Class<? extends Throwable> kind) {
        ExpectedFailureFilter filter =
                new ExpectedFailureFilter(logger, kind, Result.DENY, Result.NEUTRAL);
        filter.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.addFilter(filter);
        return () -> root.removeFilter(filter);
    }

    @Override
    public Result filter(LogEvent event) {
        Throwable thrown = event.getThrown();
        if (thrown == null) {
            return Result.NEUTRAL;
        }
        boolean expected =
                kind == null
                        ? inChain(thrown, FlinkExpectedException.class)
                                || checkpointOfStoppingTasks(thrown)
                                || abortOfUnseenCheckpoint(thrown)
                        : event.getLoggerName().startsWith(logger) && inChain(thrown, kind);
        return expected ? onMatch : onMismatch;
    }

    private static boolean checkpointOfStoppingTasks(Throwable t) {
        if (!(t instanceof CheckpointException)) {
            return false;
        }
        CheckpointException e = (CheckpointException) t;
        return STOPPING.contains(e.getCheckpointFailureReason())
                // A finished task has left its TaskManager by the time the checkpoint reaches it.
                || e.getCheckpointFailureReason() == CheckpointFailureReason.TASK_CHECKPOINT_FAILURE
                        && String.valueOf(e.getMessage())
                                .contains("checkpoint request for unknown task");
    }

    private static boolean abortOfUnseenCheckpoint(Throwable t) {
        return t instanceof IllegalStateException
                && String.valueOf(t.getMessage())
                        .startsWith("Trying to open gateway for unseen checkpoint")
                && Arrays.stream(t.getStackTrace())
                        .anyMatch(
                                f ->
                                        f.getClassName().endsWith(".OperatorCoordinatorHolder")
                                                && f.getMethodName()
                                                        .contains("notifyCheckpointAborted"));
    }

    /**
     * Whether {@code t} or a cause is a {@code kind}, also when it came from another JVM as a
     * SerializedThrowable.
     */
    private static boolean inChain(Throwable t, Class<? extends Throwable> kind) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (kind.isInstance(c)
                    || c instanceof SerializedThrowable
                            && kind.getName()
                                    .equals(
                                            ((SerializedThrowable) c)
                                                    .getOriginalErrorClassName())) {
                return true;
            }
        }
        return false;
    }
}
