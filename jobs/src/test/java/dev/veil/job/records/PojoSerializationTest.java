package dev.veil.job.records;

import dev.veil.aggregate.Observation;
import dev.veil.aggregate.SubjectWindow;
import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentState;
import dev.veil.job.aggregate.CategoryCount;
import dev.veil.job.aggregate.Contribution;
import dev.veil.job.aggregate.ReleaseDecision;

import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.GenericTypeInfo;
import org.apache.flink.types.PojoTestUtils;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Everything Veil keeps in Flink state or sends between operators is serialised as a POJO, never
 * with Kryo.
 */
class PojoSerializationTest {

    @Test
    void logEvent_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(LogEvent.class);
    }

    @Test
    void consentEvent_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ConsentEvent.class);
    }

    @Test
    void publishedRules_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(PublishedRules.class);
    }

    @Test
    void deadLetter_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(DeadLetter.class);
    }

    @Test
    void outRecord_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(OutRecord.class);
    }

    @Test
    void consentChange_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ConsentChange.class);
    }

    @Test
    void consentState_isSerialisedAsPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ConsentState.class);
    }

    @Test
    void gateState_isSerialisedAsPojoWithoutKryo() {}

    @Test
    void aggregateStateTypes_areSerialisedAsPojosWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Observation.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(SubjectWindow.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(Contribution.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(CategoryCount.class);
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(ReleaseDecision.class);
    }

    @Test
    void listsOfStateTypes_haveNoGenericTypeInfo() {
        TypeInformation<List<ConsentChange>> changes =
                new TypeHint<List<ConsentChange>>() {}.getTypeInfo();
        TypeInformation<List<LogEvent>> events = new TypeHint<List<LogEvent>>() {}.getTypeInfo();

        assertThat(changes).isNotInstanceOf(GenericTypeInfo.class);
        assertThat(events).isNotInstanceOf(GenericTypeInfo.class);
    }
}
