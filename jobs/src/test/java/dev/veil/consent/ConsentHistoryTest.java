package dev.veil.consent;

import dev.veil.consent.ConsentHistory.Insertion;
import dev.veil.testing.VeilTestBase;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consent history the gate keeps per subject: consent at any time after the fold, insertion,
 * folding.
 */
class ConsentHistoryTest extends VeilTestBase {
    private static final int A = Purpose.ANALYTICS.mask();
    private static final int AP = Purpose.ANALYTICS.mask() | Purpose.PRODUCT_IMPROVEMENT.mask();
    private static final long T9 = T0900.toEpochMilli();
    private static final long T10 = T1000.toEpochMilli();
    private static final long T11 = T1100.toEpochMilli();
    private static final long T12 = T1200.toEpochMilli();

    @Test
    void at_appliesExactlyTheChangesUpToTheTimeInclusive_whateverTheInsertionOrder() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T11, AP, false));
        h.insert(ConsentChange.revoke(T10, A));
        h.insert(ConsentChange.grant(T9, AP, false));

        assertThat(h.at(T9 - 1)).isNull();
        assertThat(h.at(T9).granted).isEqualTo(AP);
        assertThat(h.at(T10).granted)
                .as("a revocation applies from its own time")
                .isEqualTo(AP & ~A);
        assertThat(h.at(T11).granted).isEqualTo(AP);
        assertThat(h.changes()).extracting(c -> c.effectiveTime).containsExactly(T9, T10, T11);
    }

    @Test
    void sameTime_grantAndRevoke_revocationWinsInEitherInsertionOrder() {
        for (boolean grantFirst : new boolean[] {true, false}) {
            ConsentHistory h = new ConsentHistory();
            ConsentChange grant = ConsentChange.grant(T10, AP, false);
            ConsentChange revoke = ConsentChange.revoke(T10, AP);
            h.insert(grantFirst ? grant : revoke);
            h.insert(grantFirst ? revoke : grant);
            assertThat(h.at(T10).granted).isZero();
        }
    }

    @Test
    void foldUpTo_keepsTheConsentOfLaterTimes_andDropsTheFoldedChanges() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T9, AP, false));
        h.insert(ConsentChange.revoke(T10, A));
        h.insert(ConsentChange.grant(T11, A, false));

        assertThat(h.foldUpTo(T10)).isTrue();

        assertThat(h.foldedUpTo()).isEqualTo(T10);
        assertThat(h.changes()).extracting(c -> c.effectiveTime).containsExactly(T11);
        assertThat(h.at(T10 + 1).granted).isEqualTo(AP & ~A);
        assertThat(h.at(T11).granted).isEqualTo(AP);
        assertThat(h.foldUpTo(T10 + 1)).as("nothing more to fold").isFalse();
    }

    @Test
    void erasureFolded_leavesAnEmptyHistory() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T9, AP, false));
        h.insert(ConsentChange.erase(T10));
        assertThat(h.isEmpty()).isFalse();
        h.foldUpTo(T11);
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.at(T12)).isNull();
    }

    @Test
    void lateRestrictiveChangeBehindTheFold_isAppliedOnTop_failClosed() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T10, AP, false));
        h.foldUpTo(T11);

        assertThat(h.insert(ConsentChange.revoke(T9, A))).isEqualTo(Insertion.APPLIED_LATE);

        assertThat(h.at(T12).granted).isEqualTo(AP & ~A);
    }

    @Test
    void lateGrantBehindTheFold_isIgnored_soItCannotUndoALaterRevocation() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T9, A, false));
        h.insert(ConsentChange.revoke(T11, A));
        h.foldUpTo(T11);

        assertThat(h.insert(ConsentChange.grant(T10, A, false))).isEqualTo(Insertion.IGNORED_LATE);

        assertThat(h.at(T12).granted).isZero();
    }

    @Test
    void changeAfterTheLastFoldedChange_isPlacedInOrderEvenIfOlderThanTheFoldBound() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T9, A, false));
        h.foldUpTo(T11);

        assertThat(h.insert(ConsentChange.revoke(T10, A))).isEqualTo(Insertion.IN_ORDER);

        assertThat(h.at(T12).granted).isZero();
    }

    @Test
    void generations_anEraseStartsOneAndFoldingItDeletesTheEndedSecret() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.grant(T0900.toEpochMilli(), Purpose.ANALYTICS.mask(), false));
        h.insert(ConsentChange.erase(T1000.toEpochMilli()));
        h.insert(ConsentChange.grant(T1030.toEpochMilli(), Purpose.ANALYTICS.mask(), false));
        assertThat(h.generations()).hasSize(2);
        ConsentHistory.Generation before = h.generationAt(T0930.toEpochMilli());
        ConsentHistory.Generation atErasure = h.generationAt(T1000.toEpochMilli());
        assertThat(before).isSameAs(h.generations()[0]);
        assertThat(atErasure)
                .as("an event at the erasure's own time is after it")
                .isSameAs(h.generations()[1]);
        byte[] old = {1, 2, 3};
        before.secret = old;
        atErasure.secret = new byte[] {9};

        List<Long> erased = new ArrayList<>();
        h.foldUpTo(T1100.toEpochMilli(), (t, g) -> erased.add(t));

        assertThat(erased).containsExactly(T1000.toEpochMilli());
        assertThat(old).as("the ended secret is wiped").containsOnly((byte) 0);
        assertThat(before.secret).isNull();
        assertThat(h.generations()).hasSize(1);
        assertThat(h.generations()[0].secret).containsExactly(9);
    }

    @Test
    void generations_anEraseInsertedBetweenOthersKeepsEachEventsGeneration() {
        ConsentHistory h = new ConsentHistory();
        h.insert(ConsentChange.erase(T1100.toEpochMilli()));
        h.generationAt(T1130.toEpochMilli()).secret = new byte[] {11};
        h.generationAt(T0930.toEpochMilli()).secret = new byte[] {9};

        h.insert(ConsentChange.erase(T1000.toEpochMilli()));

        assertThat(h.generations()).hasSize(3);
        assertThat(h.generationAt(T0930.toEpochMilli()).secret).containsExactly(9);
        assertThat(h.generationAt(T1030.toEpochMilli()).secret).as("a new generation").isNull();
        assertThat(h.generationAt(T1130.toEpochMilli()).secret).containsExactly(11);
    }
}
