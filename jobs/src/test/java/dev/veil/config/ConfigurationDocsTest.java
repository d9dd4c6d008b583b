package dev.veil.config;

import dev.veil.aggregate.AggregatesOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md lists every option of both config files, generated from {@link VeilOptions}
 * and {@link AggregatesOptions} (as Flink generates its configuration docs from its option
 * classes). Run with {@code -Dveil.docs.regenerate=true} to rewrite the file after changing an
 * option.
 */
class ConfigurationDocsTest {
    private static final Path DOC = Path.of("../docs/configuration.md");

    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n");
        sb.append(
                "Generated from `dev.veil.config.VeilOptions` and `dev.veil.aggregate.AggregatesOptions` by\n");
        sb.append(
                "`ConfigurationDocsTest` (`mvn -pl jobs test -Dtest=ConfigurationDocsTest -Dveil.docs.regenerate=true`");
        sb.append(
                "\nrewrites it). Keys are dotted paths in the YAML file; durations are ISO-8601 (`PT30S`). An unknown\n");
        sb.append(
                "key is refused at startup with the file and line. Keys under `flink:` are Flink's own options.\n\n");
        sb.append("## config/veil.yaml (anonymisation job)\n\n");
        table(sb, VeilOptions.all());
        sb.append("\n## config/aggregates.yaml (heat map and usage jobs)\n\n");
        sb.append("Also `kafka.*`, `delivery.*` and `flink` as in veil.yaml.\n\n");
        table(
                sb,
                AggregatesOptions.all().stream()
                        // By identity: ConfigOption.equals compares keys and defaults, and
                        // aggregates.yaml has keys of the same name as veil.yaml's.
                        .filter(o -> VeilOptions.all().stream().noneMatch(v -> v == o))
                        .toList());
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<ConfigOption<?>> options) {
        sb.append("| key | default | description |\n|---|---|---|\n");
        HtmlFormatter formatter = new HtmlFormatter();
        for (ConfigOption<?> o : options) {
            sb.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(
                            o.hasDefaultValue()
                                    ? "`" + value(o.defaultValue()) + "`"
                                    : "(required)")
                    .append(" | ")
                    .append(formatter.format(o.description()).replace("|", "\\|"))
                    .append(" |\n");
        }
    }

    private static String value(Object v) {
        if (v instanceof Duration d) {
            return d.toString();
        }
        if (v instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        return String.valueOf(v);
    }

    @Test
    void docsListEveryOptionWithItsDefaultAndDescription() throws IOException {
        String expected = render();
        if (Boolean.getBoolean("veil.docs.regenerate")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/configuration.md is out of date: rerun with -Dveil.docs.regenerate=true")
                .isEqualTo(expected);
    }
}
