package dev.veil.rules;

import dev.veil.consent.Purpose;
import dev.veil.privacy.IdKind;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The field rules of one deployment, as the privacy team wrote them in {@code config/rules.yaml},
 * validated. Built by {@link RuleSetLoader}. Immutable and thread-safe.
 */
public final class RuleSet {
    private final String version;
    private final IdKind subjectIdKind;
    private final String phoneRegion;
    private final Map<String, OutputRules> outputs;

    RuleSet(
            String version,
            IdKind subjectIdKind,
            String phoneRegion,
            Map<String, OutputRules> outputs) {
        this.version = version;
        this.subjectIdKind = subjectIdKind;
        this.phoneRegion = phoneRegion;
        this.outputs = new LinkedHashMap<>(outputs);
    }

    /** The rules version, carried on every output record. */
    public String version() {
        return version;
    }

    /** How user ids are normalised before they are pseudonymised into the subject key. */
    public IdKind subjectIdKind() {
        return subjectIdKind;
    }

    /** Default region (ISO 3166-1 alpha-2) for phone numbers without a country code, or null. */
    public String phoneRegion() {
        return phoneRegion;
    }

    /** Outputs by name, in file order. */
    public Map<String, OutputRules> outputs() {
        return outputs;
    }

    /** The output with this name, or null. */
    public OutputRules output(String name) {
        return outputs.get(name);
    }

    /** The outputs fed by a stream, in file order. */
    public List<OutputRules> outputsOf(String stream) {
        List<OutputRules> out = new ArrayList<>();
        for (OutputRules o : outputs.values()) {
            if (o.stream().equals(stream)) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * What these rules publish, one line per output, for the startup log: version, then each
     * output's stream, topic, required purposes and minors policy. Names and codes only, never a
     * value.
     */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("rules.version: " + version);
        for (OutputRules o : outputs.values()) {
            List<String> purposes = new ArrayList<>();
            Purpose.fromMask(o.requiredPurposes()).forEach(p -> purposes.add(p.wireName()));
            lines.add(
                    "rules.output "
                            + o.name()
                            + ": "
                            + o.stream()
                            + " -> "
                            + o.topic()
                            + ", purposes "
                            + purposes
                            + ", minors "
                            + (o.publishMinors()
                                    ? "published without " + new TreeSet<>(o.minorDropFields())
                                    : "never published")
                            + ", "
                            + o.fields().size()
                            + " fields");
        }
        return lines;
    }
}
