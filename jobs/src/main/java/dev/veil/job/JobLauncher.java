package dev.veil.job;

import dev.veil.config.ConfigException;

import org.apache.flink.configuration.IllegalConfigurationException;

import picocli.CommandLine;

/**
 * Runs a job's picocli command. A configuration or startup problem (a bad config file, a missing
 * key, a bad argument) is printed as one line, {@code veil: startup error: ...}, with exit code 2
 * and no stack trace; the messages hold no secret and no record value. Anything else propagates
 * with its stack trace.
 */
public final class JobLauncher {
    private JobLauncher() {}

    /**
     * Parses {@code args} into {@code command}, runs it and exits the JVM with a non-zero code on
     * failure.
     */
    public static void run(Object command, String[] args) {
        int code =
                new CommandLine(command)
                        .setExecutionExceptionHandler(
                                (e, cmd, parsed) -> {
                                    if (e instanceof ConfigException
                                            || e instanceof IllegalConfigurationException
                                            || e instanceof IllegalStateException
                                            || e instanceof IllegalArgumentException) {
                                        cmd.getErr()
                                                .println("veil: startup error: " + e.getMessage());
                                        return 2;
                                    }
                                    throw e;
                                })
                        .execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
