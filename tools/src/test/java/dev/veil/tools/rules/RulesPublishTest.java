package dev.veil.tools.rules;

import dev.veil.tools.cli.Cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./veil rules publish}: the refusals, which come before any broker is contacted (the
 * bootstrap address here is never reached). Publication itself is covered by the job's
 * RulesHotReloadITCase, which writes the same record.
 */
class RulesPublishTest {
    private static final String NOWHERE = "127.0.0.1:1";

    private record Run(int exit, String out, String err) {}

    private static Run publish(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "publish";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = Cli.execute(new RulesMain(), new PrintWriter(out), new PrintWriter(err), all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void publish_effectiveSoonerThanTheLead_isRefusedWithExit2() {
        Run r = publish("../config/rules.yaml", "--in", "PT1M", "--bootstrap-servers", NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.err()).contains("not published").contains("PT5M").contains("--lead");
    }

    @Test
    void publish_effectiveFromInThePast_isRefusedWithExit2() {
        Run r =
                publish(
                        "../config/rules.yaml",
                        "--effective-from",
                        Instant.now().minusSeconds(60).toString(),
                        "--lead",
                        "PT1S",
                        "--bootstrap-servers",
                        NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.err()).contains("not published");
    }

    @Test
    void publish_invalidFile_namesTheLineAndExits2(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("rules.yaml");
        Files.writeString(
                bad,
                Files.readString(Path.of("../config/rules.yaml"))
                        .replace("ipv4_prefix: 24", "ipv4_prefix: 32"));
        Run r = publish(bad.toString(), "--in", "PT1H", "--bootstrap-servers", NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.out()).contains(bad + ":").contains("ipv4_prefix");
        assertThat(r.err()).contains("not published");
    }

    @Test
    void publish_withoutAnEffectiveTime_isAUsageError() {
        Run r = publish("../config/rules.yaml", "--bootstrap-servers", NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
    }
}
