package dev.veil.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schemas of the input topics ({@code schemas/input/<stream>.schema.json}, packaged on the
 * classpath under {@code /schemas/input/}), compiled once. Field types are read from the schemas so
 * that the rules loader can check that a rule fits the field it names. Thread-safe after
 * construction.
 */
public final class InputSchemas {
    /** The log streams Veil anonymises, in a fixed order. */
    public static final List<String> LOG_STREAMS = List.of("device", "location", "service");

    /** The consent stream. */
    public static final String CONSENT = "consent";

    /**
     * Schema annotation marking a field whose raw value identifies a person or leads back to one
     * (direct identifiers, precise coordinates, free text). The rules loader refuses to keep such a
     * field unchanged, and the leak tests scan every output for these values.
     */
    public static final String IDENTIFIER_KEYWORD = "x-veil-identifier";

    /**
     * Marks an identifier of another person than the record's data subject (a peer account or phone
     * number): its pseudonyms default to the global scope, never the subject's.
     */
    public static final String PEER_KEYWORD = "x-veil-peer";

    private static volatile InputSchemas instance;

    private final Map<String, JsonSchema> validators = new LinkedHashMap<>();
    private final Map<String, Map<String, FieldType>> fieldTypes = new LinkedHashMap<>();
    private final Map<String, Set<String>> identifiers = new LinkedHashMap<>();
    private final Map<String, Set<String>> peers = new LinkedHashMap<>();

    /** The JSON type of an input field, as the rules loader needs to know it. */
    public enum FieldType {
        STRING,
        DATE_TIME,
        NUMBER,
        INTEGER,
        BOOLEAN,
        ARRAY,
        OBJECT;

        /** True for NUMBER and INTEGER. */
        public boolean numeric() {
            return this == NUMBER || this == INTEGER;
        }

        /** True for STRING and DATE_TIME. */
        public boolean textual() {
            return this == STRING || this == DATE_TIME;
        }
    }

    private InputSchemas() {
        ObjectMapper mapper = new ObjectMapper();
        // The 2020-12 meta-schema plus Veil's own annotation, so the validator knows it instead of
        // warning.
        com.networknt.schema.JsonMetaSchema meta =
                com.networknt.schema.JsonMetaSchema.builder(
                                com.networknt.schema.JsonMetaSchema.getV202012())
                        .keyword(new com.networknt.schema.NonValidationKeyword(IDENTIFIER_KEYWORD))
                        .keyword(new com.networknt.schema.NonValidationKeyword(PEER_KEYWORD))
                        .build();
        JsonSchemaFactory factory =
                JsonSchemaFactory.getInstance(
                        SpecVersion.VersionFlag.V202012, b -> b.metaSchema(meta));
        SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder()
                        .formatAssertionsEnabled(true)
                        .pathType(com.networknt.schema.PathType.JSON_PATH)
                        .build();
        for (String stream : allStreams()) {
            String resource = "/schemas/input/" + stream + ".schema.json";
            try (InputStream in = InputSchemas.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(
                            "schema " + resource + " is missing from the classpath");
                }
                JsonNode schemaNode = mapper.readTree(in);
                validators.put(stream, factory.getSchema(schemaNode, config));
                fieldTypes.put(stream, Collections.unmodifiableMap(readFieldTypes(schemaNode)));
                Set<String> ids = new LinkedHashSet<>();
                Set<String> peerIds = new LinkedHashSet<>();
                schemaNode
                        .path("properties")
                        .fields()
                        .forEachRemaining(
                                e -> {
                                    if (e.getValue().path(IDENTIFIER_KEYWORD).asBoolean(false)) {
                                        ids.add(e.getKey());
                                    }
                                    if (e.getValue().path(PEER_KEYWORD).asBoolean(false)) {
                                        peerIds.add(e.getKey());
                                    }
                                });
                identifiers.put(stream, Collections.unmodifiableSet(ids));
                peers.put(stream, Collections.unmodifiableSet(peerIds));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema " + resource, e);
            }
        }
    }

    private static List<String> allStreams() {
        return List.of("device", "location", "service", CONSENT);
    }

    /** The process-wide instance (schemas are immutable and compiled once). */
    public static InputSchemas get() {
        InputSchemas s = instance;
        if (s == null) {
            synchronized (InputSchemas.class) {
                s = instance;
                if (s == null) {
                    s = new InputSchemas();
                    instance = s;
                }
            }
        }
        return s;
    }

    private static Map<String, FieldType> readFieldTypes(JsonNode schema) {
        Map<String, FieldType> out = new LinkedHashMap<>();
        schema.path("properties")
                .fields()
                .forEachRemaining(
                        e -> {
                            JsonNode p = e.getValue();
                            String type = p.path("type").asText("");
                            FieldType t;
                            if ("string".equals(type)
                                    && "date-time".equals(p.path("format").asText(""))) {
                                t = FieldType.DATE_TIME;
                            } else if ("string".equals(type) || p.has("enum") || p.has("const")) {
                                t = FieldType.STRING;
                            } else if ("number".equals(type)) {
                                t = FieldType.NUMBER;
                            } else if ("integer".equals(type)) {
                                t = FieldType.INTEGER;
                            } else if ("boolean".equals(type)) {
                                t = FieldType.BOOLEAN;
                            } else if ("array".equals(type)) {
                                t = FieldType.ARRAY;
                            } else {
                                t = FieldType.OBJECT;
                            }
                            out.put(e.getKey(), t);
                        });
        return out;
    }

    /** The compiled validator of a stream ("device", "location", "service" or "consent"). */
    public JsonSchema validator(String stream) {
        JsonSchema s = validators.get(stream);
        if (s == null) {
            throw new IllegalArgumentException(
                    "unknown stream '" + stream + "'; known streams are " + validators.keySet());
        }
        return s;
    }

    /** Fields of a stream annotated with {@value #IDENTIFIER_KEYWORD}. */
    public Set<String> identifiers(String stream) {
        fields(stream);
        return identifiers.get(stream);
    }

    /** Fields of a stream annotated with {@value #PEER_KEYWORD}: another person's identifiers. */
    public Set<String> peers(String stream) {
        fields(stream);
        return peers.get(stream);
    }

    /** Field name to type of a stream's records, in schema order. */
    public Map<String, FieldType> fields(String stream) {
        Map<String, FieldType> f = fieldTypes.get(stream);
        if (f == null) {
            throw new IllegalArgumentException(
                    "unknown stream '" + stream + "'; known streams are " + fieldTypes.keySet());
        }
        return f;
    }
}
