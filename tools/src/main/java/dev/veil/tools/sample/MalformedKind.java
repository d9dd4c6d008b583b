package dev.veil.tools.sample;

/**
 * The kinds of deliberately broken records, each in one of three categories counted by {@link
 * SampleData#countsByKind()}: {@code malformed_json} (value is not one JSON document), {@code
 * schema_violation} (valid JSON that fails the topic's JSON Schema) and {@code invalid_value}
 * (passes the schema but holds a value the pipeline must reject, such as an impossible IP literal
 * or coordinate).
 */
enum MalformedKind {
    /** Text that is not JSON at all, for example "{not json". */
    NOT_JSON(Category.MALFORMED_JSON, true),
    /** A valid event's JSON cut off part way. */
    TRUNCATED_JSON(Category.MALFORMED_JSON, true),
    /** A JSON array holding the event object instead of the object itself. */
    JSON_ARRAY(Category.SCHEMA_VIOLATION, false),
    /** A required field removed (event_time, or effective_time for consent). */
    MISSING_REQUIRED(Category.SCHEMA_VIOLATION, true),
    /** A field of the wrong JSON type: battery_pct "full". */
    WRONG_TYPE(Category.SCHEMA_VIOLATION, false),
    /** A number outside the schema's range: battery_pct 150. */
    OUT_OF_RANGE(Category.SCHEMA_VIOLATION, false),
    /**
     * A value outside an enum: action "teleport" (service), "pause" or purpose "marketing"
     * (consent).
     */
    UNKNOWN_ENUM(Category.SCHEMA_VIOLATION, true),
    /** A grant or revoke without purposes (consent only). */
    MISSING_PURPOSES(Category.SCHEMA_VIOLATION, true),
    /** An impossible IP literal in a device record, for example "999.1.2.3" or "localhost". */
    INVALID_IP(Category.INVALID_VALUE, false),
    /** Latitude beyond ±90 or longitude beyond ±180 in a location record. */
    INVALID_COORDINATES(Category.INVALID_VALUE, false),
    /** A url that is not an absolute URL in a service record: "not a url". */
    INVALID_URL(Category.INVALID_VALUE, false);

    /** Category of a malformed record; {@link #key()} is its name in the counts. */
    enum Category {
        /** Not a JSON document. */
        MALFORMED_JSON("malformed_json"),
        /** JSON that fails the schema. */
        SCHEMA_VIOLATION("schema_violation"),
        /** Schema-valid JSON with an invalid value. */
        INVALID_VALUE("invalid_value");

        private final String key;

        Category(String key) {
            this.key = key;
        }

        /** Name in {@link SampleData#countsByKind()}. */
        String key() {
            return key;
        }
    }

    private final Category category;
    private final boolean forConsent;

    MalformedKind(Category category, boolean forConsent) {
        this.category = category;
        this.forConsent = forConsent;
    }

    /** The category this kind is counted under. */
    Category category() {
        return category;
    }

    /** Whether this kind is also generated on the consent topic. */
    boolean forConsent() {
        return forConsent;
    }

    /** Whether this kind is generated on the log topics (device, location, service). */
    boolean forLogs() {
        return this != MISSING_PURPOSES;
    }
}
