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

import java.util.Arrays;

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
    void roundTrip_keepsPolicyVersionsAndTheSecretOfEveryGeneration() throws Exception {
        ConsentHistory h =
                new ConsentHistory(
                        new ConsentState(Purpose.ANALYTICS.mask(), 0, false, "2026-11"),
                        T0900.toEpochMilli(),
                        new ConsentChange[] {
                            ConsentChange.erase(T1000.toEpochMilli()),
                            ConsentChange.grant(
                                    T1030.toEpochMilli(),
                                    Purpose.ANALYTICS.mask(),
                                    false,
                                    "2026-12"),
                            ConsentChange.erase(T1100.toEpochMilli())
                        },
                        new ConsentHistory.Generation[] {
                            new ConsentHistory.Generation(secret(1), 11),
                            new ConsentHistory.Generation(secret(2), -3),
                            new ConsentHistory.Generation()
                        });

        ConsentHistory back = read(write(h));

        assertThat(back.base()).isEqualTo(h.base());
        assertThat(back.base().policyVersion).isEqualTo("2026-11");
        assertThat(back.changes()).containsExactly(h.changes());
        assertThat(back.changes()[1].policyVersion).isEqualTo("2026-12");
        assertThat(back.generations()).hasSize(3);
        assertThat(back.generations()[0].secret).isEqualTo(secret(1));
        assertThat(back.generations()[0].firstEpoch).isEqualTo(11);
        assertThat(back.generations()[1].secret).isEqualTo(secret(2));
        assertThat(back.generations()[1].firstEpoch).isEqualTo(-3);
        assertThat(back.generations()[2].secret).isNull();
        ConsentHistory copy = S.copy(h);
        assertThat(copy.generations()[1].secret)
                .isEqualTo(secret(2))
                .isNotSameAs(h.generations()[1].secret);
    }

    @Test
    void aValueWrittenByVeil02_readsWithoutSecretsOrPolicyVersions() throws Exception {
        // Veil 0.2's layout, byte for byte: base (analytics), folded at 09:00, one erase at 10:00
        DataOutputSerializer v02 = new DataOutputSerializer(64);
        v02.writeByte(1 | 4);
        v02.writeByte(Purpose.ANALYTICS.mask());
        v02.writeByte(0);
        v02.writeLong(T0900.toEpochMilli());
        v02.writeByte(1);
        v02.writeByte(ConsentChange.Action.ERASE.code);
        v02.writeByte(0);
        v02.writeLong(T1000.toEpochMilli());

        ConsentHistory back = read(v02.getCopyOfBuffer());

        assertThat(back.base()).isEqualTo(new ConsentState(Purpose.ANALYTICS.mask(), 0, false));
        assertThat(back.changes()).containsExactly(ConsentChange.erase(T1000.toEpochMilli()));
        assertThat(back.generations()).hasSize(2);
        assertThat(back.generations()[0].secret).isNull();
        assertThat(back.generations()[1].secret).isNull();
    }

    @Test
    void aGrantedSubjectWithASecret_takesUnder40Bytes() throws Exception {
        ConsentHistory h = new ConsentHistory();
        h.insert(
                ConsentChange.grant(
                        T0900.toEpochMilli(), Purpose.ANALYTICS.mask(), false, "2026-11"));
        h.foldUpTo(T1000.toEpochMilli());
        h.generations()[0].secret = secret(7);
        h.generations()[0].firstEpoch = 11;
        // 12 as before, plus the policy version (1 + 7), the secret (16) and its epoch (1)
        assertThat(write(h)).hasSize(37);
    }

    private static byte[] secret(int fill) {
        byte[] b = new byte[ConsentHistorySerializer.SECRET_BYTES];
        Arrays.fill(b, (byte) fill);
        return b;
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
