package dev.veil.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Syntax errors: the parser's whole reason, at the line and column (1-based) of the problem. */
class YamlDocumentTest {
    private static ConfigException syntaxError(String text) {
        return catchThrowableOfType(
                ConfigException.class, () -> YamlDocument.parse("f.yaml", text));
    }

    @Test
    void parse_tabIndentingALine_pointsAtTheTabWithTheParsersWholeReason() {
        ConfigException e =
                syntaxError(
                        "kafka:\n"
                                + "  bootstrap_servers: 127.0.0.1:9092   # a comment\n"
                                + "\tgroup_id: veil\n");

        assertThat(e.getMessage())
                .isEqualTo(
                        "f.yaml:3:1: not valid YAML: found character '\\t(TAB)' that cannot start"
                                + " any token. (Do not use \\t(TAB) for indentation) (while scanning"
                                + " for the next token)");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(1);
    }

    @Test
    void parse_keyIndentedLessThanItsSiblings_namesTheMappingItBreaks() {
        ConfigException e =
                syntaxError(
                        "version: 1\n" + "time:\n" + "    window: PT1H\n" + "  lateness: PT5M\n");

        assertThat(e.getMessage())
                .isEqualTo(
                        "f.yaml:4:3: not valid YAML: expected <block end>, but found '<block"
                                + " mapping start>' (while parsing a block mapping that starts at"
                                + " line 1, column 1)");
    }

    @Test
    void parse_keyIndentedMoreThanItsSiblings_pointsAtTheColon() {
        ConfigException e = syntaxError("time:\n" + "  window: PT1H\n" + "   lateness: PT5M\n");

        assertThat(e.getMessage())
                .isEqualTo("f.yaml:3:12: not valid YAML: mapping values are not allowed here");
    }

    @Test
    void parse_unclosedFlowList_namesWhereTheListStarts() {
        ConfigException e = syntaxError("purposes: [analytics, location\nstream: device\n");

        assertThat(e.getMessage())
                .isEqualTo(
                        "f.yaml:2:7: not valid YAML: expected ',' or ']', but got : (while parsing"
                                + " a flow sequence that starts at line 1, column 11)");
    }
}
