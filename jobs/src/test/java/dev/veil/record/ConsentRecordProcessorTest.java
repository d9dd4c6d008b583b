package dev.veil.record;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.Purpose;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.testing.VeilTestBase;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Consent records in, ConsentChanges for the subject key (or dead letters) out. */
class ConsentRecordProcessorTest extends VeilTestBase {
    private static RuleSet rules;

    @BeforeAll
    static void loadRules() {
        rules = RuleSetLoader.load(RULES);
    }

    /** What one process() call emitted. */
    static final class Collected implements ConsentRecordProcessor.Emitter {
        final List<String> subjectKeys = new ArrayList<>();
        final List<ConsentChange> changes = new ArrayList<>();
        final List<DeadLetterReason> reasons = new ArrayList<>();
        final List<String> details = new ArrayList<>();

        @Override
        public void change(String subjectKey, ConsentChange change) {
            subjectKeys.add(subjectKey);
            changes.add(change);
        }

        @Override
        public void deadLetter(DeadLetterReason reason, String detail) {
            reasons.add(reason);
            details.add(detail);
        }
    }

    private static Collected process(String json) {
        Collected c = new Collected();
        new ConsentRecordProcessor(rules, new Pseudonymiser(testKey()))
                .process(json.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE, c);
        return c;
    }

    private static String record(String action, String extra) {
        return "{\"user_id\":\" Alice \",\"effective_time\":\"2026-11-28T09:00:00Z\",\"action\":\""
                + action
                + "\","
                + extra
                + "\"policy_version\":\"v3\"}";
    }

    private static String subjectOfAlice() throws Exception {
        return new Pseudonymiser(testKey()).pseudonymiseCompact("alice");
    }

    @Test
    void process_grantWithGuardianConsent_grantChangeWithPurposeMask() throws Exception {
        Collected c =
                process(
                        record(
                                "grant",
                                "\"purposes\":[\"analytics\",\"location\"],\"guardian_consent\":true,"));

        assertThat(c.reasons).isEmpty();
        assertThat(c.subjectKeys).containsExactly(subjectOfAlice());
        ConsentChange change = c.changes.get(0);
        assertThat(change)
                .isEqualTo(
                        ConsentChange.grant(
                                T0900.toEpochMilli(),
                                Purpose.ANALYTICS.mask() | Purpose.LOCATION.mask(),
                                true,
                                "v3"));
        assertThat(change.action).isEqualTo(ConsentChange.Action.GRANT);
    }

    @Test
    void process_grantWithoutGuardianField_guardianConsentDefaultsToFalse() {
        Collected c = process(record("grant", "\"purposes\":[\"product_improvement\"],"));

        assertThat(c.changes)
                .containsExactly(
                        ConsentChange.grant(
                                T0900.toEpochMilli(),
                                Purpose.PRODUCT_IMPROVEMENT.mask(),
                                false,
                                "v3"));
    }

    @Test
    void process_revoke_revokeChangeWithPurposeMask() {
        Collected c =
                process(record("revoke", "\"purposes\":[\"ads\",\"research\",\"security\"],"));

        assertThat(c.changes)
                .containsExactly(
                        ConsentChange.revoke(
                                T0900.toEpochMilli(),
                                Purpose.ADS.mask()
                                        | Purpose.RESEARCH.mask()
                                        | Purpose.SECURITY.mask()));
        assertThat(c.changes.get(0).action).isEqualTo(ConsentChange.Action.REVOKE);
    }

    @Test
    void process_erase_eraseChangeWithoutPurposes() {
        Collected c = process(record("erase", ""));

        assertThat(c.changes).containsExactly(ConsentChange.erase(T0900.toEpochMilli()));
        assertThat(c.changes.get(0).action).isEqualTo(ConsentChange.Action.ERASE);
        assertThat(c.changes.get(0).purposes).isZero();
    }

    @Test
    void process_ageStatus_setsMinorFlag() {
        Collected minor = process(record("age_status", "\"minor\":true,"));
        Collected adult = process(record("age_status", "\"minor\":false,"));

        assertThat(minor.changes)
                .containsExactly(ConsentChange.ageStatus(T0900.toEpochMilli(), true));
        assertThat(adult.changes)
                .containsExactly(ConsentChange.ageStatus(T0900.toEpochMilli(), false));
        assertThat(minor.changes.get(0).action).isEqualTo(ConsentChange.Action.AGE_STATUS);
    }

    @Test
    void process_effectiveTimeWithOffset_isConvertedToUtc() {
        Collected c =
                process(
                        "{\"user_id\":\"alice\",\"effective_time\":\"2026-11-28T10:00:00+01:00\","
                                + "\"action\":\"erase\",\"policy_version\":\"v3\"}");

        assertThat(c.changes).containsExactly(ConsentChange.erase(T0900.toEpochMilli()));
    }

    @Test
    void process_sameUserSpelledDifferently_sameSubjectKeyAsLogRecords() throws Exception {
        Collected c =
                process(
                        "{\"user_id\":\"ALICE\",\"effective_time\":\"2026-11-28T09:00:00Z\","
                                + "\"action\":\"erase\",\"policy_version\":\"v3\"}");

        assertThat(c.subjectKeys).containsExactly(subjectOfAlice());
    }

    @Test
    void process_grantWithoutPurposes_schemaViolation() {
        Collected c = process(record("grant", ""));

        assertThat(c.changes).isEmpty();
        assertThat(c.reasons).containsExactly(DeadLetterReason.SCHEMA_VIOLATION);
        assertThat(c.details.get(0)).isEqualTo("$: required 'purposes'");
    }

    @Test
    void process_unknownPurpose_schemaViolationWithoutTheValue() {
        Collected c =
                process(record("grant", "\"purposes\":[\"analytics\",\"alice-secret-purpose\"],"));

        assertThat(c.changes).isEmpty();
        assertThat(c.reasons).containsExactly(DeadLetterReason.SCHEMA_VIOLATION);
        assertThat(c.details.get(0))
                .endsWith(": enum")
                .doesNotContain("alice-secret-purpose", "Alice");
    }

    @Test
    void process_ageStatusWithoutMinor_schemaViolation() {
        Collected c = process(record("age_status", ""));

        assertThat(c.reasons).containsExactly(DeadLetterReason.SCHEMA_VIOLATION);
        assertThat(c.details.get(0)).isEqualTo("$: required 'minor'");
    }

    @Test
    void process_malformedJson_malformedJsonWithoutPayloadValues() {
        Collected c = process("{\"user_id\":\"alice-secret\",");

        assertThat(c.changes).isEmpty();
        assertThat(c.reasons).containsExactly(DeadLetterReason.MALFORMED_JSON);
        assertThat(c.details.get(0)).doesNotContain("alice-secret");
    }

    @Test
    void process_effectiveTimeAfterTheLatestAllowed_isAnInvalidValueNotAChange() throws Exception {
        Collected c = new Collected();
        new ConsentRecordProcessor(rules, new Pseudonymiser(testKey()))
                .process(
                        record("grant", "\"purposes\":[\"analytics\"],")
                                .getBytes(StandardCharsets.UTF_8),
                        Instant.parse("2026-11-28T08:00:00Z").toEpochMilli(),
                        c);

        assertThat(c.subjectKeys).isEmpty();
        assertThat(c.reasons).containsExactly(DeadLetterReason.INVALID_VALUE);
        assertThat(c.details).containsExactly("$.effective_time: too far in the future");
    }
}
