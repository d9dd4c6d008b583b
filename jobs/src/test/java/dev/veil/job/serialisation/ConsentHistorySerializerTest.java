package dev.veil.job.serialisation;

import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentHistory;
import dev.veil.consent.ConsentState;
import dev.veil.consent.Purpose;
import dev.veil.testing.VeilTestBase;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compact layout of the consent state: round trips, size, and compatibility with other layouts.
 */
class ConsentHistorySerializerTest extends VeilTestBase {
    private static final ConsentHistorySerializer S = ConsentHistorySerializer.INSTANCE;

    private static byte[] write(ConsentHistory h) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(h, out);
        return out.getCopyOfBuffer();
    }

    private static ConsentHistory read(byte[] bytes) throws Exception {
        return S.deserialize(new DataInputDeserializer(bytes));
    }

    @Test
    void roundTrip_keepsBaseFoldTimeAndEveryChange() throws Exception {
        int all =
                Purpose.ANALYTICS.mask()
                        | Purpose.PRODUCT_IMPROVEMENT.mask()
                        | Purpose.LOCATION.mask();
        ConsentHistory h =
                new ConsentHistory(
                        new ConsentState(all, Purpose.ANALYTICS.mask(), true),
                        T0900.toEpochMilli(),
                        new ConsentChange[] {
                            ConsentChange.grant(T1000.toEpochMilli(), all, true),
                            ConsentChange.ageStatus(T1030.toEpochMilli(), false),
                            ConsentChange.revoke(T1100.toEpochMilli(), Purpose.LOCATION.mask()),
                            ConsentChange.erase(T1200.toEpochMilli())
                        });

        ConsentHistory back = read(write(h));

        assertThat(back.base()).isEqualTo(h.base());
        assertThat(back.foldedUpTo()).isEqualTo(h.foldedUpTo());
        assertThat(back.changes()).containsExactly(h.changes());
        assertThat(S.copy(h).changes()).containsExactly(h.changes());
    }

    @Test
    void emptyHistory_roundTrips() throws Exception {
        ConsentHistory back = read(write(new ConsentHistory()));
        assertThat(back.isEmpty()).isTrue();
        assertThat(back.foldedUpTo()).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void oneFoldedGrant_takesTwelveBytes() throws Exception {
        ConsentHistory folded = new ConsentHistory();
        folded.insert(ConsentChange.grant(T0900.toEpochMilli(), Purpose.ANALYTICS.mask(), false));
        assertThat(write(folded)).as("one unfolded grant").hasSize(12);
        folded.foldUpTo(T1000.toEpochMilli());
        assertThat(write(folded)).as("the same grant folded").hasSize(12);
    }

    @Test
    void snapshot_isCompatibleWithItself_andNotWithAPojoLayout() {
        TypeSerializerSnapshot<ConsentHistory> mine = S.snapshotConfiguration();
        assertThat(mine.resolveSchemaCompatibility(S.snapshotConfiguration()).isCompatibleAsIs())
                .isTrue();

        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<ConsentHistory> pojo =
                (TypeSerializerSnapshot)
                        TypeInformation.of(ConsentState.class)
                                .createSerializer(
                                        new org.apache.flink.api.common.serialization
                                                .SerializerConfigImpl())
                                .snapshotConfiguration();
        assertThat(mine.resolveSchemaCompatibility(pojo).isIncompatible()).isTrue();
    }
}
