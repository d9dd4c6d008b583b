package dev.veil.tools.demo;

import dev.veil.config.JobConfig;
import dev.veil.privacy.KeyEpochs;
import dev.veil.record.Json;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

/** The demo's key epochs and the lifecycle lines of its summary. */
class DemoMainTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 28);

    /** The shipped configuration's epochs (config/veil.yaml). */
    private static final KeyEpochs CONFIGURED =
            new KeyEpochs(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(30));

    @Test
    void demoEpochs_putABoundaryAtNoonOfTheDay_withTheConfiguredLengthAndNumbers() {
        KeyEpochs configured = JobConfig.load(Path.of("..", "config", "veil.yaml")).keyEpochs;
        assertThat(configured.start()).isEqualTo(CONFIGURED.start());
        assertThat(configured.length()).isEqualTo(CONFIGURED.length());
        KeyEpochs demo = DemoMain.demoEpochs(configured, DAY);

        long dayStart = DAY.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        long noon = Instant.parse("2026-11-28T12:00:00Z").toEpochMilli();
        assertThat(demo.length()).isEqualTo(configured.length()).isEqualTo(Duration.ofDays(30));
        assertThat(demo.of(noon)).as("an epoch starts at noon").isEqualTo(demo.of(noon - 1) + 1);
        assertThat(demo.startOf(demo.of(noon))).isEqualTo(noon);
        assertThat(demo.of(dayStart)).isEqualTo(demo.of(noon - 1));
        assertThat(demo.of(dayStart + 86_400_000L - 1)).isEqualTo(demo.of(noon));
        assertThat(demo.of(dayStart))
                .as("the morning keeps its configured number")
                .isEqualTo(configured.of(dayStart))
                .isEqualTo(11);
    }

    @Test
    void epochLengthsReadAsConfigured() {
        assertThat(DemoMain.readable(Duration.ofDays(30))).isEqualTo("P30D");
        assertThat(DemoMain.readable(Duration.ofHours(6))).isEqualTo("PT6H");
    }

    @Test
    void demoEpochs_ofADayWhoseNoonIsAlreadyABoundary_areTheConfiguredOnes() {
        KeyEpochs configured =
                new KeyEpochs(Instant.parse("2026-01-01T12:00:00Z"), Duration.ofDays(1));
        KeyEpochs demo = DemoMain.demoEpochs(configured, DAY);
        assertThat(demo.start()).isEqualTo(configured.start());
    }

    @Test
    void lifecycle_talliesStampsNoticesAndPeerPseudonyms() throws Exception {
        Lifecycle l = new Lifecycle();
        l.published(
                json(
                        "{'subject':'s1','peer':'p1','rules_version':'r','key_epoch':11,"
                                + "'policy_version':'2026-09'}"),
                "subject");
        l.published(
                json(
                        "{'subject':'s2','peer':'s1','rules_version':'r','key_epoch':12,"
                                + "'policy_version':null}"),
                "subject");
        l.published(json("{'subject':'s3','rules_version':'r','key_epoch':12}"), "subject");
        l.notice(
                json(
                        "{'erasure_time':'2026-11-28T13:00:00Z','pseudonyms':["
                                + "{'key_epoch':11,'subject':'a'},{'key_epoch':12,'subject':'b'}]}"));
        l.notice(
                json(
                        "{'erasure_time':'2026-11-28T09:00:00Z','pseudonyms':["
                                + "{'key_epoch':11,'subject':'c'}]}"));

        assertThat(l.recordsByEpoch()).containsExactly(entry(11L, 1L), entry(12L, 2L));
        assertThat(l.recordsByPolicy()).containsExactly(entry("(none)", 1L), entry("2026-09", 1L));
        assertThat(l.unstamped()).as("no policy_version field").isEqualTo(1);
        assertThat(l.notices()).isEqualTo(2);
        assertThat(l.peersEqualToASubject()).isEqualTo(1);

        KeyEpochs epochs = DemoMain.demoEpochs(CONFIGURED, DAY);
        assertThat(l.summary(epochs, 4, 2, 3))
                .contains(
                        "erasure notices (veil.erasure, read_committed): 2 for 4 erasures in the"
                                + " input, listing 3 pseudonyms")
                .contains("(1 notices span two or more key epochs)")
                .contains("consent gate: erasure_notices 2, subject_secrets_shredded 3")
                .contains("12 (from 2026-11-28T12:00:00Z)")
                .contains("11 (from 2026-10-29T12:00:00Z)")
                .contains("2 distinct peer pseudonyms")
                .contains("equal to a subject pseudonym: 1");
    }

    private static JsonNode json(String singleQuoted) throws Exception {
        return Json.MAPPER.readTree(singleQuoted.replace('\'', '"'));
    }
}
