package dev.veil.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML configuration file read into a Jackson tree that remembers where every value stood, so
 * that errors can name the line and column. Duplicate keys are an error (YAML 1.2 forbids them, and
 * a silently overridden privacy rule is a defect).
 */
public final class YamlDocument {
    private static final YAMLFactory YAML = new YAMLFactory();

    private final String fileName;
    private final String text;
    private final JsonNode root;
    private final Map<String, int[]> locations;

    private YamlDocument(
            String fileName, String text, JsonNode root, Map<String, int[]> locations) {
        this.fileName = fileName;
        this.text = text;
        this.root = root;
        this.locations = locations;
    }

    /**
     * Reads a YAML file.
     *
     * @param file the file; its name as given is used in error messages
     * @throws ConfigException if the file cannot be read or is not valid YAML with a mapping at the
     *     top
     */
    public static YamlDocument read(Path file) {
        String name = file.toString();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(
                    name, "", 0, 0, "cannot read file: " + e.getClass().getSimpleName());
        }
        return parse(name, text);
    }

    /**
     * Parses YAML text.
     *
     * @param fileName name used in error messages
     * @param text the YAML
     * @throws ConfigException on a syntax error, a duplicate key, or a top level that is not a
     *     mapping
     */
    public static YamlDocument parse(String fileName, String text) {
        Map<String, int[]> locations = new HashMap<>();
        try (Reader reader = new StringReader(text);
                JsonParser parser = YAML.createParser(reader)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw new ConfigException(
                        fileName, "", 1, 1, "expected a mapping (key: value lines) at the top");
            }
            JsonNode root = readValue(fileName, parser, "", locations);
            return new YamlDocument(fileName, text, root, locations);
        } catch (IOException e) {
            throw syntaxError(fileName, e);
        }
    }

    /**
     * The parser's whole reason, located where the parser found the problem. Jackson's own location
     * is that of the last token it read, which can be a line or more before the problem (a tab that
     * starts line 77 was reported at 76:54), and its message spans several lines; SnakeYAML's mark
     * is exact.
     */
    private static ConfigException syntaxError(String fileName, IOException e) {
        if (e.getCause() instanceof MarkedYAMLException m && m.getProblemMark() != null) {
            StringBuilder what = new StringBuilder("not valid YAML: ").append(m.getProblem());
            if (m.getContext() != null) {
                what.append(" (").append(m.getContext());
                Mark at = m.getContextMark();
                if (at != null) {
                    what.append(" that starts at line ")
                            .append(at.getLine() + 1)
                            .append(", column ")
                            .append(at.getColumn() + 1);
                }
                what.append(')');
            }
            Mark problem = m.getProblemMark();
            return new ConfigException(
                    fileName, "", problem.getLine() + 1, problem.getColumn() + 1, what.toString());
        }
        JsonLocation loc = e instanceof JsonProcessingException jpe ? jpe.getLocation() : null;
        String what =
                e instanceof JsonProcessingException jpe
                        ? jpe.getOriginalMessage()
                        : e.getClass().getSimpleName();
        return new ConfigException(
                fileName,
                "",
                loc == null ? 0 : loc.getLineNr(),
                loc == null ? 0 : loc.getColumnNr(),
                "not valid YAML: " + (what == null ? "syntax error" : what.replace('\n', ' ')));
    }

    private static JsonNode readValue(
            String file, JsonParser p, String path, Map<String, int[]> locations)
            throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        locations.put(path, new int[] {loc.getLineNr(), loc.getColumnNr()});
        JsonToken t = p.currentToken();
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (t) {
            case START_OBJECT:
                {
                    ObjectNode obj = f.objectNode();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        String childPath = path.isEmpty() ? name : path + "." + name;
                        JsonLocation keyLoc = p.currentTokenLocation();
                        if (obj.has(name)) {
                            throw new ConfigException(
                                    file,
                                    childPath,
                                    keyLoc.getLineNr(),
                                    keyLoc.getColumnNr(),
                                    "duplicate key '" + name + "'");
                        }
                        p.nextToken();
                        obj.set(name, readValue(file, p, childPath, locations));
                    }
                    return obj;
                }
            case START_ARRAY:
                {
                    ArrayNode arr = f.arrayNode();
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        arr.add(readValue(file, p, path + "[" + i + "]", locations));
                        i++;
                    }
                    return arr;
                }
            case VALUE_STRING:
                return f.textNode(p.getText());
            case VALUE_NUMBER_INT:
                return f.numberNode(p.getLongValue());
            case VALUE_NUMBER_FLOAT:
                return f.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return f.booleanNode(true);
            case VALUE_FALSE:
                return f.booleanNode(false);
            case VALUE_NULL:
                return f.nullNode();
            default:
                throw new ConfigException(
                        file,
                        path,
                        loc.getLineNr(),
                        loc.getColumnNr(),
                        "unexpected YAML token " + t);
        }
    }

    /** The file name used in error messages. */
    public String fileName() {
        return fileName;
    }

    /**
     * The text as read; a job ships it inside its graph so that every task reads the same rules.
     */
    public String text() {
        return text;
    }

    /** The top-level mapping as a navigable node. */
    public ConfigNode root() {
        return new ConfigNode(this, "", root);
    }

    int[] location(String path) {
        int[] loc = locations.get(path);
        return loc == null ? new int[] {0, 0} : loc;
    }
}
