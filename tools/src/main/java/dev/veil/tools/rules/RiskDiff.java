package dev.veil.tools.rules;

import dev.veil.config.VeilOptions;
import dev.veil.job.risk.RiskObservations;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The re-identification risk figures the job would report, on a sample, for two rule sets: per
 * output, the published records grouped by the window of their published {@code event_time} (the
 * job's default, 1 h) and by the digest of their quasi-identifier values ({@link
 * RiskObservations#group}, each file's own marks); then the share of records alone in their group
 * and the share in groups smaller than k (the job's default, 10), over all windows of the sample.
 */
final class RiskDiff {
    /** Group size below which a record counts as at risk: the job's default. */
    static final long K = VeilOptions.RISK_K.defaultValue();

    /** The risk window: the job's default. */
    static final Duration WINDOW = VeilOptions.RISK_WINDOW.defaultValue();

    private static final long WINDOW_MILLIS = WINDOW.toMillis();

    /**
     * One output's figures under one rule set.
     *
     * @param quasiIdentifiers the fields marked, in file order; empty: not measured
     * @param records published records with a readable event_time (the measured ones)
     * @param unique records alone in their group
     * @param belowK records in groups smaller than {@link #K}
     */
    record Figures(List<String> quasiIdentifiers, long records, long unique, long belowK) {
        boolean measured() {
            return !quasiIdentifiers.isEmpty();
        }

        double uniqueShare() {
            return records == 0 ? 0 : (double) unique / records;
        }

        double belowKShare() {
            return records == 0 ? 0 : (double) belowK / records;
        }
    }

    /** One output's line: its figures before and after (null when the file has no such output). */
    record Line(String output, Figures before, Figures after) {
        String text() {
            if (!measured(before) && !measured(after)) {
                return output + ": not measured (no quasi-identifiers in either file)";
            }
            String s =
                    output
                            + ": records "
                            + records(before)
                            + " -> "
                            + records(after)
                            + ", unique "
                            + share(before, true)
                            + " -> "
                            + share(after, true)
                            + ", below k "
                            + share(before, false)
                            + " -> "
                            + share(after, false);
            List<String> o = before == null ? List.of() : before.quasiIdentifiers();
            List<String> n = after == null ? List.of() : after.quasiIdentifiers();
            String qi =
                    o.equals(n) || o.isEmpty()
                            ? names(n)
                            : n.isEmpty() ? names(o) : names(o) + " -> " + names(n);
            return s + " (quasi-identifiers: " + qi + ")";
        }

        /** Whether the unique share rises by more than one percentage point. */
        boolean riskUp() {
            return measured(before)
                    && measured(after)
                    && after.uniqueShare() - before.uniqueShare() > 0.01;
        }

        private static boolean measured(Figures f) {
            return f != null && f.measured();
        }

        private static String records(Figures f) {
            return f == null ? "none" : String.valueOf(f.records());
        }

        private static String share(Figures f, boolean unique) {
            if (f == null) {
                return "no output";
            }
            if (!f.measured()) {
                return "not measured";
            }
            return String.format(
                    Locale.ROOT, "%.1f %%", 100 * (unique ? f.uniqueShare() : f.belowKShare()));
        }

        private static String names(List<String> fields) {
            return fields.isEmpty() ? "none" : String.join(", ", fields);
        }
    }

    private RiskDiff() {}

    /** The figures of every output of either rule set (new file's order, then removed ones). */
    static List<Line> compare(RuleSet before, RuleSet after, List<PreviewEngine.Input> inputs) {
        PreviewEngine.ThrowawayKeys keys = new PreviewEngine.ThrowawayKeys();
        Map<String, Figures> o;
        Map<String, Figures> n;
        try {
            o = measure(new PreviewEngine(before, keys), before, inputs);
            n = measure(new PreviewEngine(after, keys), after, inputs);
        } finally {
            PreviewEngine.wipe(keys);
        }
        Set<String> names = new LinkedHashSet<>(n.keySet());
        names.addAll(o.keySet());
        List<Line> lines = new ArrayList<>();
        for (String name : names) {
            lines.add(new Line(name, o.get(name), n.get(name)));
        }
        return lines;
    }

    private static Map<String, Figures> measure(
            PreviewEngine engine, RuleSet rules, List<PreviewEngine.Input> inputs) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        // output -> "window|digest" -> records in the group
        Map<String, Map<String, Long>> groups = new LinkedHashMap<>();
        Map<String, List<String>> marks = new HashMap<>();
        Map<String, Long> published = new HashMap<>();
        for (OutputRules o : rules.outputs().values()) {
            groups.put(o.name(), new HashMap<>());
            marks.put(o.name(), List.copyOf(o.quasiIdentifiers()));
        }
        for (PreviewEngine.Input in : inputs) {
            for (PreviewEngine.Outcome oc : engine.run(in).outcomes()) {
                ObjectNode p = oc.published();
                List<String> qi = marks.get(oc.output().name());
                if (p == null) {
                    continue;
                }
                long time;
                try {
                    time =
                            Instant.parse(p.path(RiskObservations.TIME_FIELD).asText())
                                    .toEpochMilli();
                } catch (DateTimeParseException e) {
                    // the job counts these in veil.risk_unmeasured and leaves them out
                    continue;
                }
                published.merge(oc.output().name(), 1L, Long::sum);
                if (qi.isEmpty()) {
                    continue;
                }
                long window = Math.floorDiv(time, WINDOW_MILLIS) * WINDOW_MILLIS;
                long digest = RiskObservations.group(sha256, p, qi);
                groups.get(oc.output().name())
                        .merge(window + "|" + Long.toHexString(digest), 1L, Long::sum);
            }
        }
        Map<String, Figures> figures = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Long>> e : groups.entrySet()) {
            long records = published.getOrDefault(e.getKey(), 0L);
            long unique = 0;
            long belowK = 0;
            for (long size : e.getValue().values()) {
                unique += size == 1 ? 1 : 0;
                belowK += size < K ? size : 0;
            }
            figures.put(e.getKey(), new Figures(marks.get(e.getKey()), records, unique, belowK));
        }
        return figures;
    }
}
