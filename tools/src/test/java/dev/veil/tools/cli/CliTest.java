package dev.veil.tools.cli;

import dev.veil.tools.demo.DemoMain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A user's config mistake ends a {@code ./veil} command with its located message and exit 2. */
class CliTest {
    @Test
    void demo_withAMisspeltKey_printsTheLocatedMessageAndExits2WithoutAStackTrace(@TempDir Path dir)
            throws IOException {
        Path config = dir.resolve("veil.yaml");
        String text =
                Files.readString(Path.of("../config/veil.yaml"))
                        .replace("  source_idleness: PT30S", "  source_idlenes: PT30S");
        Files.writeString(config, text);
        List<String> lines = text.lines().toList();
        int line = 0;
        while (line < lines.size() && !lines.get(line).startsWith("  source_idlenes:")) {
            line++;
        }
        line++; // 1-based
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int exit =
                Cli.execute(
                        new DemoMain(),
                        new PrintWriter(out),
                        new PrintWriter(err),
                        "--config",
                        config.toString(),
                        "--out",
                        dir.resolve("out").toString());

        assertThat(line).isLessThanOrEqualTo(lines.size());
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().lines())
                .containsExactly(
                        config
                                + ":"
                                + line
                                + ":19 (time.source_idlenes): unknown key 'source_idlenes';"
                                + " expected one of [max_future_skew, max_out_of_orderness,"
                                + " rules_lead, source_idleness]");
        assertThat(out.toString()).isEmpty();
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void execute_unknownOption_isAUsageErrorWithExit2() {
        StringWriter err = new StringWriter();

        int exit =
                Cli.execute(
                        new DemoMain(),
                        new PrintWriter(new StringWriter()),
                        new PrintWriter(err),
                        "--no-such-option");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
    }
}
