package dev.veil.tools.rules;

import dev.veil.tools.cli.Cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./veil rules check}: exit codes and the exact messages, on shipped and broken files. */
class RulesCheckTest {
    private static final String FIXTURES = "src/test/resources/config-check/";

    private record Run(int exit, String out, String err) {}

    private static Run check(String... files) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[files.length + 1];
        args[0] = "check";
        System.arraycopy(files, 0, args, 1, files.length);
        int exit = Cli.execute(new RulesMain(), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void check_shippedFiles_exit0AndNameTheirKinds() {
        Run r =
                check(
                        "../config/rules.yaml",
                        "../config/veil.yaml",
                        "../config/aggregates.yaml",
                        "../deploy/config/veil.yaml",
                        "../deploy/config/aggregates.yaml",
                        "../config/privacy-ledger.yaml",
                        "../config/examples/aggregates-daily-cap.yaml",
                        "../config/examples/privacy-ledger-daily-cap.yaml");

        assertThat(r.exit()).isZero();
        assertThat(r.out().lines())
                .containsExactly(
                        "../config/rules.yaml: valid rules",
                        "../config/veil.yaml: valid anonymisation job configuration",
                        "../config/aggregates.yaml: valid aggregates configuration",
                        "../deploy/config/veil.yaml: valid anonymisation job configuration",
                        "../deploy/config/aggregates.yaml: valid aggregates configuration",
                        "../config/privacy-ledger.yaml: valid privacy ledger",
                        "../config/examples/aggregates-daily-cap.yaml: valid aggregates configuration",
                        "../config/examples/privacy-ledger-daily-cap.yaml: valid privacy ledger");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void check_brokenRules_namesEveryProblemOfEveryOutputAndExits2() {
        Run r = check(FIXTURES + "rules-broken.yaml");

        String f = FIXTURES + "rules-broken.yaml";
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out().lines())
                .containsExactly(
                        f
                                + ":8:27 (outputs.device.purposes[1]): 'marketing' is not one of [ads,"
                                + " analytics, location, personalisation, product_improvement, research,"
                                + " security]",
                        f
                                + ":12:21 (outputs.device.fields.device_model): 'kept' is not one of [drop, keep]",
                        f
                                + ":13:58 (outputs.device.fields.ip_prefix.generalise_ip.ipv4_prefix): must"
                                + " be between 0 and 24, was 32",
                        f
                                + ":14:37 (outputs.device.fields.battery_pct.bucket.widht): unknown key"
                                + " 'widht'; expected one of [origin, width]",
                        f
                                + ":15:16 (outputs.device.fields.user_id): 'user_id' of the device stream"
                                + " is an identifier (x-veil-identifier in its schema) and cannot be kept"
                                + " as it is; pseudonymise, generalise, mask or drop it",
                        f
                                + ":21:49 (outputs.location.fields.event_time.truncate_time.granularity):"
                                + " must divide a day evenly (for example PT1M, PT15M, PT1H, P1D), was"
                                + " PT7M");
        assertThat(r.err()).isEqualTo("6 problems in 1 of 1 file" + System.lineSeparator());
    }

    @Test
    void check_severalFiles_checksEachAndExits2WhenOneIsBroken() {
        String tab = FIXTURES + "rules-tab.yaml";
        String veil = FIXTURES + "veil-broken.yaml";

        Run r = check(tab, "../config/rules.yaml", veil);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out().lines())
                .containsExactly(
                        tab
                                + ":5:1: not valid YAML: found character '\\t(TAB)' that cannot start"
                                + " any token. (Do not use \\t(TAB) for indentation) (while scanning for"
                                + " the next token)",
                        "../config/rules.yaml: valid rules",
                        veil
                                + ":6:14 (kafka.group_idd): unknown key 'group_idd'; expected one of"
                                + " [bootstrap_servers, group_id, properties, starting_offsets]",
                        veil
                                + ":22:19 (time.max_future_skw): unknown key 'max_future_skw'; expected"
                                + " one of [max_future_skew, max_out_of_orderness, rules_lead, source_idleness]");
        assertThat(r.err()).isEqualTo("3 problems in 2 of 3 files" + System.lineSeparator());
    }

    @Test
    void check_misspeltKeysFixed_namesTheBadValueTheLoaderFindsNext(@TempDir Path dir)
            throws IOException {
        Path veil = dir.resolve("veil.yaml");
        Files.writeString(
                veil,
                Files.readString(Path.of(FIXTURES + "veil-broken.yaml"))
                        .replace("group_idd:", "group_id:")
                        .replace("max_future_skw:", "max_future_skew:"));

        Run r = check(veil.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out().lines())
                .containsExactly(
                        veil
                                + ":41:14 (delivery.guarantee): 'twice' is not one of [at_least_once,"
                                + " exactly_once]");
    }

    @Test
    void check_fileOfNoKnownKind_saysWhatItExpects(@TempDir Path dir) throws IOException {
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, "name: x\n");
        Path missing = dir.resolve("rules-missing.yaml");

        Run r = check(other.toString(), missing.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out().lines())
                .containsExactly(
                        other
                                + ":1:1: cannot tell which Veil configuration this is: expected a"
                                + " top-level 'outputs' (rules), 'pseudonymisation_key' (veil.yaml),"
                                + " 'anonymisation_config' (aggregates.yaml) or 'deployments' (privacy"
                                + " ledger), or a file name starting with rules, veil, aggregates or"
                                + " privacy-ledger",
                        missing + ": cannot read file: NoSuchFileException");
    }

    @Test
    void check_withoutFiles_isAUsageError() {
        Run r = check();

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter").contains("FILE");
        assertThat(List.of(r.out())).containsExactly("");
    }
}
