package dev.veil.rules;

import dev.veil.privacy.InvalidValueException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of one output: which input stream feeds it, which topic it goes to, the purposes a
 * subject must have granted, how minors are treated, and one {@link FieldRule} per output field.
 * Only fields named by a rule reach the output. Immutable and thread-safe.
 */
public final class OutputRules {
    /** The output field that carries the rules version on every record. */
    public static final String RULES_VERSION_FIELD = "rules_version";

    /** The output field that carries the record's key epoch on every record. */
    public static final String KEY_EPOCH_FIELD = "key_epoch";

    /**
     * The output field that carries the privacy policy version of the consent that let the record
     * through; the consent gate adds it.
     */
    public static final String POLICY_VERSION_FIELD = "policy_version";

    /** The fields Veil adds to every record; no rule may name them. */
    public static final Set<String> STAMP_FIELDS =
            Set.of(RULES_VERSION_FIELD, KEY_EPOCH_FIELD, POLICY_VERSION_FIELD);

    private final String name;
    private final String stream;
    private final String topic;
    private final int requiredPurposes;
    private final String keyField;
    private final boolean publishMinors;
    private final Set<String> minorDropFields;
    private final List<FieldRule> fields;
    private final String rulesVersion;
    private final Set<String> quasiIdentifiers;

    OutputRules(
            String name,
            String stream,
            String topic,
            int requiredPurposes,
            String keyField,
            boolean publishMinors,
            Set<String> minorDropFields,
            List<FieldRule> fields,
            String rulesVersion,
            Set<String> quasiIdentifiers) {
        this.name = name;
        this.stream = stream;
        this.topic = topic;
        this.requiredPurposes = requiredPurposes;
        this.keyField = keyField;
        this.publishMinors = publishMinors;
        this.minorDropFields = Set.copyOf(minorDropFields);
        this.fields = List.copyOf(fields);
        this.rulesVersion = rulesVersion;
        this.quasiIdentifiers = Collections.unmodifiableSet(new LinkedHashSet<>(quasiIdentifiers));
    }

    /**
     * The output fields the rules mark {@code quasi_identifier: true}, in file order: what the
     * re-identification risk of this output is measured over. Empty when none is marked.
     */
    public Set<String> quasiIdentifiers() {
        return quasiIdentifiers;
    }

    /** The version of the rules this output belongs to ({@code version:} of its file). */
    public String rulesVersion() {
        return rulesVersion;
    }

    /** Output name as in config, for example "device". */
    public String name() {
        return name;
    }

    /** Input stream: "device", "location" or "service". */
    public String stream() {
        return stream;
    }

    /** Kafka topic the output is written to. */
    public String topic() {
        return topic;
    }

    /** Purposes the subject must have granted at the event's time, as a purpose mask; never 0. */
    public int requiredPurposes() {
        return requiredPurposes;
    }

    /** Output field whose value is the Kafka record key, or null for no key. */
    public String keyField() {
        return keyField;
    }

    /** Whether minors with guardian consent are published at all. */
    public boolean publishMinors() {
        return publishMinors;
    }

    /** Output fields removed from a minor's records. */
    public Set<String> minorDropFields() {
        return minorDropFields;
    }

    /** The field rules, in output order. */
    public List<FieldRule> fields() {
        return fields;
    }

    /** Receives the fields whose values were invalid; called at most once per rule. */
    public interface InvalidFieldListener {
        /**
         * @param rule the rule that failed @param error what failed (never the value)
         */
        void invalid(FieldRule rule, InvalidValueException error);
    }

    /**
     * Builds the anonymised record.
     *
     * @param record the raw record, already schema-valid
     * @param ctx the task's rule context
     * @param listener told of every field left out because its value was invalid
     * @return a new object with one field per rule whose source was present and valid, plus {@value
     *     #RULES_VERSION_FIELD} and {@value #KEY_EPOCH_FIELD}; the context lists its placeholders
     */
    public ObjectNode apply(JsonNode record, RuleContext ctx, InvalidFieldListener listener) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        ctx.start(ctx.epoch());
        for (FieldRule rule : fields) {
            try {
                JsonNode v = rule.apply(record, ctx);
                if (v != null) {
                    out.set(rule.target(), v);
                }
            } catch (InvalidValueException e) {
                listener.invalid(rule, e);
            }
        }
        out.put(RULES_VERSION_FIELD, rulesVersion);
        out.put(KEY_EPOCH_FIELD, ctx.epoch());
        return out;
    }

    /** Removes the minors' drop fields from an anonymised record, in place. */
    public void applyMinorPolicy(ObjectNode anonymised) {
        for (String f : minorDropFields) {
            anonymised.remove(f);
        }
    }
}
