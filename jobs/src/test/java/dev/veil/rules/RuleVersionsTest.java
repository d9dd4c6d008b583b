package dev.veil.rules;

import dev.veil.testing.VeilTestBase;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleVersionsTest extends VeilTestBase {
    static final long LEAD = 300_000;

    static String shippedText() throws Exception {
        return Files.readString(RULES);
    }

    static String renamed(String version) throws Exception {
        String v = RuleSetLoader.load(RULES).version();
        return shippedText().replace("version: \"" + v + "\"", "version: \"" + version + "\"");
    }

    static RuleVersions registry() {
        return new RuleVersions(RuleSetLoader.load(RULES));
    }

    static RuleVersions.Version version(RuleVersions r, String name, Instant from, Instant at)
            throws Exception {
        return r.validate(
                RuleVersions.toJson(name, from.toEpochMilli(), renamed(name), at.toEpochMilli()),
                at.toEpochMilli(),
                LEAD);
    }

    @Test
    void at_givesTheVersionWithTheLatestEffectiveTimeAtOrBeforeTheEventTime() throws Exception {
        RuleVersions r = registry();
        r.add(version(r, "v2", T1000, T0900));
        r.add(version(r, "v3", T1100, T0900));
        assertThat(r.at(T1000.toEpochMilli() - 1).version()).isEqualTo(r.base().version());
        assertThat(r.at(T1000.toEpochMilli()).version()).isEqualTo("v2");
        assertThat(r.at(T1030.toEpochMilli()).version()).isEqualTo("v2");
        assertThat(r.at(T1100.toEpochMilli()).version()).isEqualTo("v3");
    }

    @Test
    void at_doesNotDependOnTheOrderVersionsArriveIn() throws Exception {
        RuleVersions a = registry();
        RuleVersions b = registry();
        // v3 published later but effective earlier than v2
        RuleVersions.Version v2 = version(a, "v2", T1200, T0900);
        RuleVersions.Version v3 = version(a, "v3", T1000, T0930);
        a.add(v2);
        a.add(v3);
        b.add(v3);
        b.add(v2);
        for (Instant t : new Instant[] {T0930, T1000, T1130, T1200}) {
            assertThat(a.at(t.toEpochMilli()).version())
                    .isEqualTo(b.at(t.toEpochMilli()).version());
        }
        assertThat(a.at(T1130.toEpochMilli()).version()).isEqualTo("v3");
        assertThat(a.at(T1200.toEpochMilli()).version()).isEqualTo("v2");
    }

    @Test
    void at_onATie_takesTheLaterPublicationWhateverTheArrivalOrder() throws Exception {
        RuleVersions a = registry();
        RuleVersions b = registry();
        RuleVersions.Version early = version(a, "v2", T1100, T0900);
        RuleVersions.Version late = version(a, "v1b", T1100, T0930);
        a.add(early);
        a.add(late);
        b.add(late);
        b.add(early);
        assertThat(a.at(T1100.toEpochMilli()).version()).isEqualTo("v1b");
        assertThat(b.at(T1100.toEpochMilli()).version()).isEqualTo("v1b");
    }

    @Test
    void add_keepsTheFirstVersionOfAName() throws Exception {
        RuleVersions r = registry();
        assertThat(r.add(version(r, "v2", T1000, T0900))).isTrue();
        assertThat(r.add(version(r, "v2", T1100, T0900))).isFalse();
        assertThat(r.at(T1000.toEpochMilli()).version()).isEqualTo("v2");
        assertThat(r.versions()).hasSize(1);
    }

    @Test
    void validate_effectiveSoonerThanTheLead_isRefused() {
        RuleVersions r = registry();
        assertThatThrownBy(() -> version(r, "v2", T0900.plusSeconds(299), T0900))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("time.rules_lead");
    }

    @Test
    void validate_yamlError_namesTheLine() {
        RuleVersions r = registry();
        byte[] json =
                RuleVersions.toJson(
                        "bad", T1000.toEpochMilli(), "version: bad\n\toutputs: {}\n", 0);
        assertThatThrownBy(() -> r.validate(json, 0, LEAD))
                .hasMessageContaining("rules version bad:2:")
                .hasMessageContaining("not valid YAML");
    }

    @Test
    void validate_subjectIdChange_needsASavepointRestart() throws Exception {
        RuleVersions r = registry();
        String yaml = renamed("v2").replace("case_insensitive", "case_sensitive");
        byte[] json = RuleVersions.toJson("v2", T1000.toEpochMilli(), yaml, 0);
        assertThatThrownBy(() -> r.validate(json, 0, LEAD))
                .hasMessageContaining("subject_id")
                .hasMessageContaining("savepoint restart");
    }

    @Test
    void validate_outputTopicChange_needsASavepointRestart() throws Exception {
        RuleVersions r = registry();
        String yaml = renamed("v2").replace("topic: veil.anon.service", "topic: veil.anon.other");
        byte[] json = RuleVersions.toJson("v2", T1000.toEpochMilli(), yaml, 0);
        assertThatThrownBy(() -> r.validate(json, 0, LEAD))
                .hasMessageContaining("output 'service'")
                .hasMessageContaining("savepoint restart");
    }

    @Test
    void validate_versionOtherThanTheFiles_isRefused() throws Exception {
        RuleVersions r = registry();
        byte[] json = RuleVersions.toJson("v9", T1000.toEpochMilli(), renamed("v2"), 0);
        assertThatThrownBy(() -> r.validate(json, 0, LEAD)).hasMessageContaining("'v9'");
    }

    @Test
    void validate_notJson_isRefused() {
        assertThatThrownBy(() -> registry().validate("{".getBytes(), 0, LEAD))
                .hasMessageContaining("not JSON");
    }

    @Test
    void validate_aRecordWithoutATimestamp_isRefusedNamingIt() throws Exception {
        RuleVersions r = registry();
        byte[] json =
                RuleVersions.toJson(
                        "v2", T1000.toEpochMilli(), renamed("v2"), T0900.toEpochMilli());
        assertThatThrownBy(() -> r.validate(json, -1, LEAD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no record timestamp")
                .hasMessageContaining("LogAppendTime");
    }

    @Test
    void conflict_aKnownNameWithOtherRules_isNamed_andTheFirstStaysInForce() throws Exception {
        RuleVersions r = registry();
        RuleVersions.Version first = version(r, "v2", T1000, T0900);
        r.add(first);
        String other = renamed("v2") + "\n# another file under the same name\n";
        RuleVersions.Version second =
                r.validate(
                        RuleVersions.toJson(
                                "v2", T1100.toEpochMilli(), other, T0930.toEpochMilli()),
                        T0930.toEpochMilli(),
                        LEAD);
        assertThat(r.conflict(second))
                .contains("'v2'")
                .contains("version name already published with other rules");
        assertThat(r.add(second)).isFalse();
        assertThat(r.versions()).containsExactly(first);
        // the same rules again under the same name: a duplicate, not a conflict
        assertThat(r.conflict(version(r, "v2", T1100, T0930))).isNull();
    }
}
