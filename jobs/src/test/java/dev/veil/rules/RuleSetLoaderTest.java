package dev.veil.rules;

import dev.veil.config.ConfigException;
import dev.veil.config.YamlDocument;
import dev.veil.consent.Purpose;
import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdentifierScope;
import dev.veil.privacy.InvalidValueException;
import dev.veil.record.Json;
import dev.veil.testing.VeilTestBase;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The shipped rules load as documented; each kind of mistake in a rules file is refused with file,
 * line and key.
 */
class RuleSetLoaderTest extends VeilTestBase {
    private static final String FILE = "bad-rules.yaml";

    /**
     * A small valid rules file; each error test changes one thing. Line numbers below refer to this
     * text.
     */
    private static final String BASE =
            String.join(
                    "\n",
                    "version: \"t-1\"", //
                    //          1
                    "subject_id: case_insensitive", //
                    //          2
                    "phone_region: IE", //
                    //          3
                    "outputs:", //
                    //          4
                    "  device:", //
                    //          5
                    "    stream: device", //
                    //          6
                    "    topic: veil.anon.device", //
                    //          7
                    "    purposes: [analytics]", //
                    //          8
                    "    key_field: subject", //
                    //          9
                    "    minors:", //
                    //          10
                    "      publish: true", //
                    //          11
                    "      drop: [ip_prefix]", //
                    //          12
                    "    fields:", //
                    //          13
                    "      subject: {from: user_id, pseudonymise: {id: case_insensitive}}", //
                    //
                    //    14
                    "      event_time: {truncate_time: {granularity: PT1H}}", //
                    //          15
                    "      ip_prefix: {from: ip, generalise_ip: {ipv4_prefix: 24, ipv6_prefix: 48}}", //      16
                    "      battery_pct: {bucket: {width: 10}}", //
                    //          17
                    "      os_name: keep", //
                    //          18
                    "");

    private static final String LAST_FIELD = "      os_name: keep\n";

    private static String edited(String from, String to) {
        assertThat(BASE).as("test text to replace").contains(from);
        return BASE.replace(from, to);
    }

    /** Parses and loads {@code text}; returns the ConfigException it must raise. */
    private static ConfigException loadError(String text) {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () -> RuleSetLoader.load(YamlDocument.parse(FILE, text)));
        assertThat(e).as("a ConfigException for:%n%s", text).isNotNull();
        return e;
    }

    private static void assertLocated(
            ConfigException e, int line, int column, String path, String problem) {
        assertThat(e.file()).isEqualTo(FILE);
        assertThat(e.line()).as("line").isEqualTo(line);
        assertThat(e.column()).as("column").isEqualTo(column);
        assertThat(e.path()).as("path").isEqualTo(path);
        assertThat(e.getMessage())
                .startsWith(FILE + ":" + line + ":" + column)
                .contains(path.isEmpty() ? FILE : "(" + path + ")")
                .contains(problem);
    }

    @Test
    void load_shippedRules_hasThreeOutputsWithTopicsPurposesAndMinorsPolicy() {
        RuleSet rules = RuleSetLoader.load(RULES);

        assertThat(rules.version()).isEqualTo("2026-11-29.1");
        assertThat(rules.subjectIdKind()).isEqualTo(IdKind.CASE_INSENSITIVE);
        assertThat(rules.phoneRegion()).isEqualTo("IE");
        assertThat(rules.outputs()).containsOnlyKeys("device", "location", "service");

        OutputRules device = rules.output("device");
        assertThat(device.stream()).isEqualTo("device");
        assertThat(device.topic()).isEqualTo("veil.anon.device");
        assertThat(device.requiredPurposes())
                .isEqualTo(Purpose.ANALYTICS.mask() | Purpose.PRODUCT_IMPROVEMENT.mask());
        assertThat(device.keyField()).isEqualTo("subject");
        assertThat(device.publishMinors()).isTrue();
        assertThat(device.minorDropFields()).containsExactlyInAnyOrder("ip_prefix", "device");

        OutputRules location = rules.output("location");
        assertThat(location.stream()).isEqualTo("location");
        assertThat(location.topic()).isEqualTo("veil.anon.location");
        assertThat(location.requiredPurposes())
                .isEqualTo(Purpose.ANALYTICS.mask() | Purpose.LOCATION.mask());
        assertThat(location.keyField()).isEqualTo("subject");
        assertThat(location.publishMinors()).isFalse();
        assertThat(location.minorDropFields()).isEmpty();

        OutputRules service = rules.output("service");
        assertThat(service.stream()).isEqualTo("service");
        assertThat(service.topic()).isEqualTo("veil.anon.service");
        assertThat(service.requiredPurposes()).isEqualTo(Purpose.ANALYTICS.mask());
        assertThat(service.keyField()).isEqualTo("subject");
        assertThat(service.publishMinors()).isTrue();
        assertThat(service.minorDropFields())
                .containsExactlyInAnyOrder("peer", "peer_phone", "referrer_host");

        assertThat(rules.outputsOf("device")).containsExactly(device);
        assertThat(rules.outputsOf("location")).containsExactly(location);
        assertThat(rules.outputsOf("service")).containsExactly(service);
    }

    @Test
    void load_shippedRules_outputFieldsAreTheNamedRulesAndDropsAreLeftOut() {
        RuleSet rules = RuleSetLoader.load(RULES);

        assertThat(targets(rules.output("device")))
                .containsExactly(
                        "event_id",
                        "subject",
                        "device",
                        "event_time",
                        "device_model",
                        "os_name",
                        "os_version",
                        "app_version",
                        "user_agent",
                        "ip_prefix",
                        "battery_pct",
                        "signal_dbm",
                        "network_type");
        assertThat(targets(rules.output("location")))
                .containsExactly(
                        "event_id",
                        "subject",
                        "event_time",
                        "h3_cell",
                        "accuracy_m",
                        "source",
                        "cell_mcc",
                        "cell_mnc");
        assertThat(targets(rules.output("service")))
                .containsExactly(
                        "event_id",
                        "subject",
                        "session",
                        "event_time",
                        "action",
                        "url_host",
                        "referrer_host",
                        "error_code",
                        "duration_ms",
                        "peer",
                        "peer_phone",
                        "ip_prefix");
        assertThat(rules.output("location").fields())
                .filteredOn(r -> r.target().equals("h3_cell"))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.kind()).isEqualTo("generalise_location");
                            assertThat(r.sources()).containsExactly("lat", "lon");
                        });
    }

    private static List<String> targets(OutputRules output) {
        return output.fields().stream().map(FieldRule::target).collect(Collectors.toList());
    }

    @Test
    void load_baseTextOfTheseTests_isValid() {
        RuleSet rules = RuleSetLoader.load(YamlDocument.parse(FILE, BASE));

        assertThat(targets(rules.output("device")))
                .containsExactly("subject", "event_time", "ip_prefix", "battery_pct", "os_name");
    }

    @Test
    void load_unknownRuleKind_namesTheTypoAndTheKnownRules() {
        ConfigException e =
                loadError(
                        edited(
                                "pseudonymise: {id: case_insensitive}",
                                "pseudonymize: {id: case_insensitive}"));

        assertLocated(
                e,
                14,
                46,
                "outputs.device.fields.subject.pseudonymize",
                "unknown rule 'pseudonymize'");
        assertThat(e.problem()).contains("pseudonymise");
    }

    @Test
    void load_unknownParameterKey_namesTheKeyAndTheAllowedOnes() {
        ConfigException e = loadError(edited("ipv4_prefix: 24", "ipv4_prefx: 24"));

        assertLocated(
                e,
                16,
                57,
                "outputs.device.fields.ip_prefix.generalise_ip.ipv4_prefx",
                "unknown key 'ipv4_prefx'; expected one of [form, ipv4_prefix, ipv6_prefix,"
                        + " trusted_proxies, x_forwarded_for]");
    }

    @Test
    void load_ipv4PrefixOutOfRange_namesRangeAndValue() {
        ConfigException e = loadError(edited("ipv4_prefix: 24", "ipv4_prefix: 40"));

        assertLocated(
                e,
                16,
                58,
                "outputs.device.fields.ip_prefix.generalise_ip.ipv4_prefix",
                "must be between 0 and 24, was 40");
    }

    @Test
    void load_fromNamesFieldTheStreamLacks_namesFieldAndStream() {
        ConfigException e = loadError(edited("from: ip,", "from: ip_address,"));

        assertLocated(
                e,
                16,
                25,
                "outputs.device.fields.ip_prefix.from",
                "the device stream has no field 'ip_address'");
    }

    @Test
    void load_keepOfIdentifierField_isRefused() {
        ConfigException e = loadError(edited(LAST_FIELD, LAST_FIELD + "      user_id: keep\n"));

        assertLocated(
                e,
                19,
                16,
                "outputs.device.fields.user_id",
                "'user_id' of the device stream is an identifier");
        assertThat(e.problem()).contains("cannot be kept");
    }

    @Test
    void load_explicitKeepRuleWithFromOnIdentifier_isRefused() {
        ConfigException e =
                loadError(edited(LAST_FIELD, LAST_FIELD + "      client: {from: ip, keep: {}}\n"));

        assertLocated(
                e,
                19,
                22,
                "outputs.device.fields.client.from",
                "'ip' of the device stream is an identifier");
    }

    @Test
    void load_bucketOnTextField_namesTheNeededType() {
        ConfigException e = loadError(edited(LAST_FIELD, "      os_name: {bucket: {width: 10}}\n"));

        assertLocated(
                e,
                18,
                16,
                "outputs.device.fields.os_name",
                "bucket needs a number field; 'os_name' is string");
    }

    @Test
    void load_granularityThatDoesNotDivideADay_isRefused() {
        ConfigException e = loadError(edited("PT1H", "PT7M"));

        assertLocated(
                e,
                15,
                49,
                "outputs.device.fields.event_time.truncate_time.granularity",
                "must divide a day evenly");
        assertThat(e.problem()).endsWith("was PT7M");
    }

    /** The device output's event_time rule applied to {@code eventTime}. */
    private static String truncated(RuleSet rules, String eventTime) throws Exception {
        FieldRule rule =
                rules.output("device").fields().stream()
                        .filter(f -> f.target().equals("event_time"))
                        .findFirst()
                        .orElseThrow();
        ObjectNode record = Json.MAPPER.createObjectNode().put("event_time", eventTime);
        return rule.apply(record, ruleContext()).asText();
    }

    @Test
    void load_truncateTimeWithAZone_keepsTheRepeatedHourApartAndDaysLocal() throws Exception {
        RuleSet hour =
                RuleSetLoader.load(
                        YamlDocument.parse(
                                FILE,
                                edited(
                                        "granularity: PT1H}",
                                        "granularity: PT1H, zone: America/Los_Angeles}")));
        RuleSet day =
                RuleSetLoader.load(
                        YamlDocument.parse(
                                FILE,
                                edited(
                                        "granularity: PT1H}",
                                        "granularity: P1D, zone: America/Los_Angeles}")));

        assertThat(truncated(hour, "2021-11-07T01:30:00-07:00")).isEqualTo("2021-11-07T08:00:00Z");
        assertThat(truncated(hour, "2021-11-07T01:30:00-08:00")).isEqualTo("2021-11-07T09:00:00Z");
        assertThat(truncated(hour, "2021-03-14T03:30:00-07:00")).isEqualTo("2021-03-14T10:00:00Z");
        assertThat(truncated(day, "2021-03-14T23:30:00-07:00")).isEqualTo("2021-03-14T08:00:00Z");
        assertThat(truncated(day, "2021-11-07T23:30:00-08:00")).isEqualTo("2021-11-07T07:00:00Z");
    }

    @Test
    void load_truncateTimeWithoutAZone_utcAsBefore() throws Exception {
        RuleSet rules = RuleSetLoader.load(YamlDocument.parse(FILE, BASE));

        assertThat(truncated(rules, "2021-11-07T01:30:00-08:00")).isEqualTo("2021-11-07T09:00:00Z");
        assertThat(truncated(rules, "2021-11-07T09:59:59.999Z")).isEqualTo("2021-11-07T09:00:00Z");
    }

    @Test
    void load_truncateTimeWithAnUnknownZone_isRefusedNamingIt() {
        ConfigException e =
                loadError(edited("granularity: PT1H}", "granularity: PT1H, zone: Mars/Olympus}"));

        assertLocated(
                e,
                15,
                61,
                "outputs.device.fields.event_time.truncate_time.zone",
                "'Mars/Olympus' is not an IANA time zone name");
    }

    @Test
    void load_emptyPurposes_isRefused() {
        ConfigException e = loadError(edited("purposes: [analytics]", "purposes: []"));

        assertLocated(
                e, 8, 15, "outputs.device.purposes", "an output must require at least one purpose");
    }

    @Test
    void load_unknownPurpose_namesItAndTheKnownPurposes() {
        ConfigException e =
                loadError(edited("purposes: [analytics]", "purposes: [analytics, marketing]"));

        assertLocated(e, 8, 27, "outputs.device.purposes[1]", "'marketing' is not one of [");
        for (Purpose p : Purpose.values()) {
            assertThat(e.problem()).contains(p.wireName());
        }
    }

    @Test
    void parse_duplicateKey_isRefusedAtTheSecondKey() {
        ConfigException e = loadError(edited(LAST_FIELD, LAST_FIELD + "      os_name: drop\n"));

        assertLocated(e, 19, 7, "outputs.device.fields.os_name", "duplicate key 'os_name'");
    }

    @Test
    void load_twoOutputsShareATopic_namesTheOtherOutput() {
        String service =
                String.join(
                        "\n",
                        "  service:", //                          19
                        "    stream: service", //                 20
                        "    topic: veil.anon.device", //         21
                        "    purposes: [analytics]",
                        "    fields:",
                        "      action: keep",
                        "");
        ConfigException e = loadError(edited(LAST_FIELD, LAST_FIELD + service));

        assertLocated(
                e,
                21,
                12,
                "outputs.service.topic",
                "topic 'veil.anon.device' is already used by output 'device'");
    }

    @Test
    void load_keyFieldNotAnOutputField_listsTheOutputFields() {
        ConfigException e = loadError(edited("key_field: subject", "key_field: user_id"));

        assertLocated(
                e,
                9,
                16,
                "outputs.device.key_field",
                "'user_id' is not an output field of this output");
        assertThat(e.problem()).contains("[subject, event_time, ip_prefix, battery_pct, os_name]");
    }

    @Test
    void load_minorsDropNamesNonOutputField_pointsAtTheListItem() {
        ConfigException e = loadError(edited("drop: [ip_prefix]", "drop: [ip_prefix, device]"));

        assertLocated(
                e,
                12,
                25,
                "outputs.device.minors.drop[1]",
                "'device' is not an output field of this output");
    }

    @Test
    void parse_yamlSyntaxError_namesLineAndColumn() {
        ConfigException e = loadError(edited("{bucket: {width: 10}}", "{bucket: {width: 10}"));

        // the parser finds the missing '}' on the next line, and names where the mapping began
        assertLocated(
                e,
                18,
                7,
                "",
                "not valid YAML: expected ',' or '}', but got <scalar> (while parsing a flow"
                        + " mapping that starts at line 17, column 20)");
        assertThat(e.getMessage()).doesNotContain("\n");
    }

    @Test
    void load_outputFieldNamedRulesVersion_isRefused() {
        ConfigException e =
                loadError(
                        edited(
                                LAST_FIELD,
                                LAST_FIELD + "      rules_version: {from: os_name, keep: {}}\n"));

        assertLocated(
                e,
                19,
                22,
                "outputs.device.fields.rules_version",
                "'rules_version' is added by Veil");
    }

    @Test
    void load_missingVersion_isRefusedAtTheRoot() {
        ConfigException e = loadError(edited("version: \"t-1\"\n", ""));

        assertLocated(e, 1, 1, "", "missing required key 'version'");
    }

    @Test
    void apply_recordWithFieldsNoRuleNames_onlyRuleFieldsReachTheOutput() throws Exception {
        OutputRules device = RuleSetLoader.load(RULES).output("device");
        RuleContext ctx = ruleContext();
        JsonNode record =
                Json.MAPPER.readTree(
                        "{\"event_id\":\"e-1\",\"user_id\":\"Alice\",\"device_id\":\"dev-1\","
                                + "\"event_time\":\"2026-11-28T10:17:42.123Z\",\"os_name\":\"Android\","
                                + "\"home_address\":\"1 Secret Lane\",\"imsi\":\"272011234567890\"}");
        List<String> invalid = new ArrayList<>();

        ObjectNode out = device.apply(record, ctx, (rule, error) -> invalid.add(rule.target()));

        assertThat(invalid).isEmpty();
        List<String> names = new ArrayList<>();
        out.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .containsExactly(
                        "event_id",
                        "subject",
                        "device",
                        "event_time",
                        "os_name",
                        "rules_version",
                        "key_epoch");
        assertThat(out.toString())
                .doesNotContain("Secret Lane", "272011234567890", "home_address", "imsi", "Alice");
        assertThat(out.get("rules_version").asText()).isEqualTo("2026-11-29.1");
    }

    @Test
    void load_fullLengthIpPrefix_isRefusedAsKeepingTheAddress() {
        ConfigException e = loadError(edited("ipv4_prefix: 24", "ipv4_prefix: 32"));

        assertThat(e.path()).isEqualTo("outputs.device.fields.ip_prefix.generalise_ip.ipv4_prefix");
        assertThat(e.problem()).isEqualTo("must be between 0 and 24, was 32");
    }

    /** BASE with an X-Forwarded-For rule as its last field; {@code params} go inside it. */
    private static String withForwardedFor(String params) {
        return edited(
                LAST_FIELD,
                LAST_FIELD
                        + "      client_net: {from: x_forwarded_for, generalise_ip: {ipv4_prefix:"
                        + " 24, ipv6_prefix: 48"
                        + params
                        + "}}\n");
    }

    /** The 1-based column of {@code text} in line 19, the rule withForwardedFor adds. */
    private static int column19(String file, String text) {
        String line = file.split("\n")[18];
        assertThat(line).contains(text);
        return line.indexOf(text) + 1;
    }

    private static String clientNet(String rulesText, String header) throws Exception {
        FieldRule rule =
                RuleSetLoader.load(YamlDocument.parse(FILE, rulesText))
                        .output("device")
                        .fields()
                        .stream()
                        .filter(f -> f.target().equals("client_net"))
                        .findFirst()
                        .orElseThrow();
        ObjectNode record = Json.MAPPER.createObjectNode().put("x_forwarded_for", header);
        JsonNode out = rule.apply(record, ruleContext());
        return out == null ? null : out.asText();
    }

    @Test
    void apply_xForwardedForWithTrustedProxies_generalisesTheRightmostUntrustedHop()
            throws Exception {
        String rules =
                withForwardedFor(
                        ", x_forwarded_for: true,"
                                + " trusted_proxies: [198.51.100.0/24, '2001:db8:ffff::/48']");
        String header =
                "192.0.2.66, 203.0.113.77:51234, unknown, 198.51.100.2, [2001:db8:ffff::1]:80";

        assertThat(clientNet(rules, header)).isEqualTo("203.0.113.0/24");
        assertThat(clientNet(withForwardedFor(", x_forwarded_for: true"), header))
                .as("no trusted proxies: the rightmost address hop")
                .isEqualTo("2001:db8:ffff::/48");
        assertThat(
                        clientNet(
                                withForwardedFor(
                                        ", x_forwarded_for: true, form: address,"
                                                + " trusted_proxies: [198.51.100.0/24,"
                                                + " 2001:db8:ffff::/48]"),
                                header))
                .isEqualTo("203.0.113.0");
    }

    @Test
    void apply_xForwardedForWithoutAnAddress_leavesTheFieldOutAsInvalid() {
        assertThatThrownBy(
                        () ->
                                clientNet(
                                        withForwardedFor(", x_forwarded_for: true"),
                                        "unknown, _hidden"))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("no_client_ip"));
    }

    @Test
    void apply_addressFormOnAPlainIp_writesTheNetworkAddress() throws Exception {
        RuleSet rules =
                RuleSetLoader.load(
                        YamlDocument.parse(
                                FILE,
                                edited("ipv6_prefix: 48}", "ipv6_prefix: 48, form: address}")));
        FieldRule rule =
                rules.output("device").fields().stream()
                        .filter(f -> f.target().equals("ip_prefix"))
                        .findFirst()
                        .orElseThrow();

        assertThat(
                        rule.apply(
                                        Json.MAPPER
                                                .createObjectNode()
                                                .put("ip", "[2001:db8:5:6::7]:443"),
                                        ruleContext())
                                .asText())
                .isEqualTo("2001:db8:5::");
        assertThat(
                        rule.apply(
                                        Json.MAPPER.createObjectNode().put("ip", "192.0.2.77"),
                                        ruleContext())
                                .asText())
                .isEqualTo("192.0.2.0");
    }

    @Test
    void load_trustedProxiesWithoutXForwardedFor_isRefusedAtTheList() {
        String text = withForwardedFor(", trusted_proxies: [198.51.100.0/24]");

        assertLocated(
                loadError(text),
                19,
                column19(text, "[198"),
                "outputs.device.fields.client_net.generalise_ip.trusted_proxies",
                "trusted_proxies only applies to an X-Forwarded-For value; set x_forwarded_for:"
                        + " true");
        assertThat(
                        loadError(withForwardedFor(", x_forwarded_for: false, trusted_proxies: []"))
                                .problem())
                .startsWith("trusted_proxies only applies");
    }

    @Test
    void load_badTrustedProxy_isRefusedAtTheItemQuotingIt() {
        String text =
                withForwardedFor(
                        ", x_forwarded_for: true, trusted_proxies: [198.51.100.0/24, 10.0.0.1/8]");

        assertLocated(
                loadError(text),
                19,
                column19(text, "10.0.0.1/8"),
                "outputs.device.fields.client_net.generalise_ip.trusted_proxies[1]",
                "'10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?");
        assertThat(
                        loadError(
                                        withForwardedFor(
                                                ", x_forwarded_for: true, trusted_proxies:"
                                                        + " [proxy.example.com]"))
                                .problem())
                .contains("'proxy.example.com' is not an IP range in CIDR notation");
        assertThat(
                        loadError(
                                        withForwardedFor(
                                                ", x_forwarded_for: true, trusted_proxies:"
                                                        + " 198.51.100.0/24"))
                                .problem())
                .isEqualTo("expected a list, found text");
    }

    @Test
    void load_unknownFormOrNonBooleanXForwardedFor_isRefusedNamingTheChoices() {
        String form = withForwardedFor(", form: network");
        ConfigException e = loadError(form);
        assertLocated(
                e,
                19,
                column19(form, "network"),
                "outputs.device.fields.client_net.generalise_ip.form",
                "'network' is not one of [address, cidr]");

        ConfigException flag = loadError(withForwardedFor(", x_forwarded_for: 'yes please'"));
        assertThat(flag.path())
                .isEqualTo("outputs.device.fields.client_net.generalise_ip.x_forwarded_for");
        assertThat(flag.problem()).isEqualTo("expected true or false, found text");
    }

    @Test
    void load_xForwardedForPrefixOutOfRange_isRefusedAsForAnIp() {
        ConfigException e =
                loadError(
                        edited(
                                LAST_FIELD,
                                LAST_FIELD
                                        + "      client_net: {from: x_forwarded_for, generalise_ip:"
                                        + " {ipv4_prefix: 24, ipv6_prefix: 96, x_forwarded_for:"
                                        + " true}}\n"));

        assertThat(e.path())
                .isEqualTo("outputs.device.fields.client_net.generalise_ip.ipv6_prefix");
        assertThat(e.problem()).isEqualTo("must be between 0 and 64, was 96");
    }

    @Test
    void load_keepOfXForwardedFor_isRefusedAsAnIdentifier() {
        ConfigException e =
                loadError(edited(LAST_FIELD, LAST_FIELD + "      x_forwarded_for: keep\n"));

        assertThat(e.problem()).contains("is an identifier");
    }

    @Test
    void load_maskKeepingMoreThanFourCharactersOfAnIdentifier_isRefused() {
        ConfigException e =
                loadError(
                        edited(
                                LAST_FIELD,
                                LAST_FIELD
                                        + "      device_tail: {from: device_id, mask: {keep_last: 10}}\n"));

        assertThat(e.path()).isEqualTo("outputs.device.fields.device_tail.mask.keep_last");
        assertThat(e.problem()).isEqualTo("must be between 0 and 4, was 10");
    }

    @Test
    void load_keyFieldDroppedForMinors_isRefused() {
        ConfigException e =
                loadError(edited("      drop: [ip_prefix]", "      drop: [ip_prefix, subject]"));

        assertThat(e.path()).isEqualTo("outputs.device.minors.drop[1]");
        assertThat(e.problem()).contains("is the key_field of this output");
    }

    @Test
    void load_bucketOrFineH3OnLocationIdentifiers_isRefused() {
        String location =
                String.join(
                        "\n",
                        "version: \"t-1\"",
                        "subject_id: case_insensitive",
                        "outputs:",
                        "  location:",
                        "    stream: location",
                        "    topic: veil.anon.location",
                        "    purposes: [location]",
                        "    fields:",
                        "      subject: {from: user_id, pseudonymise: {id: case_insensitive}}",
                        "");
        ConfigException bucket =
                loadError(location + "      lat_bucket: {from: lat, bucket: {width: 0.000001}}\n");
        assertThat(bucket.path()).isEqualTo("outputs.location.fields.lat_bucket.from");
        assertThat(bucket.problem()).contains("is an identifier");

        ConfigException h3 =
                loadError(
                        location
                                + "      cell: {from: [lat, lon], generalise_location: {resolution: 15}}\n");
        assertThat(h3.path())
                .isEqualTo("outputs.location.fields.cell.generalise_location.resolution");
        assertThat(h3.problem()).contains("too fine").contains("at most 10");
    }

    private static IdentifierScope scopeOf(RuleSet rules, String output, String target) {
        for (FieldRule r : rules.output(output).fields()) {
            if (r.target().equals(target)) {
                return ((FieldRules.Pseudonymise) r).scope();
            }
        }
        throw new AssertionError("no field " + target);
    }

    @Test
    void load_shippedRules_peersAreGlobalEverythingElseSubjectScoped() {
        RuleSet rules = RuleSetLoader.load(RULES);
        assertThat(scopeOf(rules, "service", "peer")).isEqualTo(IdentifierScope.GLOBAL);
        assertThat(scopeOf(rules, "service", "peer_phone")).isEqualTo(IdentifierScope.GLOBAL);
        for (String f : List.of("subject", "session", "event_id")) {
            assertThat(scopeOf(rules, "service", f)).as(f).isEqualTo(IdentifierScope.SUBJECT);
        }
        assertThat(scopeOf(rules, "device", "device")).isEqualTo(IdentifierScope.SUBJECT);
    }

    @Test
    void load_explicitScope_isTaken() {
        RuleSet rules =
                RuleSetLoader.load(
                        YamlDocument.parse(
                                FILE,
                                BASE
                                        + "      device: {from: device_id, pseudonymise: {id: case_sensitive,"
                                        + " scope: record}}\n"));
        assertThat(scopeOf(rules, "device", "device")).isEqualTo(IdentifierScope.RECORD);
    }

    @Test
    void load_unknownScope_namesTheAllowedOnes() {
        ConfigException e =
                loadError(
                        BASE
                                + "      device: {from: device_id, pseudonymise: {id: case_sensitive,"
                                + " scope: everyone}}\n");
        assertThat(e.getMessage()).contains("everyone").contains("subject").contains("record");
        assertThat(e.line()).isEqualTo(19);
    }

    @Test
    void load_subjectScopedUserIdNormalisedOtherwiseThanSubjectId_isRefused() {
        ConfigException e =
                loadError(
                        edited(
                                "subject: {from: user_id, pseudonymise: {id: case_insensitive}}",
                                "subject: {from: user_id, pseudonymise: {id: case_sensitive}}"));
        assertLocated(
                e,
                14,
                51,
                "outputs.device.fields.subject.pseudonymise.id",
                "must normalise it as subject_id does (case_insensitive), so that erasure notices"
                        + " name it");
    }

    @Test
    void load_aRuleNamingAStampField_isRefused() {
        ConfigException e =
                loadError(
                        edited(
                                LAST_FIELD,
                                "      key_epoch: {from: os_name, mask: {keep_last: 1}}\n"));
        assertThat(e.getMessage()).contains("'key_epoch' is added by Veil to every record");
    }
}
