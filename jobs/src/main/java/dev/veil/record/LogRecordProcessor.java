package dev.veil.record;

import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.IsoInstant;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.rules.FieldRule;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleContext;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleVersions;
import dev.veil.schema.InputSchemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one raw log record (JSON bytes of the device, location or service stream) into one
 * anonymised record per output of that stream, or into a dead letter. Steps: strict JSON parse,
 * schema validation, event time, subject key (HMAC of the normalised user id), then each output's
 * field rules. Plain Java; the Flink source adapter calls it. Not thread-safe (holds the task's
 * pseudonymiser).
 */
public final class LogRecordProcessor {
    /** Field of every log record that names the data subject. */
    public static final String SUBJECT_FIELD = "user_id";

    /** Field of every log record with the event time. */
    public static final String EVENT_TIME_FIELD = "event_time";

    /** Receives the results of one record. */
    public interface Emitter {
        /**
         * One anonymised record for one output.
         *
         * @param output the output
         * @param subjectKey HMAC-SHA256 pseudonym of the subject (43 base64url chars), the key of
         *     consent state
         * @param eventTime epoch milliseconds UTC
         * @param anonymised the output record as JSON bytes (UTF-8)
         * @param outputKey the value of the output's key field, or null
         * @param slots where the consent gate writes the subject- and record-scoped pseudonyms
         *     ({@link Slots}), or null for none
         * @param keySlot the index in {@code slots} of the placeholder that is the output key, or
         *     -1
         */
        void anonymised(
                OutputRules output,
                String subjectKey,
                long eventTime,
                byte[] anonymised,
                String outputKey,
                int[] slots,
                int keySlot);

        /** A dead letter: reason code and a detail that holds no value from the record. */
        void deadLetter(DeadLetterReason reason, String detail);
    }

    private final RuleVersions versions;
    private final RuleContext context;
    private final Pseudonymiser pseudonymiser;
    private final KeyEpochs epochs;
    private final Map<RuleSet, Map<String, List<OutputRules>>> outputsByStream =
            new IdentityHashMap<>();
    private final Map<String, JsonSchema> schemas = new HashMap<>();
    private final InvalidFields invalidFields = new InvalidFields();

    /**
     * Collects the fields left out of one record's outputs for its one dead letter, e.g. "left out
     * of output 'device': ip_prefix (generalise_ip: invalid_ip)"; reused for every record, so
     * nothing is allocated unless a value is invalid.
     */
    private static final class InvalidFields implements OutputRules.InvalidFieldListener {
        OutputRules output;
        private OutputRules named;
        StringBuilder text;

        void reset() {
            text = null;
            named = null;
        }

        @Override
        public void invalid(FieldRule rule, InvalidValueException error) {
            if (text == null) {
                text = new StringBuilder();
            } else {
                text.append(named == output ? ", " : "; ");
            }
            if (named != output) {
                text.append("left out of output '").append(output.name()).append("': ");
                named = output;
            }
            text.append(rule.target())
                    .append(" (")
                    .append(rule.kind())
                    .append(": ")
                    .append(error.reason())
                    .append(')');
        }
    }

    /**
     * @param rules validated field rules
     * @param pseudonymiser HMAC under the master key: subject keys and internal identifiers
     * @param keys the published pseudonyms' keys, from the same master key
     * @param epochs the key epochs
     */
    public LogRecordProcessor(
            RuleSet rules, Pseudonymiser pseudonymiser, PseudonymKeys keys, KeyEpochs epochs) {
        this(new RuleVersions(rules), pseudonymiser, keys, epochs);
    }

    /**
     * @param versions the rules versions: each record is anonymised by the one in force at its
     *     event time, as known when it is processed (they all normalise subject ids alike)
     * @param pseudonymiser HMAC under the master key: subject keys and internal identifiers
     * @param keys the published pseudonyms' keys, from the same master key
     * @param epochs the key epochs
     */
    public LogRecordProcessor(
            RuleVersions versions,
            Pseudonymiser pseudonymiser,
            PseudonymKeys keys,
            KeyEpochs epochs) {
        this.versions = versions;
        this.pseudonymiser = pseudonymiser;
        this.epochs = epochs;
        this.context = new RuleContext(pseudonymiser, keys);
        for (String s : InputSchemas.LOG_STREAMS) {
            schemas.put(s, InputSchemas.get().validator(s));
        }
    }

    private List<OutputRules> outputsOf(RuleSet rules, String stream) {
        return outputsByStream
                .computeIfAbsent(
                        rules,
                        r -> {
                            Map<String, List<OutputRules>> m = new HashMap<>();
                            for (String s : InputSchemas.LOG_STREAMS) {
                                m.put(s, r.outputsOf(s));
                            }
                            return m;
                        })
                .get(stream);
    }

    /**
     * Processes one record.
     *
     * @param stream "device", "location" or "service"
     * @param value the Kafka record value; null (a tombstone) is malformed
     * @param latestEventTime epoch milliseconds; a record with a later event time is an invalid
     *     value (a clock far in the future would move the watermark past every other record)
     * @param out receives anonymised records and dead letters; every call produces at least one of
     *     them unless the stream has no output
     */
    public void process(String stream, byte[] value, long latestEventTime, Emitter out) {
        JsonNode record = parse(value, out);
        if (record == null) {
            return;
        }
        Set<ValidationMessage> violations = schemas.get(stream).validate(record);
        if (!violations.isEmpty()) {
            out.deadLetter(DeadLetterReason.SCHEMA_VIOLATION, ProcessingFailure.schema(violations));
            return;
        }
        long eventTime;
        try {
            eventTime = IsoInstant.parseMillis(record.get(EVENT_TIME_FIELD).asText());
        } catch (DateTimeParseException | ArithmeticException e) {
            out.deadLetter(DeadLetterReason.SCHEMA_VIOLATION, "$." + EVENT_TIME_FIELD + ": format");
            return;
        }
        if (eventTime > latestEventTime) {
            out.deadLetter(
                    DeadLetterReason.INVALID_VALUE,
                    "$." + EVENT_TIME_FIELD + ": too far in the future");
            return;
        }
        RuleSet rules = versions.at(eventTime);
        String subjectKey;
        try {
            subjectKey =
                    pseudonymiser.pseudonymiseCompact(
                            IdNormaliser.normalise(
                                    record.get(SUBJECT_FIELD).asText(),
                                    rules.subjectIdKind(),
                                    rules.phoneRegion()));
        } catch (InvalidValueException e) {
            out.deadLetter(
                    DeadLetterReason.INVALID_VALUE, "$." + SUBJECT_FIELD + ": " + e.reason());
            return;
        }
        invalidFields.reset();
        long epoch = epochs.of(eventTime);
        for (OutputRules output : outputsOf(rules, stream)) {
            invalidFields.output = output;
            context.start(epoch);
            ObjectNode anonymised = output.apply(record, context, invalidFields);
            try {
                JsonNode key = output.keyField() == null ? null : anonymised.get(output.keyField());
                String outputKey = key == null || key.isNull() ? null : key.asText();
                byte[] bytes = Json.MAPPER.writeValueAsBytes(anonymised);
                int[] slots = Slots.find(bytes, context.placeholders());
                out.anonymised(
                        output,
                        subjectKey,
                        eventTime,
                        bytes,
                        outputKey,
                        slots,
                        Slots.keySlot(bytes, slots, outputKey));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(
                        "cannot write an anonymised record of output " + output.name(), e);
            }
        }
        if (invalidFields.text != null) {
            out.deadLetter(DeadLetterReason.INVALID_VALUE, invalidFields.text.toString());
        }
    }

    static JsonNode parse(byte[] value, Emitter out) {
        return parse(value, out::deadLetter);
    }

    /** Receives a dead letter. */
    interface DeadLetterSink {
        void deadLetter(DeadLetterReason reason, String detail);
    }

    static JsonNode parse(byte[] value, DeadLetterSink out) {
        if (value == null || value.length == 0) {
            out.deadLetter(DeadLetterReason.MALFORMED_JSON, "empty record");
            return null;
        }
        try {
            JsonNode node = Json.MAPPER.readTree(value);
            if (node == null || node.isMissingNode()) {
                out.deadLetter(DeadLetterReason.MALFORMED_JSON, "empty record");
                return null;
            }
            return node;
        } catch (JsonProcessingException e) {
            out.deadLetter(DeadLetterReason.MALFORMED_JSON, ProcessingFailure.malformed(e));
            return null;
        } catch (IOException e) {
            out.deadLetter(DeadLetterReason.MALFORMED_JSON, "malformed JSON");
            return null;
        }
    }
}
