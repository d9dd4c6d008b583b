package dev.veil.tools.faults;

import dev.veil.record.RunComparison;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short {@code ./veil faults} of CI: two fresh local clusters (a broker and a Flink JobManager
 * and two TaskManagers as their own processes, the job from the job jar), one of them with a {@code
 * kill -9} of a TaskManager while the job runs; the committed outputs must be identical up to the
 * renaming of subject-scoped pseudonyms (each run draws its own subject secrets): nothing lost,
 * duplicated or differing once pseudonyms are blanked, and the same records sharing a pseudonym.
 *
 * <p>Runs from the repository root (its own surefire execution in tools/pom.xml, after {@code
 * package}), because it uses the job jar and the broker's and Flink's classpaths the build wrote;
 * that execution sets {@code veil.faults.run}, so that {@code -Dtest=FaultsShortRunIT}, which
 * selects it in the default execution too, runs it only there: {@code mvn -B -o verify -pl
 * kafka-local,flink-local,tools -am -Dtest=FaultsShortRunIT
 * -Dsurefire.failIfNoSpecifiedTests=false}. About four minutes on two cores; the full run is {@code
 * ./veil faults}.
 */
@EnabledIfSystemProperty(
        named = "veil.faults.run",
        matches = "true",
        disabledReason = "runs in tools' fault-run execution (repository root, after package)")
class FaultsShortRunIT {

    @Test
    void oneTaskManagerKillLosesDuplicatesAndChangesNothing(@TempDir Path dir) throws Exception {
        FaultsMain faults = new FaultsMain();
        new CommandLine(faults)
                .parseArgs("--kills", "1", "--no-broker", "--no-rescale", "--dir", dir.toString());
        Path console = dir.resolve("console.log");
        PrintStream stdout = System.out;
        FaultsMain.Outcome o;
        // the tool's progress lines go to a file, not CI's log; shown when the test fails
        try (PrintStream file =
                new PrintStream(
                        new FileOutputStream(console.toFile()), true, StandardCharsets.UTF_8)) {
            System.setOut(file);
            o = faults.runBoth();
        } catch (Exception | AssertionError e) {
            throw new AssertionError("fault run failed; its output:\n" + tail(console), e);
        } finally {
            System.setOut(stdout);
        }

        // kept for a look after the build: tools/target/fault-run-report.md
        Files.copy(
                o.reportFile(),
                Path.of("tools/target/fault-run-report.md"),
                StandardCopyOption.REPLACE_EXISTING);
        String why = o.report() + "\n" + tail(console);
        assertThat(o.faulty().faults()).as(why).hasSize(1);
        FaultsMain.Fault kill = o.faulty().faults().get(0);
        assertThat(kill.what()).isEqualTo("kill -9 TaskManager");
        assertThat(kill.restarts()).as("the kill restarted the job: " + why).isPositive();

        assertThat(o.clean().in()).as("records in").isPositive().isEqualTo(o.faulty().in());
        RunComparison.Result c = o.comparison();
        long out = c.topics().stream().mapToLong(RunComparison.TopicDiff::inA).sum();
        assertThat(out).as("the failure-free run wrote output: " + why).isPositive();
        assertThat(c.pseudonymsA()).as("pseudonyms to compare: " + why).isPositive();
        assertThat(c.topic("veil.erasure").inA())
                .as("erasure notices to compare (the sample data erases subjects): " + why)
                .isPositive();
        for (RunComparison.TopicDiff t : c.topics()) {
            assertThat(List.of(t.lost(), t.duplicated(), t.differing()))
                    .as(t.topic() + " lost, duplicated, differing: " + why)
                    .containsExactly(0L, 0L, 0L);
        }
        assertThat(o.faulty().records().keySet()).isEqualTo(o.clean().records().keySet());
        assertThat(c.linkage())
                .as("pseudonym linkage: " + why)
                .isEqualTo(RunComparison.Linkage.IDENTICAL);
        assertThat(o.faulty().ongoing()).as("ONGOING veil transactions").isEmpty();
        assertThat(o.passed()).isTrue();
    }

    static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
