package dev.veil.record;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration Veil reads and writes records with. ObjectMapper is thread-safe once
 * configured.
 */
public final class Json {
    /**
     * Strict reader: duplicate keys (a way to smuggle a second user_id past a check) and trailing
     * tokens are errors; documents are limited in nesting and size so a hostile record cannot
     * exhaust memory.
     */
    public static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .build();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder()
                                .maxNestingDepth(32)
                                .maxStringLength(1 << 20)
                                .maxNumberLength(100)
                                .build());
    }

    private Json() {}
}
