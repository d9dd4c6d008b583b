package dev.veil.consent;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Consent semantics as pure functions: state transitions, decisions and the order of same-time
 * changes.
 */
class ConsentRulesTest {
    private static final long T = 1_000_000L;
    private static final int ANALYTICS = Purpose.ANALYTICS.mask();
    private static final int PRODUCT = Purpose.PRODUCT_IMPROVEMENT.mask();
    private static final int LOCATION = Purpose.LOCATION.mask();
    private static final int BOTH = ANALYTICS | PRODUCT;

    @Test
    void decide_nullState_noConsent() {
        assertThat(ConsentRules.decide(null, ANALYTICS, true))
                .isEqualTo(ConsentDecision.NO_CONSENT);
        assertThat(ConsentDecision.NO_CONSENT.allowed()).isFalse();
    }

    @Test
    void decide_requiredZero_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> ConsentRules.decide(new ConsentState(BOTH, BOTH, false), 0, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one purpose");
        assertThatThrownBy(() -> ConsentRules.decide(null, 0, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void apply_grantOnNullState_createsStateWithThePurposes() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.grant(T, ANALYTICS, false));

        assertThat(s).isEqualTo(new ConsentState(ANALYTICS, 0, false));
        assertThat(ConsentRules.decide(s, ANALYTICS, true)).isEqualTo(ConsentDecision.ALLOW);
    }

    @Test
    void decide_partialGrant_purposeNotGranted() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.grant(T, ANALYTICS, false));

        assertThat(ConsentRules.decide(s, BOTH, true))
                .isEqualTo(ConsentDecision.PURPOSE_NOT_GRANTED);
    }

    @Test
    void apply_twoPartialGrants_accumulateToFullConsent() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.grant(T, ANALYTICS, false));
        s = ConsentRules.apply(s, ConsentChange.grant(T + 1, PRODUCT, false));

        assertThat(s.granted).isEqualTo(BOTH);
        assertThat(ConsentRules.decide(s, BOTH, true)).isEqualTo(ConsentDecision.ALLOW);
    }

    @Test
    void apply_revoke_removesPurposeIncludingGuardianGrant() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.grant(T, BOTH | LOCATION, true));

        ConsentState after = ConsentRules.apply(s, ConsentChange.revoke(T + 1, PRODUCT));

        assertThat(after)
                .isEqualTo(new ConsentState(ANALYTICS | LOCATION, ANALYTICS | LOCATION, false));
        ConsentState minor = ConsentRules.apply(after, ConsentChange.ageStatus(T + 2, true));
        assertThat(ConsentRules.decide(minor, BOTH, true))
                .isEqualTo(ConsentDecision.PURPOSE_NOT_GRANTED);
        assertThat(ConsentRules.decide(minor, ANALYTICS, true))
                .isEqualTo(ConsentDecision.ALLOW_MINOR);
    }

    @Test
    void apply_revokeOfPurposeNeverGranted_leavesOthersUnchanged() {
        ConsentState s = new ConsentState(ANALYTICS, ANALYTICS, true);

        assertThat(ConsentRules.apply(s, ConsentChange.revoke(T, LOCATION))).isEqualTo(s);
    }

    @Test
    void apply_erase_returnsNullState() {
        ConsentState s = new ConsentState(BOTH, BOTH, true);

        assertThat(ConsentRules.apply(s, ConsentChange.erase(T))).isNull();
        assertThat(ConsentRules.apply(null, ConsentChange.erase(T))).isNull();
    }

    @Test
    void apply_ageStatusOnNullState_createsMinorWithoutConsent() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.ageStatus(T, true));

        assertThat(s).isEqualTo(new ConsentState(0, 0, true));
        assertThat(ConsentRules.decide(s, ANALYTICS, true))
                .isEqualTo(ConsentDecision.PURPOSE_NOT_GRANTED);
    }

    @Test
    void decide_minorWithoutGuardianGrant_minorWithoutGuardian() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.ageStatus(T, true));
        s = ConsentRules.apply(s, ConsentChange.grant(T, BOTH, false));

        assertThat(ConsentRules.decide(s, BOTH, true))
                .isEqualTo(ConsentDecision.MINOR_WITHOUT_GUARDIAN);
    }

    @Test
    void decide_minorWithGuardianGrantForOnlySomePurposes_minorWithoutGuardian() {
        ConsentState s = new ConsentState(BOTH, ANALYTICS, true);

        assertThat(ConsentRules.decide(s, BOTH, true))
                .isEqualTo(ConsentDecision.MINOR_WITHOUT_GUARDIAN);
        assertThat(ConsentRules.decide(s, ANALYTICS, true)).isEqualTo(ConsentDecision.ALLOW_MINOR);
    }

    @Test
    void decide_minorWithGuardianGrant_allowMinorOrMinorExcludedByOutputPolicy() {
        ConsentState s = ConsentRules.apply(null, ConsentChange.ageStatus(T, true));
        s = ConsentRules.apply(s, ConsentChange.grant(T, BOTH, true));

        assertThat(ConsentRules.decide(s, BOTH, true)).isEqualTo(ConsentDecision.ALLOW_MINOR);
        assertThat(ConsentRules.decide(s, BOTH, false)).isEqualTo(ConsentDecision.MINOR_EXCLUDED);
        assertThat(ConsentDecision.ALLOW_MINOR.allowed()).isTrue();
        assertThat(ConsentDecision.MINOR_EXCLUDED.allowed()).isFalse();
    }

    @Test
    void decide_adultWithPublishMinorsFalse_stillAllowed() {
        ConsentState s = new ConsentState(BOTH, 0, false);

        assertThat(ConsentRules.decide(s, BOTH, false)).isEqualTo(ConsentDecision.ALLOW);
    }

    @Test
    void apply_ageStatusFalseAfterMinor_onlyGuardianBackedGrantsCarryOver() {
        ConsentState s = new ConsentState(BOTH, ANALYTICS, true);

        ConsentState adult = ConsentRules.apply(s, ConsentChange.ageStatus(T, false));

        assertThat(adult).isEqualTo(new ConsentState(ANALYTICS, ANALYTICS, false));
        assertThat(ConsentRules.decide(adult, ANALYTICS, false)).isEqualTo(ConsentDecision.ALLOW);
        assertThat(ConsentRules.decide(adult, BOTH, false))
                .isEqualTo(ConsentDecision.PURPOSE_NOT_GRANTED);
    }

    @Test
    void apply_anyChange_doesNotMutateItsInput() {
        ConsentState before = new ConsentState(ANALYTICS, ANALYTICS, false);
        ConsentState copy = new ConsentState(ANALYTICS, ANALYTICS, false);
        List<ConsentChange> changes =
                List.of(
                        ConsentChange.grant(T, BOTH | LOCATION, true),
                        ConsentChange.revoke(T, ANALYTICS),
                        ConsentChange.ageStatus(T, true),
                        ConsentChange.erase(T));

        for (ConsentChange c : changes) {
            ConsentState after = ConsentRules.apply(before, c);
            assertThat(after).as("%s", c).isNotSameAs(before);
        }

        assertThat(before).isEqualTo(copy);
    }

    @Test
    void unknownActionCode_throwsIllegalArgumentException() {
        assertThatThrownBy(() -> ConsentChange.Action.ofCode(99))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("99");
    }

    @Test
    void sameTimeOrder_sameTime_grantThenAgeStatusThenRevokeThenErase() {
        ConsentChange grant = ConsentChange.grant(T, BOTH, false);
        ConsentChange age = ConsentChange.ageStatus(T, true);
        ConsentChange revoke = ConsentChange.revoke(T, BOTH);
        ConsentChange erase = ConsentChange.erase(T);
        List<ConsentChange> changes = new ArrayList<>(List.of(erase, revoke, age, grant));

        changes.sort(ConsentRules.SAME_TIME_ORDER);

        assertThat(changes).containsExactly(grant, age, revoke, erase);
    }

    @Test
    void sameTimeOrder_differentTimes_earlierFirstWhateverTheAction() {
        ConsentChange earlyErase = ConsentChange.erase(T);
        ConsentChange lateGrant = ConsentChange.grant(T + 1, BOTH, false);
        List<ConsentChange> changes = new ArrayList<>(List.of(lateGrant, earlyErase));

        changes.sort(ConsentRules.SAME_TIME_ORDER);

        assertThat(changes).containsExactly(earlyErase, lateGrant);
    }

    @Test
    void sameTimeOrder_grantAndRevokeAtOneTime_revokeWinsWhenAppliedInOrder() {
        List<ConsentChange> a =
                new ArrayList<>(
                        List.of(
                                ConsentChange.revoke(T, BOTH),
                                ConsentChange.grant(T, BOTH, false)));
        List<ConsentChange> b =
                new ArrayList<>(
                        List.of(
                                ConsentChange.grant(T, BOTH, false),
                                ConsentChange.revoke(T, BOTH)));

        for (List<ConsentChange> arrival : List.of(a, b)) {
            arrival.sort(ConsentRules.SAME_TIME_ORDER);
            ConsentState s = null;
            for (ConsentChange c : arrival) {
                s = ConsentRules.apply(s, c);
            }
            assertThat(ConsentRules.decide(s, ANALYTICS, true))
                    .isEqualTo(ConsentDecision.PURPOSE_NOT_GRANTED);
        }
    }

    @Test
    void sameTimeOrder_equalFieldsOnly_compareAsEqual() {
        assertThat(
                        ConsentRules.SAME_TIME_ORDER.compare(
                                ConsentChange.grant(T, BOTH, true),
                                ConsentChange.grant(T, BOTH, true)))
                .isZero();
        assertThat(
                        ConsentRules.SAME_TIME_ORDER.compare(
                                ConsentChange.grant(T, BOTH, false),
                                ConsentChange.grant(T, BOTH, true)))
                .isNotZero();
    }
}
