package dev.veil.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One value of a {@link YamlDocument}, with typed, validating accessors. Every failure is a {@link ConfigException}
 * that names the file, the line and column, the dotted path and what is wrong. Not thread-safe; used at startup only.
 */
public final class ConfigNode {
    private final YamlDocument doc;
    private final String path;
    private final JsonNode node;

    ConfigNode(YamlDocument doc, String path, JsonNode node) {
        this.doc = doc;
        this.path = path;
        this.node = node;
    }

    /** Dotted path of this value, "" for the root. */
    public String path() {
        return path;
    }

    /** The underlying tree. */
    public JsonNode json() {
        return node;
    }

    /** A ConfigException located at this value. */
    public ConfigException error(String problem) {
        int[] loc = doc.location(path);
        return new ConfigException(doc.fileName(), path, loc[0], loc[1], problem);
    }

    private String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Fails if this mapping has a key outside {@code allowed}; catches typos such as "ipv4_prefx". */
    public ConfigNode allowOnly(String... allowed) {
        requireMapping();
        Set<String> ok = new TreeSet<>(Arrays.asList(allowed));
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!ok.contains(name)) {
                throw child(name).error("unknown key '" + name + "'; expected one of " + ok);
            }
        }
        return this;
    }

    private void requireMapping() {
        if (!node.isObject()) {
            throw error("expected a mapping, found " + kind(node));
        }
    }

    private static String kind(JsonNode n) {
        if (n.isObject()) {
            return "a mapping";
        }
        if (n.isArray()) {
            return "a list";
        }
        if (n.isNull()) {
            return "nothing (null)";
        }
        if (n.isTextual()) {
            // The text itself is not quoted: it could be a secret pasted in the wrong place.
            return "text";
        }
        return "'" + n.asText() + "'";
    }

    /** True if this mapping has the key. */
    public boolean has(String key) {
        return node.isObject() && node.has(key);
    }

    /** The value under key; fails if absent. */
    public ConfigNode child(String key) {
        requireMapping();
        JsonNode c = node.get(key);
        if (c == null) {
            throw error("missing required key '" + key + "'");
        }
        return new ConfigNode(doc, childPath(key), c);
    }

    /** The value under key, or null if absent. */
    public ConfigNode optChild(String key) {
        requireMapping();
        JsonNode c = node.get(key);
        return c == null ? null : new ConfigNode(doc, childPath(key), c);
    }

    /** Entries of a mapping, in file order. */
    public Map<String, ConfigNode> entries() {
        requireMapping();
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), new ConfigNode(doc, childPath(e.getKey()), e.getValue())));
        return out;
    }

    /** Items of a list. */
    public List<ConfigNode> items() {
        if (!node.isArray()) {
            throw error("expected a list, found " + kind(node));
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(new ConfigNode(doc, path + "[" + i + "]", node.get(i)));
        }
        return out;
    }

    /** This value as non-empty text. */
    public String asText() {
        if (!node.isTextual() || node.asText().isBlank()) {
            throw error("expected non-empty text, found " + kind(node));
        }
        return node.asText();
    }

    /** This value as text that is one of {@code allowed}. */
    public String asEnum(Set<String> allowed) {
        String v = asText();
        if (!allowed.contains(v)) {
            throw error("'" + v + "' is not one of " + new TreeSet<>(allowed));
        }
        return v;
    }

    /** This value as a whole number in [min, max]. */
    public long asLong(long min, long max) {
        if (!node.isIntegralNumber()) {
            throw error("expected a whole number, found " + kind(node));
        }
        long v = node.asLong();
        if (v < min || v > max) {
            throw error("must be between " + min + " and " + max + ", was " + v);
        }
        return v;
    }

    /** This value as an int in [min, max]. */
    public int asInt(int min, int max) {
        return (int) asLong(min, max);
    }

    /** This value as a finite number in [min, max]. */
    public double asDouble(double min, double max) {
        if (!node.isNumber()) {
            throw error("expected a number, found " + kind(node));
        }
        double v = node.asDouble();
        if (!Double.isFinite(v) || v < min || v > max) {
            throw error("must be a number between " + min + " and " + max + ", was " + node.asText());
        }
        return v;
    }

    /** This value as a boolean. */
    public boolean asBoolean() {
        if (!node.isBoolean()) {
            throw error("expected true or false, found " + kind(node));
        }
        return node.asBoolean();
    }

    /** This value as an ISO-8601 duration (for example PT30S, PT1H) in [min, max]. */
    public Duration asDuration(Duration min, Duration max) {
        String v = asText();
        Duration d;
        try {
            d = Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw error("'" + v + "' is not an ISO-8601 duration such as PT30S or PT1H");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw error("must be between " + min + " and " + max + ", was " + v);
        }
        return d;
    }

    /** This mapping as text keys and single text values (numbers and booleans as written). */
    public Map<String, String> asStringMap() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : entries().entrySet()) {
            JsonNode v = e.getValue().json();
            if (!v.isValueNode() || v.isNull()) {
                throw e.getValue().error("expected a single value");
            }
            out.put(e.getKey(), v.asText());
        }
        return Map.copyOf(out);
    }

    /** This value as a list of texts. */
    public List<String> asTextList() {
        List<String> out = new ArrayList<>();
        for (ConfigNode item : items()) {
            out.add(item.asText());
        }
        return out;
    }
}
