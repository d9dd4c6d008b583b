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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./veil rules diff}: structural findings, weakening flags with their lines, exit codes. */
class RulesDiffTest {
    private static final String SHIPPED = "../config/rules.yaml";
    private static final String FIXTURES = "src/test/resources/rules-diff/";

    private record Run(int exit, String out, String err) {
        /** The lines under {@code heading} up to the next blank line. */
        List<String> section(String heading) {
            List<String> lines = out.lines().toList();
            int at = -1;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith(heading)) {
                    at = i;
                }
            }
            if (at < 0) {
                return List.of();
            }
            int end = at + 1;
            while (end < lines.size() && !lines.get(end).isBlank()) {
                end++;
            }
            return lines.subList(at + 1, end).stream().map(String::strip).toList();
        }
    }

    private static final String RISK = "Re-identification risk on the sample";

    private static final Pattern FIGURES =
            Pattern.compile(
                    "(\\w+): records (\\d+) -> (\\d+), unique ([0-9.]+) % -> ([0-9.]+) %, below k"
                            + " ([0-9.]+) % -> ([0-9.]+) % \\(quasi-identifiers: (.*)\\).*");

    /** The risk line of {@code output}, matched against {@link #FIGURES}. */
    private static Matcher risk(Run r, String output) {
        String line =
                r.section(RISK).stream()
                        .filter(l -> l.startsWith(output + ": "))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no risk line for " + output));
        Matcher m = FIGURES.matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        return m;
    }

    private static Run diff(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "diff";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = Cli.execute(new RulesMain(), new PrintWriter(out), new PrintWriter(err), all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void diff_identicalFiles_noChangesExit0() {
        Run r = diff(SHIPPED, SHIPPED, "--sample", "2");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).doesNotContain("Weakens privacy").doesNotContain("Changes (");
        assertThat(r.section("On sample records"))
                .containsExactly("no output field appears, disappears or changes");
        assertThat(r.out()).contains("No changes (exit 0).");
        // the same figures before and after, for every output, measured on a real sample
        assertThat(r.section(RISK)).hasSize(3);
        for (String output : List.of("device", "location", "service")) {
            Matcher m = risk(r, output);
            assertThat(Long.parseLong(m.group(2))).isGreaterThan(100);
            assertThat(m.group(3)).isEqualTo(m.group(2));
            assertThat(m.group(5)).isEqualTo(m.group(4));
            assertThat(m.group(7)).isEqualTo(m.group(6));
        }
        assertThat(risk(r, "location").group(8)).isEqualTo("event_time, h3_cell");
        assertThat(r.out()).doesNotContain("[risk up]");
    }

    @Test
    void diff_weakeningChange_flagsFirstInLineOrderAtNewLinesAndExits3() {
        String w = FIXTURES + "rules-weaker.yaml";

        Run r = diff(SHIPPED, w);

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out().indexOf("Weakens privacy (5):"))
                .isPositive()
                .isLessThan(r.out().indexOf("Changes ("));
        assertThat(r.section("Weakens privacy ("))
                .containsExactly(
                        w
                                + ":23  outputs.device.purposes: purpose product_improvement no"
                                + " longer required: published for subjects who did not grant it",
                        w
                                + ":53  outputs.location.fields.event_time: truncate_time granularity"
                                + " PT5M -> PT1M: finer times",
                        w
                                + ":55  outputs.location.fields.accuracy_m: bucket {width: 50} -> keep:"
                                + " published as it is",
                        w
                                + ":62  outputs.location.fields.ip_prefix: absent -> generalise_ip"
                                + " {ipv4_prefix: 24, ipv6_prefix: 32} from ip: newly published",
                        w
                                + ":86  outputs.service.fields.ip_prefix: generalise_ip ipv4_prefix 16"
                                + " -> 24: keeps more of each IPv4 address");
        assertThat(r.section("Changes ("))
                .contains(w + ":15  version: \"2026-11-29.1\" -> \"2026-12-01.1\"")
                // drop -> absent publishes nothing either way
                .noneMatch(l -> l.contains("fields.ip: "));
        // on the sample: the /16 -> /24 change shows as a change of form, with a synthetic example
        assertThat(r.section("On sample records"))
                .anyMatch(
                        l ->
                                l.startsWith("service.ip_prefix: changes form in ")
                                        && l.contains("a.b.0.0/16 -> a.b.c.0/24; e.g. "))
                .anyMatch(l -> l.startsWith("location.accuracy_m: changes form in "));
        // minutes instead of five-minute steps: more location records alone in their group
        Matcher loc = risk(r, "location");
        assertThat(loc.group(3)).isEqualTo(loc.group(2));
        assertThat(Double.parseDouble(loc.group(5)))
                .isGreaterThan(Double.parseDouble(loc.group(4)) + 1);
        assertThat(Double.parseDouble(loc.group(7)))
                .isGreaterThanOrEqualTo(Double.parseDouble(loc.group(6)));
        assertThat(r.section(RISK))
                .anyMatch(l -> l.startsWith("location: ") && l.endsWith("[risk up]"));
    }

    @Test
    void diff_quasiIdentifierMarkRemoved_listedAsChangeAndMeasuredWithout(@TempDir Path dir)
            throws IOException {
        Path unmarked = dir.resolve("rules.yaml");
        String shipped = Files.readString(Path.of(SHIPPED));
        String h3 =
                "h3_cell: {from: [lat, lon], generalise_location: {resolution: 9},"
                        + " quasi_identifier: true}";
        assertThat(shipped).contains(h3);
        Files.writeString(
                unmarked,
                shipped.replace(
                        h3, "h3_cell: {from: [lat, lon], generalise_location: {resolution: 9}}"));

        Run r = diff(SHIPPED, unmarked.toString(), "--sample", "0", "--risk-sample", "100");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("Weakens privacy");
        assertThat(r.section("Changes ("))
                .containsExactly(
                        unmarked
                                + ":54  outputs.location.fields.h3_cell: quasi_identifier mark"
                                + " removed: no longer measured for re-identification risk");
        // the same records, grouped by event_time alone: fewer of them unique
        Matcher loc = risk(r, "location");
        assertThat(loc.group(3)).isEqualTo(loc.group(2));
        assertThat(Double.parseDouble(loc.group(5))).isLessThan(Double.parseDouble(loc.group(4)));
        assertThat(loc.group(8)).isEqualTo("event_time, h3_cell -> event_time");
        assertThat(r.out()).contains("for 100 synthetic subjects");
    }

    @Test
    void diff_structuralChanges_eachOutputAndMinorsCaseFoundExit3() {
        String s = FIXTURES + "rules-structural.yaml";

        Run r = diff(SHIPPED, s, "--sample", "2");

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.section("Weakens privacy ("))
                .containsExactly(
                        s
                                + ":49  outputs.location.minors.publish: false -> true: minors' records are published",
                        s
                                + ":72  outputs.service.minors.drop: referrer_host no longer dropped: minors'"
                                + " records carry it",
                        s
                                + ":76  outputs.service.fields.session: pseudonym scope subject -> global:"
                                + " linkable more widely",
                        s
                                + ":88  outputs.device_health: new output: publishes 1 field(s) of the device"
                                + " stream to veil.anon.device_health");
        assertThat(r.section("Changes ("))
                .contains(
                        s + ":22  outputs.device.topic: veil.anon.device -> veil.anon.device.v2",
                        s + ":68  outputs.service.purposes: purpose research now required",
                        SHIPPED
                                + ":83  outputs.service.fields.duration_ms: bucket {width: 1000} -> absent");
        // the minor's location record is now published, and the new output's field appears
        assertThat(r.section("On sample records"))
                .contains("location: records published 1 of 2 -> 2 of 2")
                .anyMatch(
                        l -> l.startsWith("device_health: records published none (no such output)"))
                .anyMatch(
                        l -> l.startsWith("device_health.battery_pct: appears in 2 of 2 record(s)"))
                .anyMatch(l -> l.startsWith("service.duration_ms: disappears from "))
                // a wider scope: another pseudonym of the same form (64 hex characters)
                .anyMatch(
                        l -> l.startsWith("service.session: changes value, same form, in 2 of 2"));
    }

    @Test
    void diff_stricterChange_changesWithoutWeakeningExit1() {
        String s = FIXTURES + "rules-stricter.yaml";

        Run r = diff(SHIPPED, s, "--sample", "0");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("Weakens privacy");
        assertThat(r.section("Changes ("))
                .containsExactly(
                        s + ":15  version: \"2026-11-29.1\" -> \"2026-12-03.1\"",
                        s + ":35  outputs.device.fields.os_version: keep -> drop",
                        s
                                + ":38  outputs.device.fields.ip_prefix: generalise_ip {ipv4_prefix: 24,"
                                + " ipv6_prefix: 48} from ip -> generalise_ip {ipv4_prefix: 16,"
                                + " ipv6_prefix: 48} from ip",
                        s + ":68  outputs.service.purposes: purpose research now required");
    }

    @Test
    void diff_invalidNewFile_locatedErrorExit2(@TempDir Path dir) throws IOException {
        Path bad = dir.resolve("rules.yaml");
        Files.writeString(
                bad,
                Files.readString(Path.of(SHIPPED)).replace("ipv4_prefix: 24", "ipv4_prefix: 28"));

        Run r = diff(SHIPPED, bad.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains(bad + ":38:")
                .contains("ipv4_prefix): must be between 0 and 24, was 28")
                .doesNotContain("Exception");
    }
}
