package dev.veil.rules;

import dev.veil.config.ConfigException;
import dev.veil.config.YamlDocument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rules versions a running job knows, by the event time each takes effect from: the rules it
 * was started with (in force from the beginning of time) and every published version accepted since
 * (docs/rules.md, "Rolling out a rules change"). {@link #at} gives the version in force at an event
 * time; it depends only on the set of accepted versions, never on the order they arrived in.
 *
 * <p>A published version is accepted only if it could replace the start rules without a savepoint
 * restart ({@link #incompatibility}): the same subject key normalisation, the same outputs with the
 * same stream, topic and key field. Thread-safe: readers see an immutable snapshot, {@link #add}
 * replaces it.
 */
public final class RuleVersions {
    /** The control record's fields ({@code veil.control.rules}, one record per version). */
    public static final String VERSION_FIELD = "rules_version";

    public static final String EFFECTIVE_FROM_FIELD = "effective_from";
    public static final String RULES_YAML_FIELD = "rules_yaml";
    public static final String PUBLISHED_AT_FIELD = "published_at";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Ties on the effective time go to the later publication, then the greater version name, so
     * that the winner does not depend on arrival order.
     */
    private static final Comparator<Version> ORDER =
            Comparator.comparingLong(Version::effectiveFrom)
                    .thenComparingLong(Version::publishedAt)
                    .thenComparing(Version::name);

    /**
     * One published version.
     *
     * @param name the rules version ({@code version:} of its file)
     * @param effectiveFrom event time from which it is in force, epoch ms UTC
     * @param publishedAt when it was written to the control topic (the Kafka record time), epoch ms
     * @param rulesYaml the whole rules file
     * @param rules the parsed rules
     */
    public record Version(
            String name, long effectiveFrom, long publishedAt, String rulesYaml, RuleSet rules) {}

    private final RuleSet base;
    private volatile List<Version> versions = List.of();

    /**
     * @param base the rules the job was started with; in force until a published version is
     */
    public RuleVersions(RuleSet base) {
        this.base = Objects.requireNonNull(base);
    }

    /** The rules the job was started with. */
    public RuleSet base() {
        return base;
    }

    /**
     * The rules in force at {@code eventTime}: the accepted version with the latest effective time
     * at or before it, or the start rules.
     */
    public RuleSet at(long eventTime) {
        List<Version> v = versions;
        for (int i = v.size() - 1; i >= 0; i--) {
            if (v.get(i).effectiveFrom() <= eventTime) {
                return v.get(i).rules();
            }
        }
        return base;
    }

    /** The accepted published versions, by effective time. */
    public List<Version> versions() {
        return versions;
    }

    /**
     * Adds a version that {@link #validate} accepted. A version already known under the same name
     * (or the start rules' name) is kept as it is, whatever the new one says: a name stands for one
     * rules file.
     *
     * @return false if a version of that name was known already
     */
    public synchronized boolean add(Version v) {
        if (v.name().equals(base.version())) {
            return false;
        }
        for (Version known : versions) {
            if (known.name().equals(v.name())) {
                return false;
            }
        }
        List<Version> next = new ArrayList<>(versions);
        next.add(v);
        next.sort(ORDER);
        versions = List.copyOf(next);
        return true;
    }

    /**
     * Why {@code v} conflicts with a version known under its name, or null if none does: a name
     * stands for one rules file, so a second record of the name with another file is refused (the
     * first one stays in force).
     */
    public String conflict(Version v) {
        for (Version known : versions) {
            if (known.name().equals(v.name()) && !known.rulesYaml().equals(v.rulesYaml())) {
                return "version '"
                        + v.name()
                        + "': version name already published with other rules (the version"
                        + " published first stays in force; publish the new file under a new"
                        + " version name)";
            }
        }
        return null;
    }

    /**
     * Reads and validates one control record.
     *
     * @param value the record value, JSON UTF-8 ({@link #toJson})
     * @param recordTime the Kafka record time, epoch ms: the publication time that the lead is
     *     counted from (the record's own {@code published_at} is informative only). The control
     *     topic should have {@code message.timestamp.type=LogAppendTime}, so that this is the
     *     broker's time; a record without a time (negative) is refused
     * @param minLead how long after its publication a version may take effect at the earliest, in
     *     ms
     * @return the version
     * @throws IllegalArgumentException with a message that names the problem (for a rules file
     *     error its line, column and key), never a value from a log record
     */
    public Version validate(byte[] value, long recordTime, long minLead) {
        if (recordTime < 0) {
            throw new IllegalArgumentException(
                    "control record has no record timestamp ("
                            + recordTime
                            + "), so the lead cannot be counted from its publication: give the"
                            + " control topic message.timestamp.type=LogAppendTime");
        }
        JsonNode n;
        try {
            n = value == null ? null : MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("control record is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("control record is not a JSON object");
        }
        String name = text(n, VERSION_FIELD);
        long effectiveFrom = instant(n, EFFECTIVE_FROM_FIELD);
        String yaml = text(n, RULES_YAML_FIELD);
        RuleSet rules;
        try {
            rules = RuleSetLoader.load(YamlDocument.parse("rules version " + name, yaml));
        } catch (ConfigException e) {
            StringBuilder sb = new StringBuilder("invalid rules: ");
            List<ConfigException> all = e.all();
            for (int i = 0; i < all.size(); i++) {
                sb.append(i == 0 ? "" : "; ").append(all.get(i).getMessage());
            }
            throw new IllegalArgumentException(sb.toString());
        }
        if (!rules.version().equals(name)) {
            throw new IllegalArgumentException(
                    "rules_version '"
                            + name
                            + "' differs from the file's version '"
                            + rules.version()
                            + "'");
        }
        if (effectiveFrom < recordTime + minLead) {
            throw new IllegalArgumentException(
                    "version '"
                            + name
                            + "': effective_from "
                            + Instant.ofEpochMilli(effectiveFrom)
                            + " is less than "
                            + minLead / 1000
                            + " s after its publication at "
                            + Instant.ofEpochMilli(recordTime)
                            + " (time.rules_lead): records of that time may already be anonymised;"
                            + " publish it again with a later effective_from");
        }
        String problem = incompatibility(base, rules);
        if (problem != null) {
            throw new IllegalArgumentException("version '" + name + "' " + problem);
        }
        return new Version(name, effectiveFrom, recordTime, yaml, rules);
    }

    /**
     * Why {@code next} cannot replace {@code current} in a running job, or null if it can. Subject
     * keys are consent state's keys, and outputs' topics, streams and key fields are what the
     * sources read and the sink writes: changing them needs a savepoint restart.
     */
    public static String incompatibility(RuleSet current, RuleSet next) {
        if (current.subjectIdKind() != next.subjectIdKind()
                || !Objects.equals(current.phoneRegion(), next.phoneRegion())) {
            return "changes subject_id normalisation (subject_id or phone_region), which keys"
                    + " consent state: needs a savepoint restart with the new rules file";
        }
        for (Map.Entry<String, OutputRules> e : current.outputs().entrySet()) {
            OutputRules n = next.output(e.getKey());
            if (n == null) {
                return "removes or renames output '"
                        + e.getKey()
                        + "': needs a savepoint restart with the new rules file";
            }
            OutputRules o = e.getValue();
            if (!o.stream().equals(n.stream())
                    || !o.topic().equals(n.topic())
                    || !Objects.equals(o.keyField(), n.keyField())) {
                return "changes the stream, topic or key_field of output '"
                        + e.getKey()
                        + "': needs a savepoint restart with the new rules file";
            }
        }
        for (String name : next.outputs().keySet()) {
            if (current.output(name) == null) {
                return "adds output '"
                        + name
                        + "': needs a savepoint restart with the new rules file";
            }
        }
        return null;
    }

    /**
     * The control record of a version, JSON UTF-8.
     *
     * @param name the rules version
     * @param effectiveFrom epoch ms
     * @param rulesYaml the whole file
     * @param publishedAt epoch ms
     */
    public static byte[] toJson(
            String name, long effectiveFrom, String rulesYaml, long publishedAt) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put(VERSION_FIELD, name);
        o.put(EFFECTIVE_FROM_FIELD, Instant.ofEpochMilli(effectiveFrom).toString());
        o.put(RULES_YAML_FIELD, rulesYaml);
        o.put(PUBLISHED_AT_FIELD, Instant.ofEpochMilli(publishedAt).toString());
        try {
            return MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a control record", e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new IllegalArgumentException(
                    "control record: " + field + " is missing or not a non-empty string");
        }
        return v.asText();
    }

    private static long instant(JsonNode n, String field) {
        String s = text(n, field);
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "control record: " + field + " is not an RFC 3339 instant: '" + s + "'");
        }
    }
}
