package dev.veil.tools.rules;

import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What two rule sets make of the same raw records, output field by output field: whether a field
 * appears, disappears, keeps its value, or changes value in the same form or in another form. Both
 * rule sets run through {@link PreviewEngine} with the same throwaway keys, so a pseudonym that the
 * change does not touch stays the same. The stamps Veil adds to every record (rules version, key
 * epoch, policy version) are left out: the version changes with every edit.
 *
 * <p>A value's <em>form</em> is its shape among the values of the same field on the sample: the
 * value cut into runs of letters and digits and the characters between them; a run that is the same
 * in every value of that shape stays as it is, the others become a, b, c... by position. So IPv4
 * prefixes /24 have the form {@code a.b.c.0/24} and /28 {@code a.b.c.d/28}. With one value of a
 * shape every run is a letter.
 */
final class SampleDiff {
    /**
     * One line of the report.
     *
     * @param where output.field, or output alone for a record-level change
     * @param what what changed, with one example from the sample
     */
    record Change(String where, String what) {
        String text() {
            return where + ": " + what;
        }
    }

    private static final Pattern RUN = Pattern.compile("[A-Za-z0-9]+|[^A-Za-z0-9]+");

    private SampleDiff() {}

    /** The changes on {@code inputs}, by output (new file's order, then removed outputs). */
    static List<Change> compare(RuleSet before, RuleSet after, List<PreviewEngine.Input> inputs) {
        PreviewEngine.ThrowawayKeys keys = new PreviewEngine.ThrowawayKeys();
        PreviewEngine oldEngine = new PreviewEngine(before, keys);
        PreviewEngine newEngine = new PreviewEngine(after, keys);
        PreviewEngine.wipe(keys);
        Map<String, Outputs> oldOut = outputs(before, inputs.size());
        Map<String, Outputs> newOut = outputs(after, inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            collect(oldEngine.run(inputs.get(i)), oldOut, i);
            collect(newEngine.run(inputs.get(i)), newOut, i);
        }
        Set<String> names = new LinkedHashSet<>(newOut.keySet());
        names.addAll(oldOut.keySet());
        List<Change> changes = new ArrayList<>();
        for (String name : names) {
            Outputs o = oldOut.get(name);
            Outputs n = newOut.get(name);
            if (o == null || n == null || !o.summary().equals(n.summary())) {
                changes.add(
                        new Change(
                                name,
                                "records published "
                                        + (o == null ? "none (no such output)" : o.summary())
                                        + " -> "
                                        + (n == null ? "none (no such output)" : n.summary())));
            }
            fields(name, o, n, inputs.size(), changes);
        }
        return changes;
    }

    /**
     * One output's records, by input index: {@code applies[i]} when the output is fed by input i's
     * stream, {@code records[i]} its published record less the stamps, or null.
     */
    private record Outputs(boolean[] applies, ObjectNode[] records) {
        String summary() {
            int applicable = 0;
            int published = 0;
            for (int i = 0; i < applies.length; i++) {
                applicable += applies[i] ? 1 : 0;
                published += records[i] == null ? 0 : 1;
            }
            return published + " of " + applicable;
        }

        ObjectNode at(int i) {
            return records[i];
        }
    }

    private static Map<String, Outputs> outputs(RuleSet rules, int inputs) {
        Map<String, Outputs> m = new LinkedHashMap<>();
        for (OutputRules o : rules.outputs().values()) {
            m.put(o.name(), new Outputs(new boolean[inputs], new ObjectNode[inputs]));
        }
        return m;
    }

    private static void collect(PreviewEngine.Result r, Map<String, Outputs> out, int i) {
        for (PreviewEngine.Outcome oc : r.outcomes()) {
            ObjectNode p = oc.published() == null ? null : oc.published().deepCopy();
            if (p != null) {
                p.remove(OutputRules.STAMP_FIELDS);
            }
            Outputs o = out.get(oc.output().name());
            o.applies()[i] = true;
            o.records()[i] = p;
        }
    }

    private static void fields(
            String output, Outputs o, Outputs n, int records, List<Change> changes) {
        Set<String> names = new LinkedHashSet<>();
        addNames(n, names);
        addNames(o, names);
        for (String f : names) {
            List<String> before = values(o, f, records);
            List<String> after = values(n, f, records);
            Map<String, String> oldForm = forms(before);
            Map<String, String> newForm = forms(after);
            int appears = 0;
            int disappears = 0;
            int sameForm = 0;
            int otherForm = 0;
            String appearsEg = null;
            String disappearsEg = null;
            String sameFormEg = null;
            String otherFormEg = null;
            for (int i = 0; i < records; i++) {
                // only records that both publish: a record kept back is reported per output
                if (o == null || n == null || o.at(i) == null || n.at(i) == null) {
                    if (o == null && after.get(i) != null) {
                        appears++;
                        appearsEg = appearsEg == null ? eg(after.get(i)) : appearsEg;
                    } else if (n == null && before.get(i) != null) {
                        disappears++;
                        disappearsEg = disappearsEg == null ? eg(before.get(i)) : disappearsEg;
                    }
                    continue;
                }
                String b = before.get(i);
                String a = after.get(i);
                if (b == null && a == null || b != null && b.equals(a)) {
                    continue;
                }
                if (b == null) {
                    appears++;
                    appearsEg = appearsEg == null ? eg(a) : appearsEg;
                } else if (a == null) {
                    disappears++;
                    disappearsEg = disappearsEg == null ? eg(b) : disappearsEg;
                } else if (oldForm.get(b).equals(newForm.get(a))) {
                    sameForm++;
                    sameFormEg = sameFormEg == null ? eg(b) + " -> " + eg(a) : sameFormEg;
                } else {
                    otherForm++;
                    otherFormEg =
                            otherFormEg == null
                                    ? oldForm.get(b)
                                            + " -> "
                                            + newForm.get(a)
                                            + "; e.g. "
                                            + b
                                            + " -> "
                                            + a
                                    : otherFormEg;
                }
            }
            String where = output + "." + f;
            int applicable = 0;
            for (int i = 0; i < records; i++) {
                applicable += o != null && o.applies()[i] || n != null && n.applies()[i] ? 1 : 0;
            }
            String of = " of " + applicable + " record(s)";
            if (appears > 0) {
                changes.add(
                        new Change(where, "appears in " + appears + of + "; e.g. " + appearsEg));
            }
            if (disappears > 0) {
                changes.add(
                        new Change(
                                where,
                                "disappears from "
                                        + disappears
                                        + of
                                        + "; was e.g. "
                                        + disappearsEg));
            }
            if (otherForm > 0) {
                changes.add(
                        new Change(
                                where, "changes form in " + otherForm + of + ": " + otherFormEg));
            }
            if (sameForm > 0) {
                changes.add(
                        new Change(
                                where,
                                "changes value, same form, in "
                                        + sameForm
                                        + of
                                        + "; e.g. "
                                        + sameFormEg));
            }
        }
    }

    /** An example value as printed: a pseudonym shortened. */
    private static String eg(String v) {
        return PreviewTable.shorten(v);
    }

    private static void addNames(Outputs records, Set<String> names) {
        if (records == null) {
            return;
        }
        for (ObjectNode r : records.records()) {
            if (r != null) {
                r.fieldNames().forEachRemaining(names::add);
            }
        }
    }

    /** The field's value per record as text (null when absent or the record is not published). */
    private static List<String> values(Outputs records, String field, int size) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            ObjectNode r = records == null ? null : records.at(i);
            JsonNode v = r == null ? null : r.get(field);
            out.add(v == null || v.isNull() ? null : PreviewTable.text(v));
        }
        return out;
    }

    /** Each distinct value's form among {@code values} (see the class comment). */
    static Map<String, String> forms(List<String> values) {
        // values with the same separators belong together
        Map<String, List<List<String>>> byShape = new LinkedHashMap<>();
        Map<String, List<String>> runsOf = new HashMap<>();
        for (String v : new LinkedHashSet<>(values)) {
            if (v == null) {
                continue;
            }
            List<String> runs = runs(v);
            runsOf.put(v, runs);
            byShape.computeIfAbsent(skeleton(runs), k -> new ArrayList<>()).add(runs);
        }
        Map<String, String> forms = new HashMap<>();
        for (Map.Entry<String, List<String>> e : runsOf.entrySet()) {
            List<List<String>> group = byShape.get(skeleton(e.getValue()));
            StringBuilder form = new StringBuilder();
            char letter = 'a';
            for (int i = 0; i < e.getValue().size(); i++) {
                String run = e.getValue().get(i);
                if (!Character.isLetterOrDigit(run.charAt(0))) {
                    form.append(run);
                    continue;
                }
                boolean same = group.size() > 1;
                for (List<String> other : group) {
                    same &= other.get(i).equals(run);
                }
                form.append(same ? run : String.valueOf(letter));
                letter = letter == 'z' ? 'z' : (char) (letter + 1);
            }
            forms.put(e.getKey(), form.toString());
        }
        return forms;
    }

    private static List<String> runs(String v) {
        List<String> runs = new ArrayList<>();
        Matcher m = RUN.matcher(v);
        while (m.find()) {
            runs.add(m.group());
        }
        return runs;
    }

    private static String skeleton(List<String> runs) {
        StringBuilder sb = new StringBuilder();
        for (String r : runs) {
            sb.append(Character.isLetterOrDigit(r.charAt(0)) ? "\u0000" : r);
        }
        return sb.toString();
    }
}
