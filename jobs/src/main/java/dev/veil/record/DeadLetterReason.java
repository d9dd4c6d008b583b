package dev.veil.record;

/**
 * Why a record went to the dead-letter topic: the {@code reason} of a dead letter ({@code
 * schemas/output/dead-letter.schema.json}) and the {@code reason} label of the {@code
 * veil.dead_lettered} metric.
 */
public enum DeadLetterReason {
    /** Not JSON, truncated JSON, duplicate keys, trailing garbage. */
    MALFORMED_JSON("malformed_json"),
    /** Valid JSON that breaks the topic's schema. */
    SCHEMA_VIOLATION("schema_violation"),
    /** A field's value is invalid for its rule; the record was published without that field. */
    INVALID_VALUE("invalid_value"),
    /** The subject's consent buffer was full; the event was not published. */
    CONSENT_BUFFER_FULL("consent_buffer_full"),
    /** The event arrived after the log watermark had passed its time; it was not decided. */
    LATE_EVENT("late_event"),
    /**
     * A published rules version was refused: invalid, too soon, or a change that needs a savepoint
     * restart. The job keeps the versions it had.
     */
    RULES_VERSION_REFUSED("rules_version_refused"),
    /**
     * The event was anonymised at the source by another rules version than the one in force at its
     * event time (that version was published too late for it); it was not published.
     */
    RULES_VERSION_CHANGED("rules_version_changed");

    private final String label;

    DeadLetterReason(String label) {
        this.label = label;
    }

    /** The reason as written in dead letters and metric labels, e.g. {@code malformed_json}. */
    public String label() {
        return label;
    }
}
