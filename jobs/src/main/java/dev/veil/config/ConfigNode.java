package dev.veil.config;

import org.apache.flink.configuration.ConfigOption;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One value of a {@link YamlDocument}, with typed, validating accessors. Every failure is a {@link
 * ConfigException} that names the file, the line and column, the dotted path and what is wrong. Not
 * thread-safe; used at startup only.
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

    /** The 1-based line of this value in its file, or 0 when unknown. */
    public int line() {
        return doc.location(path)[0];
    }

    /** The file this value was read from, as the user named it. */
    public String fileName() {
        return doc.fileName();
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

    /**
     * Fails if this mapping has a key outside {@code allowed}; catches typos such as "ipv4_prefx".
     */
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
        node.fields()
                .forEachRemaining(
                        e ->
                                out.put(
                                        e.getKey(),
                                        new ConfigNode(doc, childPath(e.getKey()), e.getValue())));
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
            throw error(
                    "must be a number between " + min + " and " + max + ", was " + node.asText());
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

    /**
     * This value as an IANA time zone name known to the JVM's time zone database (Europe/Dublin,
     * America/Los_Angeles, UTC); fixed offsets such as +01:00 and abbreviations such as PST are
     * refused, as they do not follow a region's daylight saving changes.
     */
    public ZoneId asZoneId() {
        String v = asText();
        if (ZoneId.getAvailableZoneIds().contains(v)) {
            return ZoneId.of(v);
        }
        String hint = "";
        for (String id : ZoneId.getAvailableZoneIds()) {
            if (id.equalsIgnoreCase(v)) {
                hint = " (did you mean " + id + "?)";
            }
        }
        throw error(
                "'"
                        + v
                        + "' is not an IANA time zone name such as Europe/Dublin or"
                        + " America/Los_Angeles"
                        + hint);
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

    // ---- typed options: the option's key is the dotted path of its value from the document root
    // -------------------

    /** The option's key relative to this node; fails if the option does not lie under it. */
    private String relativeKey(ConfigOption<?> option) {
        String key = option.key();
        if (path.isEmpty()) {
            return key;
        }
        if (!key.startsWith(path + ".")) {
            throw new IllegalArgumentException("option " + key + " is not under " + path);
        }
        return key.substring(path.length() + 1);
    }

    /** The value of {@code option} under this node, or null if the file does not set it. */
    public ConfigNode optNode(ConfigOption<?> option) {
        ConfigNode n = this;
        for (String segment : relativeKey(option).split("\\.")) {
            if (!n.has(segment)) {
                return null;
            }
            n = n.child(segment);
        }
        return n;
    }

    /** The value of {@code option} under this node; fails naming the key if absent. */
    public ConfigNode node(ConfigOption<?> option) {
        ConfigNode n = this;
        for (String segment : relativeKey(option).split("\\.")) {
            n = n.child(segment);
        }
        return n;
    }

    private <T> T orDefault(ConfigOption<T> option) {
        if (!option.hasDefaultValue()) {
            node(option); // throws: missing required key
        }
        return option.defaultValue();
    }

    /** {@code option} as non-empty text, or its default. */
    public String text(ConfigOption<String> option) {
        ConfigNode n = optNode(option);
        return n == null ? orDefault(option) : n.asText();
    }

    /** {@code option} as an ISO-8601 duration in [min, max], or its default. */
    public Duration duration(ConfigOption<Duration> option, Duration min, Duration max) {
        ConfigNode n = optNode(option);
        return n == null ? orDefault(option) : n.asDuration(min, max);
    }

    /** {@code option} as an int in [min, max], or its default. */
    public int integer(ConfigOption<Integer> option, int min, int max) {
        ConfigNode n = optNode(option);
        return n == null ? orDefault(option) : n.asInt(min, max);
    }

    /** {@code option} as a long in [min, max], or its default. */
    public long whole(ConfigOption<Long> option, long min, long max) {
        ConfigNode n = optNode(option);
        return n == null ? orDefault(option) : n.asLong(min, max);
    }

    /** {@code option} as a finite number in [min, max], or its default. */
    public double number(ConfigOption<Double> option, double min, double max) {
        ConfigNode n = optNode(option);
        return n == null ? orDefault(option) : n.asDouble(min, max);
    }

    /**
     * {@code option} as one of its enum's constants, written in lower case ({@code exactly_once}),
     * or its default.
     */
    public <E extends Enum<E>> E enumValue(ConfigOption<E> option, Class<E> type) {
        ConfigNode n = optNode(option);
        if (n == null) {
            return orDefault(option);
        }
        Map<String, E> byName = new LinkedHashMap<>();
        for (E e : type.getEnumConstants()) {
            byName.put(e.name().toLowerCase(Locale.ROOT), e);
        }
        return byName.get(n.asEnum(byName.keySet()));
    }

    /** {@code option} as a mapping of single values, or its default. */
    public Map<String, String> stringMap(ConfigOption<Map<String, String>> option) {
        ConfigNode n = optNode(option);
        return n == null ? orDefault(option) : n.asStringMap();
    }

    /**
     * Every key under this node, at any depth, that none of {@code options} names or lies under,
     * each as the error {@link #allowOnly(List)} gives for it; empty when there is none. The
     * entries of a mapping-typed option (Kafka properties, Flink options) are its own and not
     * looked at. For a check that names every typo of a file at once, where loading stops at the
     * first.
     */
    public List<ConfigException> unknownKeys(List<ConfigOption<?>> options) {
        List<ConfigException> out = new ArrayList<>();
        if (!node.isObject()) {
            return out;
        }
        Set<String> keys = new TreeSet<>();
        options.forEach(o -> keys.add(o.key()));
        for (Map.Entry<String, ConfigNode> e : entries().entrySet()) {
            String key = e.getValue().path();
            if (keys.contains(key)) {
                continue;
            }
            if (keys.stream().anyMatch(k -> k.startsWith(key + "."))) {
                out.addAll(e.getValue().unknownKeys(options));
                continue;
            }
            out.add(
                    e.getValue()
                            .error(
                                    "unknown key '"
                                            + e.getKey()
                                            + "'; expected one of "
                                            + allowedUnder(options)));
        }
        return out;
    }

    private Set<String> allowedUnder(List<ConfigOption<?>> options) {
        Set<String> allowed = new TreeSet<>();
        String prefix = path.isEmpty() ? "" : path + ".";
        for (ConfigOption<?> o : options) {
            if (o.key().startsWith(prefix)) {
                allowed.add(o.key().substring(prefix.length()).split("\\.")[0]);
            }
        }
        return allowed;
    }

    /**
     * Fails if this mapping has a key that none of {@code options} lies under (a typo such as
     * "max_out_of_ordernes"), listing the keys that are expected here.
     */
    public ConfigNode allowOnly(List<ConfigOption<?>> options) {
        return allowOnly(allowedUnder(options).toArray(new String[0]));
    }
}
