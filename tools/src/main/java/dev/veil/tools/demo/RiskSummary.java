package dev.veil.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo's lines on re-identification risk: per output, over every window of {@code veil.risk}
 * (schemas/output/risk.schema.json), the records measured, the share unique on their
 * quasi-identifiers (overall and in the worst window), the share in groups smaller than k, and the
 * windows over the warning threshold.
 */
final class RiskSummary {
    private RiskSummary() {}

    /** Per output, in name order. */
    static String format(List<JsonNode> risk) {
        if (risk.isEmpty()) {
            return "re-identification risk: no output marks a quasi_identifier (config/rules.yaml)\n";
        }
        Map<String, List<JsonNode>> byOutput = new TreeMap<>();
        for (JsonNode r : risk) {
            byOutput.computeIfAbsent(r.path("output").asText(), o -> new ArrayList<>()).add(r);
        }
        JsonNode first = risk.get(0);
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "re-identification risk of the published records (veil.risk; per window of the"
                                + " events' time, k %d, warning above %.0f %% unique):%n",
                        first.path("k").asLong(),
                        100 * first.path("max_unique_share").asDouble()));
        byOutput.forEach(
                (output, windows) -> {
                    long records = 0;
                    long unique = 0;
                    long belowK = 0;
                    long over = 0;
                    double worst = 0;
                    for (JsonNode w : windows) {
                        records += w.path("records").asLong();
                        unique += w.path("unique_records").asLong();
                        belowK += w.path("below_k_records").asLong();
                        worst = Math.max(worst, w.path("unique_share").asDouble());
                        if (w.path("over_threshold").asBoolean()) {
                            over++;
                        }
                    }
                    List<String> qi = new ArrayList<>();
                    windows.get(0).path("quasi_identifiers").forEach(q -> qi.add(q.asText()));
                    sb.append(
                            String.format(
                                    Locale.ROOT,
                                    "  %-9s on %s:%n            %,d records in %d windows; unique %.1f %%"
                                            + " (worst window %.1f %%), in groups below k %.1f %%;"
                                            + " %d of %d windows over the warning%n",
                                    output,
                                    String.join(", ", qi),
                                    records,
                                    windows.size(),
                                    100.0 * unique / records,
                                    100 * worst,
                                    100.0 * belowK / records,
                                    over,
                                    windows.size()));
                });
        return sb.toString();
    }
}
