package dev.veil.tools.cli;

import dev.veil.config.ConfigException;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Runs a {@code ./veil} subcommand with the exit codes CLI users expect: 0 when it succeeds, 2 for
 * a usage error or a mistake in a configuration file, 1 when something else fails. A configuration
 * mistake is the user's to fix: it is printed as its located messages ({@code file:line:col (path):
 * what is wrong}, one per problem found), never as a stack trace.
 */
public final class Cli {
    /** Exit code of a usage error or a configuration mistake. */
    public static final int USER_ERROR = 2;

    private Cli() {}

    /** Runs {@code command} on {@code args}, printing to the standard streams. */
    public static int execute(Object command, String... args) {
        return execute(
                command,
                new PrintWriter(System.out, true),
                new PrintWriter(System.err, true),
                args);
    }

    /** As {@link #execute(Object, String...)}, printing to {@code out} and {@code err}. */
    public static int execute(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(
                (e, line, parsed) -> {
                    ConfigException mistake = configMistake(e);
                    if (mistake == null) {
                        throw e;
                    }
                    for (ConfigException c : mistake.all()) {
                        line.getErr().println(c.getMessage());
                    }
                    line.getErr().flush();
                    return USER_ERROR;
                });
        return cli.execute(args);
    }

    /** The ConfigException that {@code e} is or was caused by, or null. */
    private static ConfigException configMistake(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException c) {
                return c;
            }
        }
        return null;
    }
}
