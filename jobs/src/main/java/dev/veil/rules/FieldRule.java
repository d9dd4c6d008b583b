package dev.veil.rules;

import dev.veil.privacy.InvalidValueException;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One output field of one output: where it comes from and how it is transformed. Rules are built
 * and validated by {@link RuleSetLoader}; instances are immutable and thread-safe (per-task secrets
 * come in through {@link RuleContext}).
 */
public abstract class FieldRule {
    private final String target;
    private final String kind;

    FieldRule(String target, String kind) {
        this.target = target;
        this.kind = kind;
    }

    /** Name of the output field. */
    public final String target() {
        return target;
    }

    /** Rule name as written in config, for example "generalise_ip". */
    public final String kind() {
        return kind;
    }

    /** The input fields this rule reads. */
    public abstract List<String> sources();

    /**
     * Computes the output value.
     *
     * @param record the raw input record (a JSON object that passed its schema)
     * @param ctx the task's context
     * @return the output value, or null to leave the field out (the source field is absent or null)
     * @throws InvalidValueException if a source value is present but invalid for this rule; the
     *     field is then left out and reported. The message names the field and rule, never the
     *     value.
     */
    public abstract JsonNode apply(JsonNode record, RuleContext ctx) throws InvalidValueException;
}
