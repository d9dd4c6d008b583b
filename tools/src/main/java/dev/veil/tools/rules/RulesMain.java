package dev.veil.tools.rules;

import dev.veil.config.ConfigException;
import dev.veil.tools.cli.Cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./veil rules}: work on the privacy team's rules (and the other config files). */
@Command(
        name = "veil rules",
        mixinStandardHelpOptions = true,
        description =
                "Checks Veil's configuration files before they are rolled out; previews and"
                        + " compares rules files on sample records; publishes a rules version to a"
                        + " running job.",
        subcommands = {
            RulesMain.Check.class,
            PreviewCommand.class,
            DiffCommand.class,
            RulesPublish.class
        })
public final class RulesMain implements Callable<Integer> {
    @Spec CommandSpec spec;

    public static void main(String[] args) {
        System.exit(Cli.execute(new RulesMain(), args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Cli.USER_ERROR;
    }

    /** {@code ./veil rules check FILE...}. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = {
                "Validates rules files, veil.yaml and aggregates.yaml as the jobs do at startup,"
                        + " without a key, a broker or a build of the job graph. Key references"
                        + " (env: or file:) are checked for their form only; an aggregates.yaml"
                        + " is checked with the veil.yaml its anonymisation_config names.",
                "A file's kind follows from its top-level keys: outputs (rules),"
                        + " pseudonymisation_key or topics (veil.yaml), anonymisation_config"
                        + " (aggregates.yaml); failing that from its name: rules*, veil*,"
                        + " aggregates*.",
                "Prints every problem found as file:line:col (path): what is wrong. Exit 0 when"
                        + " every file is valid, 2 otherwise."
            })
    static final class Check implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to check")
        List<Path> files;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            int problems = 0;
            int badFiles = 0;
            for (Path file : files) {
                ConfigCheck.Result r = ConfigCheck.check(file);
                if (r.valid()) {
                    out.println(file + ": valid " + r.kind().label());
                    continue;
                }
                badFiles++;
                for (ConfigException e : r.problems()) {
                    out.println(e.getMessage());
                    problems++;
                }
            }
            out.flush();
            if (problems == 0) {
                return 0;
            }
            err.printf(
                    "%d problem%s in %d of %d file%s%n",
                    problems,
                    problems == 1 ? "" : "s",
                    badFiles,
                    files.size(),
                    files.size() == 1 ? "" : "s");
            err.flush();
            return Cli.USER_ERROR;
        }
    }
}
