package dev.veil.tools.rules;

import dev.veil.aggregate.AggregatesOptions;
import dev.veil.config.ConfigException;
import dev.veil.config.VeilOptions;
import dev.veil.config.YamlDocument;
import dev.veil.rules.RuleSetLoader;

import org.apache.flink.configuration.ConfigOption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The editor schemas (schemas/config/) and the check agree: the shipped files pass both, each
 * broken sample fails both, and every key the loaders accept is in the schema, so that a new option
 * without its schema entry fails here, named.
 */
class ConfigSchemasTest {
    private static final Path SCHEMAS = Path.of("../schemas/config");
    private static final Path CONFIG = Path.of("../config");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXPECTED = Pattern.compile("expected one of \\[(.*)]");

    private static JsonNode schemaNode(String name) throws IOException {
        return JSON.readTree(SCHEMAS.resolve(name + ".schema.json").toFile());
    }

    private static Set<ValidationMessage> validate(String schema, Path yaml) throws IOException {
        JsonSchema s =
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                        .getSchema(schemaNode(schema));
        return s.validate(new YAMLMapper().readTree(yaml.toFile()));
    }

    @ParameterizedTest
    @CsvSource({
        "rules, ../config/rules.yaml",
        "veil, ../config/veil.yaml",
        "aggregates, ../config/aggregates.yaml",
        "veil, ../deploy/config/veil.yaml",
        "aggregates, ../deploy/config/aggregates.yaml",
        "aggregates, ../config/examples/aggregates-daily-cap.yaml",
        "privacy-ledger, ../config/privacy-ledger.yaml",
        "privacy-ledger, ../deploy/config/privacy-ledger.yaml",
        "privacy-ledger, ../config/examples/privacy-ledger-daily-cap.yaml"
    })
    void shippedFile_isValidUnderItsSchemaAndTheCheck(String schema, Path file) throws IOException {
        assertThat(validate(schema, file)).isEmpty();
        assertThat(ConfigCheck.check(file).problems()).isEmpty();
    }

    /** Each sample: schema, shipped file, text to replace, its replacement (one fault each). */
    @ParameterizedTest(name = "{1}: {2} -> {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                "rules | rules.yaml | ipv4_prefix: 24 | ipv4_prefx: 24",
                "rules | rules.yaml | source: keep | source: kept",
                "rules | rules.yaml | purposes: [analytics]\\n | purposes: []\\n",
                "rules | rules.yaml | {bucket: {width: 10}} | {bucket: {width: 10}, keep: {}}",
                "rules | rules.yaml | subject_id: case_insensitive | subject_id: lower",
                "rules | rules.yaml | resolution: 9} | resolution: 16}",
                "rules | rules.yaml | stream: device | stream: devices",
                "rules | rules.yaml | publish: false | publish: no_thanks",
                "veil | veil.yaml | group_id: | group_idd:",
                "veil | veil.yaml | guarantee: exactly_once | guarantee: twice",
                "veil | veil.yaml | env: VEIL_PSEUDONYM_KEY | env: VEIL-KEY",
                "veil | veil.yaml | max_pending_events_per_subject: 10000 |"
                        + " max_pending_events_per_subject: 0",
                "veil | veil.yaml | max_out_of_orderness: PT30S | max_out_of_orderness: 30s",
                "veil | veil.yaml | dead_letter: veil.dead-letter | dead_letter: ''",
                "aggregates | aggregates.yaml | k: 10 | k: 0",
                "aggregates | aggregates.yaml | guarantee: exactly_once | guarantee: at_least_once",
                "aggregates | aggregates.yaml | app_version: 0.5 | app_versions: 0.5",
                "aggregates | aggregates.yaml | resolution: 7 | resolution: seven",
                "aggregates | aggregates.yaml | [0, 1000, | [10, 1000,",
                "aggregates | aggregates.yaml | epsilon: 1.0 | epsilon: 1.0\\n  rho: 0.03",
                "aggregates | aggregates.yaml | os: 0.5 | os: {rho: 0.004, epsilon: 0.5}",
                "aggregates | aggregates.yaml | ledger: privacy-ledger.yaml | ledger: 7",
                "aggregates | aggregates.yaml | suppression: exact | suppression: fuzzy",
                "privacy-ledger | privacy-ledger.yaml | period: P1D | period: PT12H",
                "privacy-ledger | privacy-ledger.yaml | epsilon: 62 | epsilon: sixty-two",
                "privacy-ledger | privacy-ledger.yaml | - config: aggregates.yaml | - conf: aggregates.yaml",
            })
    void brokenSample_isRefusedByTheSchemaAndTheCheck(
            String schema, String shipped, String from, String to, @TempDir Path dir)
            throws IOException {
        String text = Files.readString(CONFIG.resolve(shipped));
        String fromText = from.replace("\\n", "\n");
        assertThat(text).as("the sample's text to replace").contains(fromText);
        for (String beside : List.of("veil.yaml", "aggregates.yaml", "privacy-ledger.yaml")) {
            Files.copy(CONFIG.resolve(beside), dir.resolve(beside));
        }
        Path broken = dir.resolve(shipped);
        Files.writeString(
                broken, text.replaceFirst(Pattern.quote(fromText), to.replace("\\n", "\n")));

        assertThat(validate(schema, broken)).as("schema errors").isNotEmpty();
        assertThat(ConfigCheck.check(broken).problems()).as("check problems").isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"veil", "aggregates"})
    void everyOptionOfTheLoader_isInTheSchema(String schema) throws IOException {
        List<ConfigOption<?>> options =
                schema.equals("veil") ? VeilOptions.all() : AggregatesOptions.all();
        JsonNode root = schemaNode(schema);
        List<String> missing = new ArrayList<>();
        for (ConfigOption<?> o : options) {
            List<String> path = Arrays.asList(o.key().split("\\."));
            String last = path.get(path.size() - 1);
            if (!propertiesAt(root, root, path.subList(0, path.size() - 1)).contains(last)) {
                missing.add(o.key());
            }
        }
        assertThat(missing)
                .as("options of the loader missing from schemas/config/" + schema + ".schema.json")
                .isEmpty();
    }

    /**
     * Where rules.yaml has no options class, the loader is asked: each probe puts an unknown key at
     * one level and reads the keys the error says are expected there.
     */
    @Test
    void everyKeyTheRulesLoaderAccepts_isInTheSchema() throws IOException {
        JsonNode root = schemaNode("rules");
        Map<List<String>, Set<String>> accepted = new LinkedHashMap<>();
        accepted.put(List.of(), expected(rules("zz_probe: 1\n", "", "device", "keep")));
        accepted.put(List.of("outputs", "*"), expected(rules("", "zz_probe: 1", "device", "keep")));
        accepted.put(
                List.of("outputs", "*", "minors"),
                expected(rules("", "minors: {zz_probe: 1}", "device", "keep")));
        Set<String> kinds = ruleKinds();
        Set<String> fieldKeys = new TreeSet<>(kinds);
        fieldKeys.add("from");
        accepted.put(List.of("outputs", "*", "fields", "*"), fieldKeys);
        Map<String, String[]> probes =
                Map.of(
                        "keep", new String[] {"device", "device_model"},
                        "pseudonymise", new String[] {"device", "user_id"},
                        "generalise_ip", new String[] {"device", "ip"},
                        "generalise_location", new String[] {"location", "[lat, lon]"},
                        "truncate_time", new String[] {"device", "event_time"},
                        "bucket", new String[] {"device", "battery_pct"},
                        "mask", new String[] {"device", "device_model"},
                        "reduce_url", new String[] {"service", "url"},
                        "reduce_user_agent", new String[] {"device", "user_agent"});
        assertThat(probes.keySet()).as("a probe for every rule kind").containsAll(kinds);
        for (String kind : kinds) {
            String[] p = probes.get(kind);
            String rule = "{from: " + p[1] + ", " + kind + ": {zz_probe: 1}}";
            accepted.put(
                    List.of("outputs", "*", "fields", "*", kind),
                    expected(rules("", "", p[0], rule)));
        }

        List<String> missing = new ArrayList<>();
        accepted.forEach(
                (path, keys) -> {
                    Set<String> offered = propertiesAt(root, root, path);
                    for (String k : keys) {
                        if (!offered.contains(k)) {
                            missing.add(String.join(".", path) + (path.isEmpty() ? "" : ".") + k);
                        }
                    }
                });
        assertThat(accepted.get(List.of("outputs", "*", "fields", "*", "truncate_time")))
                .contains("granularity");
        assertThat(missing)
                .as("keys the rules loader accepts, missing from schemas/config/rules.schema.json")
                .isEmpty();
    }

    private static String rules(String top, String output, String stream, String rule) {
        return "version: \"1\"\nsubject_id: case_insensitive\n"
                + top
                + "outputs:\n  o:\n    stream: "
                + stream
                + "\n    topic: t\n    purposes: [analytics]\n"
                + (output.isEmpty() ? "" : "    " + output + "\n")
                + "    fields:\n      f: "
                + rule
                + "\n";
    }

    private static List<ConfigException> problems(String yaml) {
        try {
            RuleSetLoader.load(YamlDocument.parse("probe.yaml", yaml));
            return List.of();
        } catch (ConfigException e) {
            return e.all();
        }
    }

    private static Set<String> expected(String yaml) {
        for (ConfigException e : problems(yaml)) {
            Matcher m = EXPECTED.matcher(e.problem());
            if (e.problem().contains("'zz_probe'") && m.find()) {
                Set<String> keys = new TreeSet<>();
                for (String k : m.group(1).split(", ")) {
                    if (!k.isEmpty()) {
                        keys.add(k);
                    }
                }
                return keys;
            }
        }
        throw new AssertionError("the probe was not refused as an unknown key: " + problems(yaml));
    }

    private static Set<String> ruleKinds() {
        for (ConfigException e : problems(rules("", "", "device", "{zz_probe: {}}"))) {
            Matcher m = Pattern.compile("rules are \\[(.*?)]").matcher(e.problem());
            if (m.find()) {
                return new TreeSet<>(Arrays.asList(m.group(1).split(", ")));
            }
        }
        throw new AssertionError("no list of rule kinds in the loader's error");
    }

    /**
     * The property names the schema offers at {@code path} ("*" for any name), through $ref, allOf,
     * anyOf, oneOf and additionalProperties.
     */
    private static Set<String> propertiesAt(JsonNode root, JsonNode schema, List<String> path) {
        Set<String> out = new TreeSet<>();
        for (JsonNode s : expand(root, schema)) {
            if (path.isEmpty()) {
                s.path("properties").fieldNames().forEachRemaining(out::add);
                continue;
            }
            String seg = path.get(0);
            JsonNode next =
                    !seg.equals("*") && s.path("properties").has(seg)
                            ? s.path("properties").get(seg)
                            : s.path("additionalProperties");
            if (next.isObject()) {
                out.addAll(propertiesAt(root, next, path.subList(1, path.size())));
            }
        }
        return out;
    }

    private static List<JsonNode> expand(JsonNode root, JsonNode schema) {
        List<JsonNode> out = new ArrayList<>();
        out.add(schema);
        if (schema.has("$ref")) {
            out.addAll(expand(root, root.at(schema.get("$ref").asText().substring(1))));
        }
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            for (JsonNode sub : schema.path(combinator)) {
                out.addAll(expand(root, sub));
            }
        }
        return out;
    }
}
