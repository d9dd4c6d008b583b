package dev.veil.rules;

import dev.veil.config.ConfigException;
import dev.veil.config.ConfigNode;
import dev.veil.config.ConfigProblems;
import dev.veil.config.YamlDocument;
import dev.veil.consent.Purpose;
import dev.veil.privacy.ForwardedForGeneraliser;
import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdentifierScope;
import dev.veil.privacy.IpGeneraliser;
import dev.veil.schema.InputSchemas;
import dev.veil.schema.InputSchemas.FieldType;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads and validates the field rules file ({@code config/rules.yaml}; its format is documented in
 * {@code docs/rules.md}). Everything is checked before the job starts: unknown keys, rule
 * parameters, that every field a rule reads exists in the input schema with a fitting type, that no
 * direct identifier is kept as it is, that every output requires at least one purpose. Each error
 * is a {@link ConfigException} naming the file, the line and the key.
 */
public final class RuleSetLoader {
    /** Longest IPv4 prefix a rule may keep: a /24 is a network of 256 addresses. */
    static final int MAX_IPV4_PREFIX = 24;

    /**
     * Longest IPv6 prefix a rule may keep: a /64 is one subnet (one household or device at most).
     */
    static final int MAX_IPV6_PREFIX = 64;

    /**
     * Finest H3 resolution for identifying coordinates: resolution 10 cells are about 0.015 km2.
     */
    static final int MAX_IDENTIFIER_H3_RESOLUTION = 10;

    /** Most characters a mask may keep of an identifier (as card and phone masks do). */
    static final int MAX_IDENTIFIER_KEEP_LAST = 4;

    private static final Pattern FIELD_NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern REGION = Pattern.compile("[A-Z]{2}");

    /**
     * A field rule's flag marking its output field as a quasi-identifier: a field that, combined
     * with others, can single a person out (cell, truncated time, device family, IP prefix). The
     * re-identification risk of an output is measured over these fields (docs/rules.md).
     */
    static final String QUASI_IDENTIFIER = "quasi_identifier";

    private static final Set<String> RULE_KINDS =
            Set.of(
                    "keep",
                    "pseudonymise",
                    "generalise_ip",
                    "generalise_location",
                    "truncate_time",
                    "bucket",
                    "mask",
                    "reduce_url",
                    "reduce_user_agent");
    private static final Map<String, IdKind> ID_KINDS =
            Map.of(
                    "case_sensitive", IdKind.CASE_SENSITIVE,
                    "case_insensitive", IdKind.CASE_INSENSITIVE,
                    "phone", IdKind.PHONE);

    private static final Map<String, IpGeneraliser.Form> IP_FORMS =
            Map.of("cidr", IpGeneraliser.Form.CIDR, "address", IpGeneraliser.Form.ADDRESS);

    private static final Map<String, IdentifierScope> SCOPES = new LinkedHashMap<>();

    static {
        for (IdentifierScope s : IdentifierScope.values()) {
            SCOPES.put(s.label(), s);
        }
    }

    /** The input field that names the data subject (as in dev.veil.record.LogRecordProcessor). */
    private static final String SUBJECT_FIELD = "user_id";

    private RuleSetLoader() {}

    private static String label(IdKind kind) {
        for (Map.Entry<String, IdKind> e : ID_KINDS.entrySet()) {
            if (e.getValue() == kind) {
                return e.getKey();
            }
        }
        return kind.name();
    }

    /**
     * Loads and validates a rules file. @throws ConfigException naming file, line, key and problem
     */
    public static RuleSet load(Path file) {
        return load(YamlDocument.read(file));
    }

    /**
     * Validates a parsed rules document. @throws ConfigException naming file, line, key and problem
     */
    public static RuleSet load(YamlDocument doc) {
        // Outputs, and field rules within an output, are checked independently: one run names
        // every problem among them (ConfigException.all()), not only the first.
        ConfigProblems problems = new ConfigProblems();
        ConfigNode root = doc.root();
        problems.attempt(() -> root.allowOnly("version", "subject_id", "phone_region", "outputs"));
        String version = problems.attempt(() -> root.child("version").asText());
        IdKind subjectKind =
                problems.attempt(
                        () -> ID_KINDS.get(root.child("subject_id").asEnum(ID_KINDS.keySet())));
        String phoneRegion =
                problems.attempt(
                        () -> {
                            if (!root.has("phone_region")) {
                                return null;
                            }
                            ConfigNode r = root.child("phone_region");
                            String region = r.asText();
                            if (!REGION.matcher(region).matches()) {
                                throw r.error(
                                        "must be an ISO 3166-1 alpha-2 region such as IE, was '"
                                                + region
                                                + "'");
                            }
                            return region;
                        });
        Map<String, OutputRules> outputs = new LinkedHashMap<>();
        Map<String, String> topicOwner = new HashMap<>();
        ConfigNode outs = problems.attempt(() -> root.child("outputs"));
        Map<String, ConfigNode> outEntries =
                outs == null ? Map.of() : problems.attempt(outs::entries);
        if (outs != null && outEntries != null && outEntries.isEmpty()) {
            problems.attempt(
                    () -> {
                        throw outs.error("at least one output is required");
                    });
        }
        for (Map.Entry<String, ConfigNode> e :
                (outEntries == null ? Map.<String, ConfigNode>of() : outEntries).entrySet()) {
            OutputRules o =
                    problems.attempt(
                            () ->
                                    output(
                                            e.getKey(),
                                            e.getValue(),
                                            version,
                                            subjectKind,
                                            phoneRegion));
            if (o == null) {
                continue;
            }
            String other = topicOwner.putIfAbsent(o.topic(), o.name());
            if (other != null) {
                problems.attempt(
                        () -> {
                            throw e.getValue()
                                    .child("topic")
                                    .error(
                                            "topic '"
                                                    + o.topic()
                                                    + "' is already used by output '"
                                                    + other
                                                    + "'");
                        });
            }
            outputs.put(o.name(), o);
        }
        problems.throwIfAny();
        return new RuleSet(version, subjectKind, phoneRegion, outputs);
    }

    private static OutputRules output(
            String name, ConfigNode n, String version, IdKind subjectKind, String phoneRegion) {
        if (!FIELD_NAME.matcher(name).matches()) {
            throw n.error("output name '" + name + "' must be lower case letters, digits and _");
        }
        ConfigProblems problems = new ConfigProblems();
        problems.attempt(
                () -> n.allowOnly("stream", "topic", "purposes", "key_field", "minors", "fields"));
        String topic =
                problems.attempt(
                        () -> {
                            ConfigNode topicNode = n.child("topic");
                            String t = topicNode.asText();
                            if (!TOPIC_NAME.matcher(t).matches()) {
                                throw topicNode.error(
                                        "'" + t + "' is not a valid Kafka topic name");
                            }
                            return t;
                        });
        Integer purposes =
                problems.attempt(
                        () -> {
                            ConfigNode purposesNode = n.child("purposes");
                            List<ConfigNode> purposeItems = purposesNode.items();
                            if (purposeItems.isEmpty()) {
                                throw purposesNode.error(
                                        "an output must require at least one purpose (no purpose would mean no"
                                                + " consent check)");
                            }
                            int mask = 0;
                            for (ConfigNode p : purposeItems) {
                                mask |=
                                        Purpose.fromWireName(
                                                        p.asEnum(
                                                                new LinkedHashSet<>(
                                                                        Purpose.wireNames())))
                                                .mask();
                            }
                            return mask;
                        });
        // the fields' checks need the stream
        String stream =
                problems.attempt(
                        () ->
                                n.child("stream")
                                        .asEnum(new LinkedHashSet<>(InputSchemas.LOG_STREAMS)));
        if (stream == null) {
            problems.throwIfAny();
        }

        Map<String, FieldType> inputFields = InputSchemas.get().fields(stream);
        Set<String> identifiers = InputSchemas.get().identifiers(stream);
        ConfigNode fieldsNode = problems.attempt(() -> n.child("fields"));
        Map<String, ConfigNode> fieldEntries =
                fieldsNode == null ? null : problems.attempt(fieldsNode::entries);
        if (fieldEntries == null) {
            problems.throwIfAny();
        }
        List<FieldRule> rules = new ArrayList<>();
        Set<String> targets = new LinkedHashSet<>();
        Set<String> quasiIdentifiers = new LinkedHashSet<>();
        for (Map.Entry<String, ConfigNode> f : fieldEntries.entrySet()) {
            boolean passed =
                    problems.attempt(
                            () -> {
                                FieldRule rule =
                                        fieldRule(
                                                f.getKey(),
                                                f.getValue(),
                                                stream,
                                                inputFields,
                                                identifiers,
                                                subjectKind,
                                                phoneRegion);
                                if (rule != null) {
                                    rules.add(rule);
                                    targets.add(rule.target());
                                    if (f.getValue().json().path(QUASI_IDENTIFIER).asBoolean()) {
                                        quasiIdentifiers.add(rule.target());
                                    }
                                }
                            });
            if (!passed) {
                // Named by the file, whatever its rule's fault: key_field and minors.drop may
                // name it without a second, consequential error.
                targets.add(f.getKey());
            }
        }
        if (rules.isEmpty() && problems.none()) {
            throw fieldsNode.error("the output publishes no field");
        }

        String keyField =
                problems.attempt(
                        () -> {
                            if (!n.has("key_field")) {
                                return null;
                            }
                            ConfigNode k = n.child("key_field");
                            String field = k.asText();
                            if (!targets.contains(field)) {
                                throw k.error(
                                        "'"
                                                + field
                                                + "' is not an output field of this output; output fields are "
                                                + targets);
                            }
                            return field;
                        });
        boolean publishMinors =
                !n.has("minors")
                        || !n.child("minors").has("publish")
                        || Boolean.TRUE.equals(
                                problems.attempt(
                                        () -> n.child("minors").child("publish").asBoolean()));
        Set<String> minorDrop = new LinkedHashSet<>();
        if (n.has("minors")) {
            problems.attempt(
                    () -> {
                        ConfigNode m = n.child("minors").allowOnly("publish", "drop");
                        if (m.has("drop")) {
                            for (ConfigNode d : m.child("drop").items()) {
                                String field = d.asText();
                                if (!targets.contains(field)) {
                                    throw d.error(
                                            "'"
                                                    + field
                                                    + "' is not an output field of this output; output fields are "
                                                    + targets);
                                }
                                if (field.equals(keyField)) {
                                    throw d.error(
                                            "'"
                                                    + field
                                                    + "' is the key_field of this output: a minor's record would"
                                                    + " still carry it as its Kafka key");
                                }
                                minorDrop.add(field);
                            }
                        }
                    });
        }
        problems.throwIfAny();
        return new OutputRules(
                name,
                stream,
                topic,
                purposes,
                keyField,
                publishMinors,
                minorDrop,
                rules,
                version,
                quasiIdentifiers);
    }

    /** Returns null for an explicit drop. */
    private static FieldRule fieldRule(
            String target,
            ConfigNode n,
            String stream,
            Map<String, FieldType> inputFields,
            Set<String> identifiers,
            IdKind subjectKind,
            String phoneRegion) {
        if (!FIELD_NAME.matcher(target).matches()) {
            throw n.error("field name '" + target + "' must be lower case letters, digits and _");
        }
        if (OutputRules.STAMP_FIELDS.contains(target)) {
            throw n.error("'" + target + "' is added by Veil to every record; pick another name");
        }
        if (n.json().isTextual()) {
            String word = n.asEnum(Set.of("keep", "drop"));
            requireInput(n, stream, inputFields, target);
            if (word.equals("drop")) {
                return null;
            }
            refuseKeepOfIdentifier(n, stream, identifiers, target);
            return new FieldRules.Keep(target, target);
        }
        if (!n.json().isObject()) {
            throw n.error(
                    "expected 'keep', 'drop' or a mapping with one rule such as {pseudonymise: {id: case_sensitive}}");
        }
        String kind = null;
        for (String key : n.entries().keySet()) {
            if (key.equals("from")) {
                continue;
            }
            if (key.equals(QUASI_IDENTIFIER)) {
                n.child(key).asBoolean();
                continue;
            }
            if (!RULE_KINDS.contains(key)) {
                throw n.child(key)
                        .error(
                                "unknown rule '"
                                        + key
                                        + "'; rules are "
                                        + new TreeSet<>(RULE_KINDS)
                                        + " (or the words keep and drop)");
            }
            if (kind != null) {
                throw n.child(key)
                        .error("one rule per field: found both '" + kind + "' and '" + key + "'");
            }
            kind = key;
        }
        if (kind == null) {
            throw n.error("no rule given; rules are " + new TreeSet<>(RULE_KINDS));
        }
        ConfigNode params = n.child(kind);
        if (!params.json().isObject()) {
            throw params.error(
                    "expected the rule's parameters as a mapping, for example {} when it has none");
        }
        if (kind.equals("generalise_location")) {
            ConfigNode from = n.child("from");
            List<String> src = from.asTextList();
            if (src.size() != 2) {
                throw from.error("generalise_location reads two fields: [latitude, longitude]");
            }
            for (String s : src) {
                requireType(from, stream, inputFields, s, "generalise_location", true);
            }
            params.allowOnly("resolution");
            ConfigNode resNode = params.child("resolution");
            int res = resNode.asInt(0, 15);
            if (res > MAX_IDENTIFIER_H3_RESOLUTION
                    && (identifiers.contains(src.get(0)) || identifiers.contains(src.get(1)))) {
                throw resNode.error(
                        "resolution "
                                + res
                                + " is too fine for precise coordinates (cells under about 0.015 km2"
                                + " single people out); at most "
                                + MAX_IDENTIFIER_H3_RESOLUTION);
            }
            return new FieldRules.GeneraliseLocation(target, src.get(0), src.get(1), res);
        }
        ConfigNode where = n.has("from") ? n.child("from") : n;
        String source = n.has("from") ? n.child("from").asText() : target;
        switch (kind) {
            case "keep":
                params.allowOnly();
                requireInput(where, stream, inputFields, source);
                refuseKeepOfIdentifier(where, stream, identifiers, source);
                return new FieldRules.Keep(target, source);
            case "pseudonymise":
                {
                    requireType(where, stream, inputFields, source, kind, false);
                    params.allowOnly("id", "region", "scope");
                    IdKind idKind = ID_KINDS.get(params.child("id").asEnum(ID_KINDS.keySet()));
                    boolean peer = InputSchemas.get().peers(stream).contains(source);
                    IdentifierScope scope = peer ? IdentifierScope.GLOBAL : IdentifierScope.SUBJECT;
                    if (params.has("scope")) {
                        ConfigNode sc = params.child("scope");
                        String label = sc.asEnum(SCOPES.keySet());
                        scope = SCOPES.get(label);
                    }
                    if (scope == IdentifierScope.SUBJECT
                            && subjectKind != null
                            && source.equals(SUBJECT_FIELD)
                            && idKind != subjectKind) {
                        throw params.child("id")
                                .error(
                                        "a subject-scoped pseudonym of "
                                                + source
                                                + " must normalise it as subject_id does ("
                                                + label(subjectKind)
                                                + "), so that erasure notices name it");
                    }
                    String region = phoneRegion;
                    if (params.has("region")) {
                        ConfigNode r = params.child("region");
                        region = r.asText();
                        if (!REGION.matcher(region).matches()) {
                            throw r.error(
                                    "must be an ISO 3166-1 alpha-2 region such as IE, was '"
                                            + region
                                            + "'");
                        }
                    }
                    return new FieldRules.Pseudonymise(target, source, idKind, region, scope);
                }
            case "generalise_ip":
                {
                    requireType(where, stream, inputFields, source, kind, false);
                    params.allowOnly(
                            "ipv4_prefix",
                            "ipv6_prefix",
                            "form",
                            "x_forwarded_for",
                            "trusted_proxies");
                    // An IP is always an identifier: a prefix longer than these keeps (nearly) a
                    // whole address.
                    ConfigNode v4 = params.child("ipv4_prefix");
                    ConfigNode v6 = params.child("ipv6_prefix");
                    int v4Len = v4.asInt(0, MAX_IPV4_PREFIX);
                    int v6Len = v6.asInt(0, MAX_IPV6_PREFIX);
                    IpGeneraliser.Form form = IpGeneraliser.Form.CIDR;
                    if (params.has("form")) {
                        form = IP_FORMS.get(params.child("form").asEnum(IP_FORMS.keySet()));
                    }
                    boolean xff =
                            params.has("x_forwarded_for")
                                    && params.child("x_forwarded_for").asBoolean();
                    List<String> trusted = xff ? List.of() : null;
                    ConfigNode proxies = params.optChild("trusted_proxies");
                    if (proxies != null) {
                        if (!xff) {
                            throw proxies.error(
                                    "trusted_proxies only applies to an X-Forwarded-For value;"
                                            + " set x_forwarded_for: true, or remove it");
                        }
                        trusted = trustedProxies(proxies);
                    }
                    return new FieldRules.GeneraliseIp(target, source, v4Len, v6Len, form, trusted);
                }
            case "truncate_time":
                {
                    requireInput(where, stream, inputFields, source);
                    if (inputFields.get(source) != FieldType.DATE_TIME) {
                        throw where.error(
                                "truncate_time needs a date-time field; '"
                                        + source
                                        + "' is "
                                        + inputFields.get(source).name().toLowerCase(Locale.ROOT));
                    }
                    params.allowOnly("granularity", "zone");
                    ConfigNode g = params.child("granularity");
                    ConfigNode z = params.optChild("zone");
                    Optional<ZoneId> zone =
                            z == null ? Optional.empty() : Optional.of(z.asZoneId());
                    Duration d = g.asDuration(Duration.ofMillis(1), Duration.ofDays(1));
                    if (Duration.ofDays(1).toMillis() % d.toMillis() != 0) {
                        throw g.error(
                                "must divide a day evenly (for example PT1M, PT15M, PT1H, P1D), was "
                                        + g.asText());
                    }
                    return new FieldRules.TruncateTime(target, source, d, zone);
                }
            case "bucket":
                {
                    requireType(where, stream, inputFields, source, kind, true);
                    if (identifiers.contains(source)) {
                        throw where.error(
                                "'"
                                        + source
                                        + "' of the "
                                        + stream
                                        + " stream is an identifier (x-veil-identifier);"
                                        + " a bucket can be as fine as the value itself: drop it or use a rule made for it");
                    }
                    params.allowOnly("width", "origin");
                    double width = params.child("width").asDouble(Double.MIN_VALUE, 1e15);
                    double origin =
                            params.has("origin") ? params.child("origin").asDouble(-1e15, 1e15) : 0;
                    return new FieldRules.Bucket(target, source, width, origin);
                }
            case "mask":
                {
                    requireType(where, stream, inputFields, source, kind, false);
                    params.allowOnly("keep_last", "char");
                    int keep =
                            params.child("keep_last")
                                    .asInt(
                                            0,
                                            identifiers.contains(source)
                                                    ? MAX_IDENTIFIER_KEEP_LAST
                                                    : 64);
                    char c = '*';
                    if (params.has("char")) {
                        ConfigNode cn = params.child("char");
                        String s = cn.asText();
                        if (s.length() != 1) {
                            throw cn.error("must be one character, was '" + s + "'");
                        }
                        c = s.charAt(0);
                    }
                    return new FieldRules.Mask(target, source, keep, c);
                }
            case "reduce_url":
                requireType(where, stream, inputFields, source, kind, false);
                params.allowOnly();
                return new FieldRules.ReduceUrl(target, source);
            case "reduce_user_agent":
                requireType(where, stream, inputFields, source, kind, false);
                params.allowOnly();
                return new FieldRules.ReduceUserAgent(target, source);
            default:
                throw params.error("unknown rule '" + kind + "'");
        }
    }

    /** CIDR ranges, each checked where it is written. */
    private static List<String> trustedProxies(ConfigNode proxies) {
        List<String> ranges = new ArrayList<>();
        for (ConfigNode item : proxies.items()) {
            String cidr = item.asText();
            try {
                ForwardedForGeneraliser.trustedRange(cidr);
            } catch (IllegalArgumentException e) {
                throw item.error(e.getMessage());
            }
            ranges.add(cidr);
        }
        return ranges;
    }

    private static void requireInput(
            ConfigNode where, String stream, Map<String, FieldType> inputFields, String source) {
        if (!inputFields.containsKey(source)) {
            throw where.error(
                    "the "
                            + stream
                            + " stream has no field '"
                            + source
                            + "'; its fields are "
                            + inputFields.keySet());
        }
    }

    private static void requireType(
            ConfigNode where,
            String stream,
            Map<String, FieldType> inputFields,
            String source,
            String kind,
            boolean numeric) {
        requireInput(where, stream, inputFields, source);
        FieldType t = inputFields.get(source);
        if (numeric ? !t.numeric() : !t.textual()) {
            throw where.error(
                    kind
                            + " needs a "
                            + (numeric ? "number" : "text")
                            + " field; '"
                            + source
                            + "' is "
                            + t.name().toLowerCase(Locale.ROOT));
        }
    }

    private static void refuseKeepOfIdentifier(
            ConfigNode where, String stream, Set<String> identifiers, String source) {
        if (identifiers.contains(source)) {
            throw where.error(
                    "'"
                            + source
                            + "' of the "
                            + stream
                            + " stream is an identifier (x-veil-identifier in its schema) and cannot be kept as it is;"
                            + " pseudonymise, generalise, mask or drop it");
        }
    }
}
