package dev.veil.record;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.networknt.schema.ValidationMessage;

import java.util.Collection;
import java.util.regex.Pattern;

/**
 * Details of dead letters ({@link DeadLetterReason}) that are safe to publish: they name JSON
 * paths, schema keywords, rule names and positions, never a value from the record (a parser's own
 * message would quote the payload, so it is never used).
 */
public final class ProcessingFailure {
    private static final Pattern SAFE_PATH =
            Pattern.compile("\\$(\\.[a-z_][a-z0-9_]{0,63}|\\[\\d{1,6}])*");
    private static final int MAX_MESSAGES = 3;

    private ProcessingFailure() {}

    /** Detail for a parse error: the position only. */
    public static String malformed(JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        if (loc == null) {
            return "malformed JSON";
        }
        return "malformed JSON at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }

    /** Detail for schema violations: path and keyword of up to three messages. */
    public static String schema(Collection<ValidationMessage> messages) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (ValidationMessage m : messages) {
            if (n == MAX_MESSAGES) {
                sb.append("; and ").append(messages.size() - MAX_MESSAGES).append(" more");
                break;
            }
            if (n > 0) {
                sb.append("; ");
            }
            String path =
                    m.getInstanceLocation() == null ? "$" : m.getInstanceLocation().toString();
            if (!SAFE_PATH.matcher(path).matches()) {
                path = "$";
            }
            sb.append(path).append(": ").append(m.getType());
            if ("required".equals(m.getType())
                    && m.getProperty() != null
                    && SAFE_PATH.matcher("$." + m.getProperty()).matches()) {
                sb.append(" '").append(m.getProperty()).append('\'');
            }
            n++;
        }
        return sb.toString();
    }
}
