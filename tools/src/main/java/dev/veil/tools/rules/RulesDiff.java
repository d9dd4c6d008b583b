package dev.veil.tools.rules;

import dev.veil.config.ConfigNode;
import dev.veil.config.YamlDocument;
import dev.veil.consent.Purpose;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.schema.InputSchemas;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What changes between two rules files, structurally: outputs added or removed, an output's stream,
 * topic, purposes, key field and minors policy, each field's rule; and which of these changes
 * weaken privacy. Both files are validated as the job would ({@link RuleSetLoader}), so a diff is
 * only ever of two valid files. Parameters are compared as the loader reads them (defaults included
 * where they matter: an absent pseudonym scope is the field's default scope).
 *
 * <p>A change weakens privacy when the new file publishes more, or more precisely: a new output; an
 * output fed by another stream; a purpose no longer required; minors newly published, or a field no
 * longer dropped from their records; a field newly published (kept as it is or not); a rule
 * replaced by {@code keep}; an IPv4 or IPv6 prefix longer, an H3 resolution finer, a time
 * granularity or bucket width smaller, more characters kept by a mask, a pseudonym of a wider scope
 * (record, subject, global). Each is located at the new file's line.
 */
final class RulesDiff {
    /**
     * One difference.
     *
     * @param weakens whether it weakens privacy
     * @param file the file it is located in (the new one, unless the thing was removed)
     * @param line 1-based line in {@code file}, 0 when unknown
     * @param where the dotted path, e.g. {@code outputs.device.fields.ip_prefix}
     * @param what the change in words
     */
    record Finding(boolean weakens, String file, int line, String where, String what) {
        /** "file:line where: what". */
        String text() {
            return file + ":" + line + "  " + where + ": " + what;
        }
    }

    /** A rules file: its parsed document (for lines and parameters) and its validated rules. */
    record Rules(YamlDocument doc, RuleSet set) {
        /** Reads and validates {@code file}; a ConfigException, located, if it is invalid. */
        static Rules load(Path file) {
            YamlDocument doc = YamlDocument.read(file);
            return new Rules(doc, RuleSetLoader.load(doc));
        }

        Map<String, ConfigNode> outputs() {
            return doc.root().child("outputs").entries();
        }
    }

    /** A field's rule as written: kind ("drop" included), the input it reads, its parameters. */
    private record Spec(String kind, String from, JsonNode params, ConfigNode node) {
        static Spec of(String target, ConfigNode n) {
            if (n.json().isTextual()) {
                return new Spec(n.json().asText(), target, null, n);
            }
            String kind = null;
            for (String k : n.entries().keySet()) {
                // from names the input; quasi_identifier marks the field for the risk measurement
                // and changes nothing that is published
                if (!k.equals("from") && !k.equals("quasi_identifier")) {
                    kind = k;
                }
            }
            String from = target;
            if (n.has("from")) {
                JsonNode f = n.child("from").json();
                from = f.isArray() ? flow(f) : f.asText();
            }
            return new Spec(kind, from, n.child(kind).json(), n);
        }

        boolean published() {
            return !kind.equals("drop");
        }

        boolean quasiIdentifier() {
            return node.json().isObject() && node.json().path("quasi_identifier").asBoolean(false);
        }

        boolean sameAs(Spec o) {
            return kind.equals(o.kind) && from.equals(o.from) && Objects.equals(params, o.params);
        }

        String text(String target) {
            String s = kind;
            if (params != null && params.size() > 0) {
                s += " " + flow(params);
            }
            return from.equals(target) ? s : s + " from " + from;
        }
    }

    private final Rules before;
    private final Rules after;
    private final List<Finding> findings = new ArrayList<>();

    private RulesDiff(Rules before, Rules after) {
        this.before = before;
        this.after = after;
    }

    /**
     * The differences from {@code before} to {@code after}: those that weaken privacy first, by
     * their line in the new file; then the others, in file order.
     */
    static List<Finding> compare(Rules before, Rules after) {
        RulesDiff d = new RulesDiff(before, after);
        d.run();
        List<Finding> sorted = new ArrayList<>();
        d.findings.stream()
                .filter(Finding::weakens)
                .sorted(Comparator.comparingInt(Finding::line))
                .forEach(sorted::add);
        d.findings.stream().filter(f -> !f.weakens()).forEach(sorted::add);
        return sorted;
    }

    private void run() {
        RuleSet o = before.set();
        RuleSet n = after.set();
        ConfigNode root = after.doc().root();
        if (!o.version().equals(n.version())) {
            change(root, "version", "version", quote(o.version()) + " -> " + quote(n.version()));
        }
        if (o.subjectIdKind() != n.subjectIdKind()) {
            change(
                    root,
                    "subject_id",
                    "subject_id",
                    text(before, "subject_id") + " -> " + text(after, "subject_id"));
        }
        if (!Objects.equals(o.phoneRegion(), n.phoneRegion())) {
            change(
                    root,
                    "phone_region",
                    "phone_region",
                    o.phoneRegion() + " -> " + n.phoneRegion());
        }
        Map<String, ConfigNode> oldOuts = before.outputs();
        Map<String, ConfigNode> newOuts = after.outputs();
        for (Map.Entry<String, ConfigNode> e : newOuts.entrySet()) {
            String name = e.getKey();
            OutputRules nr = n.output(name);
            if (!oldOuts.containsKey(name)) {
                weakens(
                        e.getValue(),
                        "outputs." + name,
                        "new output: publishes "
                                + nr.fields().size()
                                + " field(s) of the "
                                + nr.stream()
                                + " stream to "
                                + nr.topic());
                continue;
            }
            output(name, o.output(name), nr, oldOuts.get(name), e.getValue());
        }
        for (Map.Entry<String, ConfigNode> e : oldOuts.entrySet()) {
            if (!newOuts.containsKey(e.getKey())) {
                findings.add(
                        new Finding(
                                false,
                                before.doc().fileName(),
                                e.getValue().line(),
                                "outputs." + e.getKey(),
                                "output removed (topic " + o.output(e.getKey()).topic() + ")"));
            }
        }
    }

    private void output(
            String name, OutputRules o, OutputRules n, ConfigNode oldNode, ConfigNode newNode) {
        String at = "outputs." + name;
        if (!o.stream().equals(n.stream())) {
            weakens(
                    at(newNode, "stream"),
                    at + ".stream",
                    "stream " + o.stream() + " -> " + n.stream() + ": publishes another stream");
        }
        if (!o.topic().equals(n.topic())) {
            change(newNode, "topic", at + ".topic", o.topic() + " -> " + n.topic());
        }
        EnumSet<Purpose> op = Purpose.fromMask(o.requiredPurposes());
        EnumSet<Purpose> np = Purpose.fromMask(n.requiredPurposes());
        for (Purpose p : op) {
            if (!np.contains(p)) {
                weakens(
                        at(newNode, "purposes"),
                        at + ".purposes",
                        "purpose "
                                + p.wireName()
                                + " no longer required: published for subjects who did not grant"
                                + " it");
            }
        }
        for (Purpose p : np) {
            if (!op.contains(p)) {
                change(
                        newNode,
                        "purposes",
                        at + ".purposes",
                        "purpose " + p.wireName() + " now required");
            }
        }
        if (!Objects.equals(o.keyField(), n.keyField())) {
            change(newNode, "key_field", at + ".key_field", o.keyField() + " -> " + n.keyField());
        }
        if (!o.publishMinors() && n.publishMinors()) {
            weakens(
                    at(newNode, "minors", "publish"),
                    at + ".minors.publish",
                    "false -> true: minors' records are published");
        } else if (o.publishMinors() && !n.publishMinors()) {
            change(
                    newNode,
                    "minors",
                    at + ".minors.publish",
                    "true -> false: minors never published");
        }
        Map<String, Spec> oldFields = fields(oldNode);
        Map<String, Spec> newFields = fields(newNode);
        if (n.publishMinors() && o.publishMinors()) {
            for (String f : o.minorDropFields()) {
                Spec ns = newFields.get(f);
                if (!n.minorDropFields().contains(f) && ns != null && ns.published()) {
                    weakens(
                            at(newNode, "minors", "drop"),
                            at + ".minors.drop",
                            f + " no longer dropped: minors' records carry it");
                }
            }
            for (String f : n.minorDropFields()) {
                if (!o.minorDropFields().contains(f)) {
                    change(newNode, "minors", at + ".minors.drop", f + " now dropped for minors");
                }
            }
        }
        Set<String> names = new LinkedHashSet<>(newFields.keySet());
        names.addAll(oldFields.keySet());
        for (String f : names) {
            field(n.stream(), at + ".fields." + f, f, oldFields.get(f), newFields.get(f));
            mark(at + ".fields." + f, oldFields.get(f), newFields.get(f));
        }
    }

    /**
     * A quasi_identifier mark added or removed on a field both files publish: it changes what the
     * risk measurement groups records by, not what is published, so it is a change and never
     * weakens privacy (the risk figures of the diff show what it does to the measurement).
     */
    private void mark(String at, Spec o, Spec n) {
        if (o == null || n == null || !o.published() || !n.published()) {
            return;
        }
        boolean was = o.quasiIdentifier();
        boolean now = n.quasiIdentifier();
        if (was && !now) {
            findings.add(
                    new Finding(
                            false,
                            after.doc().fileName(),
                            n.node().line(),
                            at,
                            "quasi_identifier mark removed: no longer measured for"
                                    + " re-identification risk"));
        } else if (!was && now) {
            findings.add(
                    new Finding(
                            false,
                            after.doc().fileName(),
                            n.node().line(),
                            at,
                            "quasi_identifier mark added: now measured for re-identification"
                                    + " risk"));
        }
    }

    private void field(String stream, String at, String target, Spec o, Spec n) {
        boolean oldPub = o != null && o.published();
        boolean newPub = n != null && n.published();
        if (o != null && n != null && o.sameAs(n) || !oldPub && !newPub) {
            // the same rule, or not published either way (drop and absent alike)
            return;
        }
        String was = o == null ? "absent" : o.text(target);
        String now = n == null ? "absent" : n.text(target);
        if (n == null) {
            findings.add(
                    new Finding(
                            false,
                            before.doc().fileName(),
                            o.node().line(),
                            at,
                            was + " -> absent"));
            return;
        }
        findings.add(
                new Finding(
                        false, after.doc().fileName(), n.node().line(), at, was + " -> " + now));
        if (!newPub) {
            return;
        }
        if (!oldPub) {
            weakens(
                    n.node(),
                    at,
                    was
                            + " -> "
                            + now
                            + (n.kind().equals("keep")
                                    ? ": newly published as it is"
                                    : ": newly published"));
            return;
        }
        if (n.kind().equals("keep") && !o.kind().equals("keep")) {
            weakens(n.node(), at, was + " -> keep: published as it is");
            return;
        }
        if (!n.kind().equals(o.kind()) || !n.from().equals(o.from())) {
            return;
        }
        ConfigNode p = n.node().child(n.kind());
        switch (n.kind()) {
            case "generalise_ip" -> {
                finer(
                        p,
                        at,
                        "ipv4_prefix",
                        o.params(),
                        n.params(),
                        "keeps more of each IPv4 address");
                finer(
                        p,
                        at,
                        "ipv6_prefix",
                        o.params(),
                        n.params(),
                        "keeps more of each IPv6 address");
            }
            case "generalise_location" ->
                    finer(p, at, "resolution", o.params(), n.params(), "smaller cells");
            case "mask" ->
                    finer(p, at, "keep_last", o.params(), n.params(), "more characters shown");
            case "bucket" -> {
                double ow = o.params().path("width").asDouble();
                double nw = n.params().path("width").asDouble();
                if (nw < ow) {
                    weakens(
                            p.child("width"),
                            at,
                            "bucket width "
                                    + num(o.params().get("width"))
                                    + " -> "
                                    + num(n.params().get("width"))
                                    + ": narrower buckets");
                }
            }
            case "truncate_time" -> {
                ConfigNode g = p.child("granularity");
                Duration nd = g.asDuration(Duration.ofMillis(1), Duration.ofDays(1));
                Duration od = Duration.parse(o.params().path("granularity").asText());
                if (nd.compareTo(od) < 0) {
                    weakens(
                            g,
                            at,
                            "truncate_time granularity "
                                    + o.params().path("granularity").asText()
                                    + " -> "
                                    + g.asText()
                                    + ": finer times");
                }
            }
            case "pseudonymise" -> {
                int or = scopeRank(stream, o);
                int nr = scopeRank(stream, n);
                if (nr > or) {
                    weakens(
                            p.has("scope") ? p.child("scope") : p,
                            at,
                            "pseudonym scope "
                                    + SCOPES.get(or)
                                    + " -> "
                                    + SCOPES.get(nr)
                                    + ": linkable more widely");
                }
            }
            default -> {
                // keep, reduce_url, reduce_user_agent: no parameter that makes them finer
            }
        }
    }

    /** Scopes from least to most linkable. */
    private static final List<String> SCOPES = List.of("record", "subject", "global");

    private static int scopeRank(String stream, Spec s) {
        String scope = s.params().path("scope").asText("");
        if (scope.isEmpty()) {
            String source = s.from();
            scope = InputSchemas.get().peers(stream).contains(source) ? "global" : "subject";
        }
        return SCOPES.indexOf(scope);
    }

    private void finer(ConfigNode p, String at, String key, JsonNode o, JsonNode n, String why) {
        if (!n.has(key) || !o.has(key)) {
            return;
        }
        if (n.get(key).asDouble() > o.get(key).asDouble()) {
            weakens(
                    p.child(key),
                    at,
                    p.path().substring(p.path().lastIndexOf('.') + 1)
                            + " "
                            + key
                            + " "
                            + num(o.get(key))
                            + " -> "
                            + num(n.get(key))
                            + ": "
                            + why);
        }
    }

    private static Map<String, Spec> fields(ConfigNode output) {
        Map<String, Spec> m = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : output.child("fields").entries().entrySet()) {
            m.put(e.getKey(), Spec.of(e.getKey(), e.getValue()));
        }
        return m;
    }

    /** The deepest node along {@code keys} under {@code n} that exists. */
    private static ConfigNode at(ConfigNode n, String... keys) {
        ConfigNode c = n;
        for (String k : keys) {
            if (!c.json().isObject() || !c.has(k)) {
                break;
            }
            c = c.child(k);
        }
        return c;
    }

    private void weakens(ConfigNode n, String where, String what) {
        findings.add(new Finding(true, after.doc().fileName(), n.line(), where, what));
    }

    private void change(ConfigNode parent, String key, String where, String what) {
        findings.add(
                new Finding(false, after.doc().fileName(), at(parent, key).line(), where, what));
    }

    private static String text(Rules r, String key) {
        return r.doc().root().has(key) ? r.doc().root().child(key).json().asText() : "absent";
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String num(JsonNode v) {
        return v == null ? "absent" : v.asText();
    }

    /** A JSON value in YAML's flow style, as a rules file would write it. */
    static String flow(JsonNode v) {
        if (v.isObject()) {
            List<String> parts = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = v.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                parts.add(e.getKey() + ": " + flow(e.getValue()));
            }
            return "{" + String.join(", ", parts) + "}";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(flow(x)));
            return "[" + String.join(", ", parts) + "]";
        }
        return v.asText();
    }
}
