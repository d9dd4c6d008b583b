package dev.veil.record;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.Purpose;
import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.IsoInstant;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.rules.RuleSet;
import dev.veil.schema.InputSchemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;

import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Turns one consent record (JSON bytes, {@code schemas/input/consent.schema.json}) into a {@link
 * ConsentChange} for the subject key, or a dead letter. The subject key is the same HMAC pseudonym
 * as {@link LogRecordProcessor}'s, so consent state never holds a raw user id. Not thread-safe.
 */
public final class ConsentRecordProcessor {
    /** Receives the result of one record. */
    public interface Emitter {
        /** A valid change for the subject key (43 base64url chars). */
        void change(String subjectKey, ConsentChange change);

        /** A dead letter: reason code and a detail that holds no value from the record. */
        void deadLetter(DeadLetterReason reason, String detail);
    }

    private final RuleSet rules;
    private final Pseudonymiser pseudonymiser;

    public ConsentRecordProcessor(RuleSet rules, Pseudonymiser pseudonymiser) {
        this.rules = rules;
        this.pseudonymiser = pseudonymiser;
    }

    /**
     * Processes one record; exactly one call on {@code out} follows.
     *
     * @param latestEffectiveTime epoch milliseconds; a later effective time is an invalid value (it
     *     would move the watermark past every other record and wait in state forever)
     */
    public void process(byte[] value, long latestEffectiveTime, Emitter out) {
        JsonNode record = LogRecordProcessor.parse(value, out::deadLetter);
        if (record == null) {
            return;
        }
        Set<ValidationMessage> violations =
                InputSchemas.get().validator(InputSchemas.CONSENT).validate(record);
        if (!violations.isEmpty()) {
            out.deadLetter(DeadLetterReason.SCHEMA_VIOLATION, ProcessingFailure.schema(violations));
            return;
        }
        long at;
        try {
            at = IsoInstant.parseMillis(record.get("effective_time").asText());
        } catch (DateTimeParseException | ArithmeticException e) {
            out.deadLetter(DeadLetterReason.SCHEMA_VIOLATION, "$.effective_time: format");
            return;
        }
        if (at > latestEffectiveTime) {
            out.deadLetter(
                    DeadLetterReason.INVALID_VALUE, "$.effective_time: too far in the future");
            return;
        }
        String subjectKey;
        try {
            subjectKey =
                    pseudonymiser.pseudonymiseCompact(
                            IdNormaliser.normalise(
                                    record.get("user_id").asText(),
                                    rules.subjectIdKind(),
                                    rules.phoneRegion()));
        } catch (InvalidValueException e) {
            out.deadLetter(DeadLetterReason.INVALID_VALUE, "$.user_id: " + e.reason());
            return;
        }
        int purposes = 0;
        for (JsonNode p : record.path("purposes")) {
            purposes |= Purpose.fromWireName(p.asText()).mask();
        }
        ConsentChange change;
        switch (record.get("action").asText()) {
            case "grant":
                change =
                        ConsentChange.grant(
                                at,
                                purposes,
                                record.path("guardian_consent").asBoolean(false),
                                record.get("policy_version").asText());
                break;
            case "revoke":
                change = ConsentChange.revoke(at, purposes);
                break;
            case "erase":
                change = ConsentChange.erase(at);
                break;
            case "age_status":
                change = ConsentChange.ageStatus(at, record.get("minor").asBoolean());
                break;
            default:
                // unreachable: the schema's enum admits only the actions above
                out.deadLetter(DeadLetterReason.SCHEMA_VIOLATION, "$.action: enum");
                return;
        }
        out.change(subjectKey, change);
    }
}
