package dev.veil.tools.rules;

import dev.veil.consent.ConsentDecision;
import dev.veil.consent.Purpose;
import dev.veil.rules.FieldRule;
import dev.veil.rules.OutputRules;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Prints preview results as two columns per record, "in | out", one field per line, in at most
 * {@link #WIDTH} columns: each raw field on its own row, beside the output fields made from it (a
 * raw field that no rule reads shows "(dropped)"); long values wrap. Output fields made from no raw
 * field (the stamps Veil adds) come last.
 */
final class PreviewTable {
    /** Total width of a line. */
    static final int WIDTH = 120;

    private static final String SEP = " | ";
    private static final int LEFT = 56;
    private static final int RIGHT = WIDTH - LEFT - SEP.length();

    private PreviewTable() {}

    /** One output's heading, two lines: stream, topic; purposes, key field and minors policy. */
    static String heading(OutputRules o) {
        List<String> purposes = new ArrayList<>();
        Purpose.fromMask(o.requiredPurposes()).forEach(p -> purposes.add(p.wireName()));
        return "== output "
                + o.name()
                + ": stream "
                + o.stream()
                + " -> topic "
                + o.topic()
                + " ==\n   purposes "
                + String.join(", ", purposes)
                + "; key "
                + (o.keyField() == null ? "none" : o.keyField())
                + "; minors "
                + (o.publishMinors()
                        ? o.minorDropFields().isEmpty()
                                ? "published"
                                : "published without " + new TreeSet<>(o.minorDropFields())
                        : "never published");
    }

    /**
     * Prints what {@code o} made of {@code r}'s input.
     *
     * @param inHeading the heading of the in column, which says where the raw record came from
     */
    static void print(
            PrintWriter out, PreviewEngine.Result r, PreviewEngine.Outcome o, String inHeading) {
        OutputRules rules = o.output();
        out.println(
                "-- "
                        + r.input().label()
                        + (r.input().minor() ? ", subject a minor" : "")
                        + ": "
                        + describe(o));
        // output fields beside the raw field they read first
        Map<String, List<String>> bySource = new HashMap<>();
        for (FieldRule f : rules.fields()) {
            bySource.computeIfAbsent(f.sources().get(0), k -> new ArrayList<>()).add(f.target());
        }
        List<String[]> rows = new ArrayList<>();
        List<String> placed = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> raw = r.input().raw().fields();
        while (raw.hasNext()) {
            Map.Entry<String, JsonNode> e = raw.next();
            List<String> targets = bySource.getOrDefault(e.getKey(), List.of());
            if (targets.isEmpty()) {
                rows.add(
                        new String[] {
                            e.getKey(),
                            text(e.getValue()),
                            "",
                            o.published() == null ? "" : "(dropped)"
                        });
                continue;
            }
            for (int i = 0; i < targets.size(); i++) {
                String t = targets.get(i);
                placed.add(t);
                rows.add(
                        new String[] {
                            i == 0 ? e.getKey() : "",
                            i == 0 ? text(e.getValue()) : "",
                            t,
                            outText(o, t, r.input().raw())
                        });
            }
        }
        for (FieldRule f : rules.fields()) {
            if (!placed.contains(f.target())) {
                rows.add(
                        new String[] {"", "", f.target(), outText(o, f.target(), r.input().raw())});
                placed.add(f.target());
            }
        }
        if (o.published() != null) {
            // the stamps Veil adds to every record
            Iterator<String> names = o.published().fieldNames();
            while (names.hasNext()) {
                String n = names.next();
                if (!placed.contains(n)) {
                    rows.add(new String[] {"", "", n, shorten(text(o.published().get(n)))});
                }
            }
        }
        if (o.published() == null) {
            rows.removeIf(row -> row[0].isEmpty());
            for (String[] row : rows) {
                row[2] = "";
                row[3] = "";
            }
            if (!rows.isEmpty()) {
                rows.get(0)[3] = "(record not published)";
            }
        }
        int leftName = 0;
        int rightName = 0;
        for (String[] row : rows) {
            leftName = Math.max(leftName, row[0].length());
            rightName = Math.max(rightName, row[2].length());
        }
        out.println(pad(inHeading, LEFT) + SEP + "out (as published)");
        for (String[] row : rows) {
            List<String> left = wrap(row[1], LEFT - leftName - 2);
            List<String> right = wrap(row[3], RIGHT - rightName - 2);
            for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
                String l =
                        i < left.size()
                                ? pad(i == 0 ? row[0] : "", leftName) + "  " + left.get(i)
                                : "";
                String rr =
                        i < right.size()
                                ? pad(i == 0 ? row[2] : "", rightName) + "  " + right.get(i)
                                : "";
                out.println((pad(l, LEFT) + SEP + rr).stripTrailing());
            }
        }
        for (String d : r.deadLetters()) {
            out.println("   dead letter " + d);
        }
    }

    /** The decision in words. */
    static String describe(PreviewEngine.Outcome o) {
        if (o.published() == null) {
            return o.decision() == ConsentDecision.MINOR_EXCLUDED
                    ? "not published (minors.publish is false)"
                    : "not published (" + o.decision().label() + ")";
        }
        if (o.decision() == ConsentDecision.ALLOW_MINOR) {
            return o.output().minorDropFields().isEmpty()
                    ? "published (a minor's record)"
                    : "published without the minors.drop fields";
        }
        return "published";
    }

    private static String outText(PreviewEngine.Outcome o, String target, JsonNode raw) {
        if (o.published() == null) {
            return "";
        }
        JsonNode v = o.published().get(target);
        if (v != null) {
            return shorten(text(v));
        }
        if (o.decision() == ConsentDecision.ALLOW_MINOR
                && o.output().minorDropFields().contains(target)) {
            return "(minors.drop)";
        }
        for (FieldRule f : o.output().fields()) {
            if (f.target().equals(target)) {
                for (String s : f.sources()) {
                    JsonNode in = raw.get(s);
                    if (in != null && !in.isNull()) {
                        return "(left out: invalid value, see the dead letter)";
                    }
                }
            }
        }
        return "(no value in the record)";
    }

    /**
     * A pseudonym (64 hex characters) as its first 12 and last 4 characters, so that a row fits:
     * enough to see which agree. --json shows them whole.
     */
    static String shorten(String v) {
        return PSEUDONYM.matcher(v).matches()
                ? v.substring(0, 12) + "..." + v.substring(60) + " (64 hex)"
                : v;
    }

    private static final Pattern PSEUDONYM = Pattern.compile("[0-9a-f]{64}");

    /** A value as a person reads it: text without quotes, anything else as compact JSON. */
    static String text(JsonNode v) {
        return v == null ? "" : v.isTextual() ? v.asText() : v.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** {@code s} in pieces of at most {@code width} characters (at least one piece). */
    static List<String> wrap(String s, int width) {
        List<String> parts = new ArrayList<>();
        int w = Math.max(8, width);
        for (int i = 0; i < s.length(); i += w) {
            parts.add(s.substring(i, Math.min(s.length(), i + w)));
        }
        if (parts.isEmpty()) {
            parts.add("");
        }
        return parts;
    }

    /** For --json: the outcomes of one result as JSON-ready maps. */
    static Map<String, Object> json(PreviewEngine.Result r, PreviewEngine.Outcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", o.output().name());
        m.put("topic", o.output().topic());
        m.put("sample", r.input().label());
        m.put("minor", r.input().minor());
        m.put("decision", o.decision().label());
        m.put("in", r.input().raw());
        m.put("out", o.published());
        m.put("key", o.key());
        m.put("dead_letters", r.deadLetters());
        return m;
    }
}
