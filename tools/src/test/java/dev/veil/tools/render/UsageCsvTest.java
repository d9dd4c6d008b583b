package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageCsvTest {

    @TempDir Path dir;

    @Test
    void writesHeaderAndRowsSortedByWindowReleaseAndCountDescending() throws IOException {
        List<JsonNode> releases =
                List.of(
                        Fixtures.usage(Fixtures.EVENING, "app_version", "5.2.0", 130),
                        Fixtures.usage(Fixtures.MORNING, "os", "Android 14", 80),
                        Fixtures.usage(Fixtures.MORNING, "app_version", "5.1.9", 60),
                        Fixtures.usage(Fixtures.MORNING, "app_version", "5.2.0", 200));
        Path file = dir.resolve("out/usage.csv");

        UsageCsv.write(releases, file);

        String csv = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(csv).startsWith(UsageCsv.HEADER + "\r\n").endsWith("\r\n");
        assertThat(UsageCsv.HEADER)
                .isEqualTo(
                        "window_start,window_end,release,category,count,epsilon,rho,delta,k,"
                                + "max_contributions,max_per_category,threshold,noise,noise_scale,key_epochs");
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(5);
        assertThat(lines[1])
                .isEqualTo(
                        "2026-11-28T09:00:00Z,2026-11-28T10:00:00Z,app_version,5.2.0,200,0.5,,1.0E-6,10,2,1,37,"
                                + "discrete_laplace,4.0,1");
        assertThat(lines[2])
                .startsWith("2026-11-28T09:00:00Z,2026-11-28T10:00:00Z,app_version,5.1.9,60,");
        assertThat(lines[3])
                .startsWith("2026-11-28T09:00:00Z,2026-11-28T10:00:00Z,os,Android 14,80,");
        assertThat(lines[4])
                .startsWith("2026-11-28T18:00:00Z,2026-11-28T19:00:00Z,app_version,5.2.0,130,");
    }

    @Test
    void quotesFieldsWithCommasQuotesAndLineBreaks() {
        List<JsonNode> releases =
                List.of(
                        Fixtures.usage(Fixtures.MORNING, "device", "Pixel 8, \"Pro\"", 50),
                        Fixtures.usage(Fixtures.MORNING, "device", "two\nlines", 45));

        String csv = UsageCsv.toCsv(releases);

        assertThat(csv).contains(",device,\"Pixel 8, \"\"Pro\"\"\",50,");
        assertThat(csv).contains(",device,\"two\nlines\",45,");
        assertThat(UsageCsv.field(" padded")).isEqualTo("\" padded\"");
        assertThat(UsageCsv.field("plain")).isEqualTo("plain");
        assertThat(UsageCsv.field(null)).isEmpty();
    }

    @Test
    void absentFieldsAreEmpty() {
        JsonNode release =
                Fixtures.usage(Fixtures.MORNING, "app_version", "5.2.0", 99)
                        .without("max_per_category");

        String row = UsageCsv.toCsv(List.of(release)).split("\r\n")[1];

        assertThat(row).endsWith(",10,2,,37,discrete_laplace,4.0,1");
    }

    @Test
    void emptyInputWritesTheHeaderOnly() throws IOException {
        Path file = dir.resolve("usage.csv");

        UsageCsv.write(List.of(), file);

        assertThat(Files.readString(file)).isEqualTo(UsageCsv.HEADER + "\r\n");
    }

    @Test
    void neutralise_formulaLikeCategory_getsALeadingApostropheOthersUnchanged() {
        assertThat(UsageCsv.neutralise("=HYPERLINK(\"http://x\")"))
                .isEqualTo("'=HYPERLINK(\"http://x\")");
        assertThat(UsageCsv.neutralise("+1")).isEqualTo("'+1");
        assertThat(UsageCsv.neutralise("-2")).isEqualTo("'-2");
        assertThat(UsageCsv.neutralise("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(UsageCsv.neutralise("5.2.0")).isEqualTo("5.2.0");
        assertThat(UsageCsv.neutralise("")).isEmpty();
    }
}
