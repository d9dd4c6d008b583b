package dev.veil.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Compares the output of two independent runs of the anonymisation job over the same input, up to a
 * consistent renaming of pseudonyms. Subject-scoped pseudonyms come from each data subject's random
 * secret, so two runs from scratch write different pseudonyms for the same records; what must agree
 * is everything else, and which records share a pseudonym.
 *
 * <p>A run is a map from topic to a multiset of records (record text to number of copies). A record
 * is JSON text (a value, or {@link #keyed} key and value); text that is not JSON is compared as it
 * is. Every JSON string value of exactly 64 lower-case hex characters is taken for a pseudonym
 * ({@link #PSEUDONYM}; the deterministic global-scope ones too, and whatever else has that shape).
 *
 * <h2>What is compared</h2>
 *
 * <ol>
 *   <li><b>Blanked records</b>: each record with every pseudonym replaced by {@code ""}, per topic
 *       as a multiset: {@link TopicDiff lost, duplicated, differing}. A lost, added or changed
 *       record shows here whatever the pseudonyms.
 *   <li><b>Pseudonym linkage</b>: whether some one-to-one renaming φ of run a's pseudonyms into run
 *       b's turns a's records into exactly b's (every topic, every copy). φ keeps which records,
 *       fields and copies share a pseudonym, which is all that two runs with independent secrets
 *       can have in common. A value found in both runs is kept as it is (φ(v) = v): the
 *       global-scope pseudonyms are the same in both, a subject-scoped one never is. {@link
 *       Linkage}.
 * </ol>
 *
 * <h2>Canonical form</h2>
 *
 * A pseudonym v's <i>signature</i> is the sorted multiset of (topic, field path, blanked record,
 * copies) over the distinct records that carry v, and v's canonical name a 64-bit hash of it; each
 * record's canonical form is its blanked text with every pseudonym replaced by its name. That is
 * round 1 of colour refinement, which goes on: each round names every distinct record by (its name
 * so far, the names of its pseudonyms in field order) and every pseudonym by (its name so far, the
 * sorted multiset of (field path, record name) over its occurrences), until a round splits no class
 * in either run. Erasure notices need nothing special: the {@code subject} of {@code pseudonyms[i]}
 * is an occurrence like any other (field path {@code /value/pseudonyms/i/subject} when keyed), so a
 * notice is linked to the records that carry the same pseudonym, and the notice's entries keep
 * their order and epochs.
 *
 * <h2>Why this decides equality up to renaming</h2>
 *
 * <ul>
 *   <li><b>Different canonical forms: not equal up to renaming.</b> Names are computed from blanked
 *       records, kept values and who shares which pseudonym, never from a renamed value; so if φ(a)
 *       = b, every v has in a the name φ(v) has in b, round after round, and the multisets of
 *       record names agree. Contrapositive: when they differ, no renaming exists. A lost, added or
 *       changed record changes the multiset of blanked records, and so of names (a record's first
 *       name hashes its topic, copies and blanked text); a swapped linkage (two records that shared
 *       a pseudonym now carry different ones, or the reverse, blanked contents equal) changes the
 *       signature of the pseudonyms involved.
 *   <li><b>Equal canonical forms are not enough</b> in general: with equal blanked records, four
 *       subjects and four devices linked as one cycle of eight records, or as two cycles of four,
 *       give every subject and device the same name in every round (each is on two records of the
 *       same content), and no renaming maps one onto the other. So {@link Linkage#IDENTICAL} is
 *       only reported with a witness: a renaming built from the names, applied to a's records and
 *       compared with b's text for text. The records fall apart into groups linked by shared
 *       pseudonyms (a subject with its devices, sessions, events and notices, typically); a
 *       renaming maps groups onto groups of the same names, so each group of a is matched with an
 *       unused group of b of the same names that it maps onto (any will do: mapping onto each other
 *       is an equivalence). Within a pair, pseudonyms of a name of their own map to the one of that
 *       name; where names tie, one tied pseudonym is given a name of its own and each candidate in
 *       b in turn the same one, refined again, and so on (individualisation and refinement with
 *       backtracking, complete, at most {@link #DEFAULT_BUDGET} refinements in all). Pseudonyms on
 *       one field of one distinct record (an event id) are never tied: they map through the records
 *       paired on everything else, any pairing being as good as another. The groups partition both
 *       runs, so the renamings checked group by group together map a onto b.
 * </ul>
 *
 * Names are 64-bit hashes; a collision can only merge classes, which costs search steps but makes
 * neither answer wrong: {@link Linkage#IDENTICAL} rests on the exact check of a witness, {@link
 * Linkage#DIFFERENT} on names that differ (so what they were computed from differs) or on a
 * complete search. Only {@link Linkage#UNDECIDED} (budget spent) is inconclusive; it is not
 * identical.
 *
 * <p>Plain Java, no Flink; nothing is shared between calls. Cost: both runs held as parsed JSON
 * trees, a few passes over them per refinement round, and per group of linked records a search that
 * is a single refinement unless names tie.
 */
public final class RunComparison {
    /** A pseudonym as the job writes it: 64 lower-case hex characters (PseudonymKeys). */
    public static final Pattern PSEUDONYM = Pattern.compile("[0-9a-f]{64}");

    /**
     * Json's strict reader, but numbers kept as written ({@code 1.50} stays {@code 1.50}): a record
     * that changed the spelling of a number changed.
     */
    private static final ObjectMapper READER =
            JsonMapper.builder()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
                    .build();

    /** Refinements the search for a renaming may run before it gives up (UNDECIDED). */
    public static final int DEFAULT_BUDGET = 10_000;

    /** What the linkage comparison found. */
    public enum Linkage {
        /** A renaming of pseudonyms turns run a's records into exactly run b's (checked). */
        IDENTICAL,
        /** No renaming can: the records, or which of them share a pseudonym, differ. */
        DIFFERENT,
        /** The search for a renaming spent its budget; not known, and not identical. */
        UNDECIDED
    }

    /**
     * One topic's blanked records, run b against run a: {@code lost} = copies a has and b lacks,
     * {@code duplicated} = copies b has beyond a's of a record a has, {@code differing} = copies in
     * b of records a does not have at all (a changed record counts lost 1 and differing 1).
     *
     * @param inA, inB records (copies) in each run
     * @param lostSamples, extraSamples up to 3 blanked records lost, and of b's that a lacks
     */
    public record TopicDiff(
            String topic,
            long inA,
            long inB,
            long lost,
            long duplicated,
            long differing,
            List<String> lostSamples,
            List<String> extraSamples) {
        /** Nothing lost, duplicated or differing. */
        public boolean same() {
            return lost == 0 && duplicated == 0 && differing == 0;
        }
    }

    /**
     * The comparison of two runs.
     *
     * @param topics every topic of either run, sorted by name
     * @param linkage what the linkage comparison found
     * @param pseudonymsA, pseudonymsB distinct pseudonyms in each run
     * @param detail one line on how the linkage was decided or where it differs
     */
    public record Result(
            List<TopicDiff> topics,
            Linkage linkage,
            int pseudonymsA,
            int pseudonymsB,
            String detail) {
        /** Every topic's blanked records the same (as multisets), none missing in either run. */
        public boolean blankedIdentical() {
            return topics.stream().allMatch(TopicDiff::same);
        }

        /** Linkage {@link Linkage#IDENTICAL}: the runs are equal up to renaming pseudonyms. */
        public boolean linkageIdentical() {
            return linkage == Linkage.IDENTICAL;
        }

        /** Both: the runs are equal up to a consistent renaming of pseudonyms. */
        public boolean identical() {
            return blankedIdentical() && linkageIdentical();
        }

        /** The topic's row; a row of zeros when neither run has it. */
        public TopicDiff topic(String name) {
            return topics.stream()
                    .filter(t -> t.topic().equals(name))
                    .findFirst()
                    .orElse(new TopicDiff(name, 0, 0, 0, 0, 0, List.of(), List.of()));
        }

        /** Per topic counts and samples, and the linkage: for assertion messages. */
        public String describe() {
            StringBuilder s = new StringBuilder();
            for (TopicDiff t : topics) {
                s.append(
                        String.format(
                                "%s: a %d, b %d, lost %d, duplicated %d, differing %d%n",
                                t.topic(),
                                t.inA(),
                                t.inB(),
                                t.lost(),
                                t.duplicated(),
                                t.differing()));
                t.lostSamples().forEach(x -> s.append("  lost: ").append(x).append('\n'));
                t.extraSamples().forEach(x -> s.append("  only in b: ").append(x).append('\n'));
            }
            s.append(
                    String.format(
                            "pseudonym linkage: %s (pseudonyms: a %d, b %d; %s)%n",
                            linkage, pseudonymsA, pseudonymsB, detail));
            return s.toString();
        }
    }

    private RunComparison() {}

    /**
     * A Kafka record as one JSON text {@code {"key": k, "value": v}}, so that the key (the subject
     * pseudonym of an anonymised record) is compared and linked too: k is the key as a string or
     * null; v the value's JSON, or the value as a string when it is not JSON, or null.
     */
    public static String keyed(byte[] key, byte[] value) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("key", key == null ? null : new String(key, StandardCharsets.UTF_8));
        if (value == null) {
            n.putNull("value");
        } else {
            String text = new String(value, StandardCharsets.UTF_8);
            JsonNode v = parse(text);
            n.set("value", v == null ? TextNode.valueOf(text) : v);
        }
        return n.toString();
    }

    /** A run given as lists of record texts per topic, as multisets. */
    public static Map<String, Map<String, Long>> multisets(
            Map<String, ? extends Collection<String>> run) {
        Map<String, Map<String, Long>> m = new TreeMap<>();
        run.forEach(
                (topic, records) -> {
                    Map<String, Long> counts = new HashMap<>();
                    records.forEach(r -> counts.merge(r, 1L, Long::sum));
                    m.put(topic, counts);
                });
        return m;
    }

    /**
     * Compares run b with run a (a is the reference: lost and differing are from a's side).
     *
     * @param a, b topic to record text to copies (at least 1)
     */
    public static Result compare(
            Map<String, Map<String, Long>> a, Map<String, Map<String, Long>> b) {
        return compare(a, b, DEFAULT_BUDGET);
    }

    /** {@link #compare(Map, Map)} with a search budget of {@code budget} refinements (≥ 1). */
    public static Result compare(
            Map<String, Map<String, Long>> a, Map<String, Map<String, Long>> b, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("budget must be at least 1, was " + budget);
        }
        Run ra = new Run(a);
        Run rb = new Run(b);
        List<TopicDiff> topics = blankedDiff(ra, rb);
        Set<String> shared = new HashSet<>(ra.values);
        shared.retainAll(rb.index.keySet());
        ra.keep(shared);
        rb.keep(shared);
        Matcher m = new Matcher(ra, rb, budget);
        Linkage linkage = m.run();
        return new Result(topics, linkage, ra.values.size(), rb.values.size(), m.detail);
    }

    // ---- blanked records
    // -------------------------------------------------------------------------

    private static List<TopicDiff> blankedDiff(Run a, Run b) {
        Map<String, Map<String, Long>> x = a.blankedMultisets();
        Map<String, Map<String, Long>> y = b.blankedMultisets();
        Set<String> names = new TreeSet<>(x.keySet());
        names.addAll(y.keySet());
        List<TopicDiff> out = new ArrayList<>();
        for (String t : names) {
            Map<String, Long> p = x.getOrDefault(t, Map.of());
            Map<String, Long> q = y.getOrDefault(t, Map.of());
            long lost = 0;
            long dup = 0;
            long differing = 0;
            Set<String> lostSamples = new TreeSet<>();
            Set<String> extraSamples = new TreeSet<>();
            for (Map.Entry<String, Long> e : p.entrySet()) {
                long got = q.getOrDefault(e.getKey(), 0L);
                if (got < e.getValue()) {
                    lost += e.getValue() - got;
                    lostSamples.add(e.getKey());
                } else {
                    dup += got - e.getValue();
                }
            }
            for (Map.Entry<String, Long> e : q.entrySet()) {
                long had = p.getOrDefault(e.getKey(), 0L);
                if (had == 0) {
                    differing += e.getValue();
                }
                if (e.getValue() > had) {
                    extraSamples.add(e.getKey());
                }
            }
            out.add(
                    new TopicDiff(
                            t,
                            total(p),
                            total(q),
                            lost,
                            dup,
                            differing,
                            first(lostSamples, 3),
                            first(extraSamples, 3)));
        }
        return out;
    }

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private static List<String> first(Set<String> s, int n) {
        return s.stream().limit(n).toList();
    }

    // ---- one run, parsed
    // -------------------------------------------------------------------------

    /** Where a pseudonym sits in a record's tree: an object's field, an array element, the root. */
    private record Slot(JsonNode parent, String field, int index, String path) {
        void set(String value) {
            if (parent instanceof ObjectNode o) {
                o.put(field, value);
            } else if (parent instanceof ArrayNode arr) {
                arr.set(index, TextNode.valueOf(value));
            }
        }
    }

    /** A distinct record of a run: its topic, copies, tree and pseudonym slots. */
    private static final class Node {
        final String topic;
        final long copies;

        /** The parsed record, or null for text that is not JSON (kept as {@link #text}). */
        final JsonNode tree;

        final String text;
        final List<Slot> slots = new ArrayList<>();

        /** Per slot: the run's index of the value there, and the hash of the slot's path. */
        int[] values;

        long[] paths;

        String blanked;

        /** The name a refinement starts from: topic, copies, blanked record, kept values. */
        long content;

        Node(String topic, String text, long copies) {
            this.topic = topic;
            this.copies = copies;
            this.text = text;
            this.tree = parse(text);
        }

        /** The record with each slot set to {@code names[slot]}. */
        String render(String[] names) {
            if (tree == null) {
                return text;
            }
            if (!slots.isEmpty() && slots.get(0).parent() == null) {
                return TextNode.valueOf(names[0]).toString();
            }
            for (int i = 0; i < slots.size(); i++) {
                slots.get(i).set(names[i]);
            }
            return tree.toString();
        }
    }

    private static final class Run {
        final List<Node> nodes = new ArrayList<>();
        final List<String> values = new ArrayList<>();
        final Map<String, Integer> index = new HashMap<>();

        /** Per value: its occurrences as flattened (node, slot) pairs. */
        final List<int[]> occurrences = new ArrayList<>();

        /** Per value: it occurs in the other run too, and is kept as it is. */
        boolean[] kept;

        Run(Map<String, Map<String, Long>> run) {
            Map<String, Long> pathHashes = new HashMap<>();
            List<List<Integer>> occ = new ArrayList<>();
            for (Map.Entry<String, Map<String, Long>> topic : new TreeMap<>(run).entrySet()) {
                for (Map.Entry<String, Long> r : new TreeMap<>(topic.getValue()).entrySet()) {
                    if (r.getValue() == null || r.getValue() < 1) {
                        throw new IllegalArgumentException(
                                "copies must be at least 1, were "
                                        + r.getValue()
                                        + " in topic "
                                        + topic.getKey());
                    }
                    Node n = new Node(topic.getKey(), r.getKey(), r.getValue());
                    int at = nodes.size();
                    nodes.add(n);
                    if (n.tree != null) {
                        collect(n.tree, null, null, -1, "", n.slots);
                    }
                    int k = n.slots.size();
                    n.values = new int[k];
                    n.paths = new long[k];
                    String[] blanks = new String[k];
                    for (int s = 0; s < k; s++) {
                        Slot slot = n.slots.get(s);
                        String v = valueAt(n.tree, slot);
                        Integer id = index.get(v);
                        if (id == null) {
                            id = values.size();
                            index.put(v, id);
                            values.add(v);
                            occ.add(new ArrayList<>());
                        }
                        n.values[s] = id;
                        n.paths[s] = pathHashes.computeIfAbsent(slot.path(), RunComparison::sha);
                        occ.get(id).add(at);
                        occ.get(id).add(s);
                        blanks[s] = "";
                    }
                    n.blanked = n.render(blanks);
                }
            }
            for (List<Integer> o : occ) {
                occurrences.add(o.stream().mapToInt(Integer::intValue).toArray());
            }
        }

        private static String valueAt(JsonNode tree, Slot slot) {
            if (slot.parent() == null) {
                return tree.asText();
            }
            return slot.parent() instanceof ObjectNode o
                    ? o.get(slot.field()).asText()
                    : slot.parent().get(slot.index()).asText();
        }

        /** Keeps the values in {@code shared}; names each record by its content. */
        void keep(Set<String> shared) {
            kept = new boolean[values.size()];
            for (int v = 0; v < kept.length; v++) {
                kept[v] = shared.contains(values.get(v));
            }
            for (Node n : nodes) {
                long h = sha(n.topic + "\u0000" + n.copies + "\u0000" + n.blanked);
                for (int s = 0; s < n.values.length; s++) {
                    long v = kept[n.values[s]] ? sha(values.get(n.values[s])) : 0;
                    h = mix(h, mix(n.paths[s], v));
                }
                n.content = h;
            }
        }

        /** A value on one field of one distinct record. */
        boolean single(int value) {
            return occurrences.get(value).length == 2;
        }

        Map<String, Map<String, Long>> blankedMultisets() {
            Map<String, Map<String, Long>> m = new TreeMap<>();
            for (Node n : nodes) {
                m.computeIfAbsent(n.topic, t -> new HashMap<>())
                        .merge(n.blanked, n.copies, Long::sum);
            }
            return m;
        }
    }

    /** Finds every 64-hex string in the tree, depth first in document order. */
    private static void collect(
            JsonNode node, JsonNode parent, String field, int index, String path, List<Slot> out) {
        if (node.isTextual()) {
            if (PSEUDONYM.matcher(node.textValue()).matches()) {
                out.add(new Slot(parent, field, index, path));
            }
        } else if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                String escaped = e.getKey().replace("~", "~0").replace("/", "~1");
                collect(e.getValue(), node, e.getKey(), -1, path + "/" + escaped, out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collect(node.get(i), node, null, i, path + "/" + i, out);
            }
        }
    }

    private static JsonNode parse(String text) {
        try {
            return READER.readTree(text);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return null;
        }
    }

    // ---- part of a run: the whole, or one group of linked records
    // --------------------------------

    /**
     * Some records of a run with local indexes: {@code nodes[i]} is the run's record, {@code
     * values[v]} the run's value (kept values are content, not part of the linkage).
     */
    private static final class Part {
        final Run run;
        final int[] nodes;
        final int[] values;

        /** Per local record, per slot: the local value there, or -1 for a kept value. */
        final int[][] slotValue;

        /** Per local value: flattened (local record, slot) pairs. */
        final int[][] occ;

        Part(Run run, int[] nodes) {
            this.run = run;
            this.nodes = nodes;
            Map<Integer, Integer> local = new HashMap<>();
            List<Integer> vals = new ArrayList<>();
            List<List<Integer>> o = new ArrayList<>();
            slotValue = new int[nodes.length][];
            for (int i = 0; i < nodes.length; i++) {
                int[] rv = run.nodes.get(nodes[i]).values;
                slotValue[i] = new int[rv.length];
                for (int s = 0; s < rv.length; s++) {
                    if (run.kept[rv[s]]) {
                        slotValue[i][s] = -1;
                        continue;
                    }
                    Integer l = local.get(rv[s]);
                    if (l == null) {
                        l = vals.size();
                        local.put(rv[s], l);
                        vals.add(rv[s]);
                        o.add(new ArrayList<>());
                    }
                    slotValue[i][s] = l;
                    o.get(l).add(i);
                    o.get(l).add(s);
                }
            }
            values = vals.stream().mapToInt(Integer::intValue).toArray();
            occ = new int[o.size()][];
            for (int v = 0; v < occ.length; v++) {
                occ[v] = o.get(v).stream().mapToInt(Integer::intValue).toArray();
            }
        }

        static Part whole(Run run) {
            int[] all = new int[run.nodes.size()];
            Arrays.setAll(all, i -> i);
            return new Part(run, all);
        }

        Node node(int i) {
            return run.nodes.get(nodes[i]);
        }

        boolean single(int v) {
            return run.single(values[v]);
        }

        /** Groups of records linked by shared (not kept) values, each sorted, in run order. */
        List<int[]> components() {
            int[] parent = new int[nodes.length];
            Arrays.setAll(parent, i -> i);
            for (int[] o : occ) {
                for (int i = 2; i < o.length; i += 2) {
                    int x = find(parent, o[0]);
                    int y = find(parent, o[i]);
                    parent[Math.max(x, y)] = Math.min(x, y);
                }
            }
            Map<Integer, List<Integer>> groups = new TreeMap<>();
            for (int i = 0; i < nodes.length; i++) {
                groups.computeIfAbsent(find(parent, i), r -> new ArrayList<>()).add(nodes[i]);
            }
            List<int[]> out = new ArrayList<>();
            groups.values().forEach(g -> out.add(g.stream().mapToInt(Integer::intValue).toArray()));
            return out;
        }

        private static int find(int[] parent, int i) {
            while (parent[i] != i) {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            return i;
        }
    }

    /** Names (colours) of a part's records and values at one point of the search. */
    private static final class Colours {
        final long[] node;
        final long[] value;

        Colours(long[] node, long[] value) {
            this.node = node;
            this.value = value;
        }

        Colours copy() {
            return new Colours(node.clone(), value.clone());
        }

        static Colours initial(Part p) {
            long[] node = new long[p.nodes.length];
            for (int i = 0; i < node.length; i++) {
                node[i] = p.node(i).content;
            }
            return new Colours(node, new long[p.values.length]);
        }

        /** The whole run's names of the records and values of {@code p}. */
        static Colours of(Part p, Colours whole, long[] byRunValue) {
            long[] node = new long[p.nodes.length];
            for (int i = 0; i < node.length; i++) {
                node[i] = whole.node[p.nodes[i]];
            }
            long[] value = new long[p.values.length];
            for (int v = 0; v < value.length; v++) {
                value[v] = byRunValue[p.values[v]];
            }
            return new Colours(node, value);
        }
    }

    // ---- the search for a renaming
    // ---------------------------------------------------------------

    private static final class Matcher {
        final Run a;
        final Run b;
        int budget;
        int ties;
        boolean undecided;
        String detail = "";

        Matcher(Run a, Run b, int budget) {
            this.a = a;
            this.b = b;
            this.budget = budget;
        }

        Linkage run() {
            Part wa = Part.whole(a);
            Part wb = Part.whole(b);
            if (wa.nodes.length != wb.nodes.length || wa.values.length != wb.values.length) {
                detail =
                        String.format(
                                "distinct records a %d, b %d; pseudonyms to rename a %d, b %d",
                                wa.nodes.length,
                                wb.nodes.length,
                                wa.values.length,
                                wb.values.length);
                return Linkage.DIFFERENT;
            }
            Colours ca = Colours.initial(wa);
            Colours cb = Colours.initial(wb);
            refine(wa, ca, wb, cb);
            if (!sameNames(ca, cb)) {
                detail = mismatch(wa, ca, wb, cb);
                return Linkage.DIFFERENT;
            }
            long[] va = byRunValue(wa, ca);
            long[] vb = byRunValue(wb, cb);
            Map<Long, Deque<int[]>> groupsB = new HashMap<>();
            for (int[] g : wb.components()) {
                groupsB.computeIfAbsent(signature(cb, g), k -> new ArrayDeque<>()).add(g);
            }
            List<int[]> groupsA = wa.components();
            for (int[] g : groupsA) {
                Deque<int[]> candidates =
                        groupsB.getOrDefault(signature(ca, g), new ArrayDeque<>());
                Part pa = new Part(a, g);
                int[] found = null;
                for (int tried = candidates.size(); tried > 0 && found == null; tried--) {
                    int[] h = candidates.poll();
                    Part pb = new Part(b, h);
                    found =
                            pa.nodes.length == pb.nodes.length
                                    ? match(pa, pb, va, vb, ca, cb)
                                    : null;
                    if (found == null) {
                        candidates.add(h);
                    }
                    if (budget <= 0) {
                        break;
                    }
                }
                if (found == null) {
                    detail =
                            (undecided ? "search budget spent; " : "")
                                    + "no records in b linked as these are in a: "
                                    + sample(pa);
                    return undecided ? Linkage.UNDECIDED : Linkage.DIFFERENT;
                }
            }
            // the groups partition both runs' records and values, each group's renaming was
            // checked on its records: together they map a onto b
            int kept = 0;
            for (boolean k : a.kept) {
                kept += k ? 1 : 0;
            }
            detail =
                    String.format(
                            "renaming of %d pseudonyms (%d in both runs kept as they are) over %d"
                                    + " groups of linked records, checked record for record%s",
                            a.values.size() - kept,
                            kept,
                            groupsA.size(),
                            ties == 0 ? "" : "; " + ties + " tie(s) broken by search");
            return Linkage.IDENTICAL;
        }

        int[] match(Part pa, Part pb, long[] va, long[] vb, Colours ca, Colours cb) {
            Colours la = Colours.of(pa, ca, va);
            Colours lb = Colours.of(pb, cb, vb);
            if (pa.values.length != pb.values.length) {
                return null;
            }
            return search(pa, la, pb, lb, 0);
        }

        static long[] byRunValue(Part whole, Colours c) {
            long[] out = new long[whole.run.values.size()];
            for (int v = 0; v < whole.values.length; v++) {
                out[whole.values[v]] = c.value[v];
            }
            return out;
        }

        static long signature(Colours c, int[] group) {
            long[] names = new long[group.length];
            for (int i = 0; i < group.length; i++) {
                names[i] = c.node[group[i]];
            }
            Arrays.sort(names);
            long h = group.length;
            for (long n : names) {
                h = mix(h, n);
            }
            return h;
        }

        /**
         * A renaming of {@code pa}'s values onto {@code pb}'s (local indexes) under which pa's
         * records are pb's, or null. Refines; where names tie, tries each candidate for one tied
         * value in turn (individualisation and refinement, backtracking).
         */
        int[] search(Part pa, Colours ca, Part pb, Colours cb, int depth) {
            if (budget-- <= 0) {
                undecided = true;
                return null;
            }
            refine(pa, ca, pb, cb);
            if (!sameNames(ca, cb)) {
                return null;
            }
            int x = tie(pa, ca);
            if (x < 0) {
                return witness(pa, ca, pb, cb);
            }
            for (int y = 0; y < cb.value.length; y++) {
                if (cb.value[y] != ca.value[x] || pb.single(y)) {
                    continue;
                }
                Colours na = ca.copy();
                Colours nb = cb.copy();
                long own = mix(ca.value[x], 0x5BD1E9955BD1E995L + depth);
                na.value[x] = own;
                nb.value[y] = own;
                int[] r = search(pa, na, pb, nb, depth + 1);
                if (r != null) {
                    ties++;
                    return r;
                }
                if (budget <= 0) {
                    break;
                }
            }
            return null;
        }

        /** Rounds until neither part's number of classes grows. */
        static void refine(Part pa, Colours ca, Part pb, Colours cb) {
            int[] before = {classes(ca), classes(cb)};
            while (true) {
                round(pa, ca);
                round(pb, cb);
                int[] after = {classes(ca), classes(cb)};
                if (Arrays.equals(after, before)) {
                    return;
                }
                before = after;
            }
        }

        static void round(Part p, Colours c) {
            long[] value = new long[c.value.length];
            for (int v = 0; v < value.length; v++) {
                int[] o = p.occ[v];
                long[] edges = new long[o.length / 2];
                for (int i = 0; i < edges.length; i++) {
                    edges[i] = mix(p.node(o[2 * i]).paths[o[2 * i + 1]], c.node[o[2 * i]]);
                }
                Arrays.sort(edges);
                long h = mix(c.value[v], edges.length);
                for (long e : edges) {
                    h = mix(h, e);
                }
                value[v] = h;
            }
            for (int i = 0; i < c.node.length; i++) {
                long[] paths = p.node(i).paths;
                long h = c.node[i];
                for (int s = 0; s < paths.length; s++) {
                    int v = p.slotValue[i][s];
                    if (v >= 0) {
                        h = mix(h, mix(paths[s], value[v]));
                    }
                }
                c.node[i] = h;
            }
            System.arraycopy(value, 0, c.value, 0, value.length);
        }

        static int classes(Colours c) {
            return distinct(c.node.clone()) + distinct(c.value.clone());
        }

        static int distinct(long[] x) {
            Arrays.sort(x);
            int d = 0;
            for (int i = 0; i < x.length; i++) {
                if (i == 0 || x[i] != x[i - 1]) {
                    d++;
                }
            }
            return d;
        }

        static boolean sameNames(Colours ca, Colours cb) {
            long[] x = ca.node.clone();
            long[] y = cb.node.clone();
            long[] p = ca.value.clone();
            long[] q = cb.value.clone();
            Arrays.sort(x);
            Arrays.sort(y);
            Arrays.sort(p);
            Arrays.sort(q);
            return Arrays.equals(x, y) && Arrays.equals(p, q);
        }

        /** Up to two records of each run whose names the other run lacks. */
        static String mismatch(Part pa, Colours ca, Part pb, Colours cb) {
            Map<Long, Integer> count = new HashMap<>();
            for (long c : ca.node) {
                count.merge(c, 1, Integer::sum);
            }
            for (long c : cb.node) {
                count.merge(c, -1, Integer::sum);
            }
            List<String> onlyA = new ArrayList<>();
            List<String> onlyB = new ArrayList<>();
            for (int i = 0; i < ca.node.length && onlyA.size() < 2; i++) {
                if (count.getOrDefault(ca.node[i], 0) > 0) {
                    onlyA.add(pa.node(i).topic + " " + pa.node(i).blanked);
                }
            }
            for (int i = 0; i < cb.node.length && onlyB.size() < 2; i++) {
                if (count.getOrDefault(cb.node[i], 0) < 0) {
                    onlyB.add(pb.node(i).topic + " " + pb.node(i).blanked);
                }
            }
            return "records without a counterpart as to content and shared pseudonyms, e.g. in a "
                    + onlyA
                    + ", in b "
                    + onlyB;
        }

        static String sample(Part p) {
            return p.nodes.length + " record(s), e.g. " + p.node(0).topic + " " + p.node(0).blanked;
        }

        /** A value of a class of ties (single ones aside), -1 when there is none. */
        static int tie(Part p, Colours c) {
            Map<Long, Integer> first = new HashMap<>();
            Map<Long, Integer> size = new HashMap<>();
            for (int v = 0; v < c.value.length; v++) {
                if (p.single(v)) {
                    continue;
                }
                first.putIfAbsent(c.value[v], v);
                size.merge(c.value[v], 1, Integer::sum);
            }
            int best = -1;
            int bestSize = Integer.MAX_VALUE;
            for (Map.Entry<Long, Integer> e : size.entrySet()) {
                int v = first.get(e.getKey());
                if (e.getValue() > 1
                        && (e.getValue() < bestSize || (e.getValue() == bestSize && v < best))) {
                    best = v;
                    bestSize = e.getValue();
                }
            }
            return best;
        }

        /**
         * φ from the names (values on several fields or records by name; single ones through the
         * records matched on everything else), checked on the part's records text for text.
         */
        static int[] witness(Part pa, Colours ca, Part pb, Colours cb) {
            Map<Long, Integer> inB = new HashMap<>();
            for (int w = 0; w < cb.value.length; w++) {
                if (!pb.single(w)) {
                    inB.put(cb.value[w], w);
                }
            }
            int[] phi = new int[pa.values.length];
            Arrays.fill(phi, -1);
            for (int v = 0; v < phi.length; v++) {
                if (!pa.single(v)) {
                    Integer w = inB.get(ca.value[v]);
                    if (w == null) {
                        return null;
                    }
                    phi[v] = w;
                }
            }
            Map<List<Object>, Deque<Integer>> open = new HashMap<>();
            for (int j = 0; j < pb.nodes.length; j++) {
                open.computeIfAbsent(key(pb, j, null), k -> new ArrayDeque<>()).add(j);
            }
            for (int i = 0; i < pa.nodes.length; i++) {
                Deque<Integer> q = open.get(key(pa, i, phi));
                if (q == null || q.isEmpty()) {
                    return null;
                }
                int j = q.poll();
                for (int s = 0; s < pa.slotValue[i].length; s++) {
                    int v = pa.slotValue[i][s];
                    if (v >= 0 && pa.single(v)) {
                        phi[v] = pb.slotValue[j][s];
                    }
                }
            }
            boolean[] hit = new boolean[pb.values.length];
            for (int w : phi) {
                if (w < 0 || hit[w]) {
                    return null;
                }
                hit[w] = true;
            }
            return renamed(pa, phi, pb).equals(renamed(pb, null, pb)) ? phi : null;
        }

        /**
         * Topic, copies, blanked record (its string's hash is cached), kept values, renamed values;
         * single ones left open.
         */
        static List<Object> key(Part p, int i, int[] phi) {
            Node n = p.node(i);
            List<Object> k = new ArrayList<>(3 + n.values.length);
            k.add(n.topic);
            k.add(n.copies);
            k.add(n.blanked);
            for (int s = 0; s < n.values.length; s++) {
                int v = p.slotValue[i][s];
                if (v < 0) {
                    k.add(p.run.values.get(n.values[s]));
                } else {
                    k.add(p.single(v) ? -1 : phi == null ? v : phi[v]);
                }
            }
            return k;
        }

        /** The part's records with values renamed by phi into {@code to}'s (null: as they are). */
        static Map<String, Map<String, Long>> renamed(Part p, int[] phi, Part to) {
            Map<String, Map<String, Long>> m = new HashMap<>();
            for (int i = 0; i < p.nodes.length; i++) {
                Node n = p.node(i);
                String[] names = new String[n.values.length];
                for (int s = 0; s < names.length; s++) {
                    int v = p.slotValue[i][s];
                    names[s] =
                            v < 0 || phi == null
                                    ? p.run.values.get(n.values[s])
                                    : to.run.values.get(to.values[phi[v]]);
                }
                m.computeIfAbsent(n.topic, t -> new HashMap<>())
                        .merge(n.render(names), n.copies, Long::sum);
            }
            return m;
        }
    }

    // ---- hashing
    // ---------------------------------------------------------------------------------

    /** The first 8 bytes of SHA-256 of the text (UTF-8). */
    static long sha(String text) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** An order-dependent combination of two 64-bit values (SplitMix64's finaliser each step). */
    static long mix(long h, long x) {
        long z = h * 0x9E3779B97F4A7C15L + x + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
