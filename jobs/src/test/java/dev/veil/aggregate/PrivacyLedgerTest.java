package dev.veil.aggregate;

import dev.veil.config.ConfigException;
import dev.veil.privacy.TimeGrid;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The privacy ledger: what the shipped configuration spends per day, the cap checked when the
 * configuration loads, with a located error stating what each deployment and release spends.
 */
class PrivacyLedgerTest {
    @TempDir Path dir;

    @BeforeEach
    void copyTheShippedConfig() throws IOException {
        for (String f :
                new String[] {
                    "veil.yaml", "rules.yaml", "aggregates.yaml", "privacy-ledger.yaml"
                }) {
            Files.copy(Path.of("../config", f), dir.resolve(f));
        }
    }

    private void ledger(String text) throws IOException {
        Files.writeString(dir.resolve("privacy-ledger.yaml"), text);
    }

    @Test
    void shipped_spendsRho30PerDay_withinItsCap() {
        AggregatesConfig c = AggregatesConfig.load(Path.of("../config/aggregates.yaml"));
        PrivacyLedger l = c.ledger;
        assertThat(l).isNotNull();
        assertThat(l.period).hasDays(1);
        PrivacySpend day = l.perPeriod.get("aggregates.yaml");
        // 24 windows of 1²/2 + 6 · 0.5²/2 = 1.25
        assertThat(day.rho()).isCloseTo(30.0, within(1e-9));
        assertThat(day.delta()).isCloseTo(24 * 7e-6, within(1e-15));
        assertThat(day.basicEpsilon()).isEqualByComparingTo("96.0");
        assertThat(l.totalEpsilon()).isCloseTo(57.23, within(0.01)).isLessThanOrEqualTo(62);
        assertThat(day.methodAt(l.capDelta)).isEqualTo("zCDP");
        assertThat(String.join("\n", c.describe()))
                .contains("privacy.ledger: privacy-ledger.yaml, cap ε 62 at δ 0.001 per P1D")
                .contains("aggregates.yaml (this deployment)");
    }

    @Test
    void overTheCap_refusedAtTheCapsLine_sayingWhatEachReleaseSpends() throws IOException {
        ledger(
                """
                period: P1D
                cap:
                  epsilon: 10
                  delta: 1.0e-3
                deployments:
                  - config: aggregates.yaml
                """);
        assertThatThrownBy(() -> AggregatesConfig.load(dir.resolve("aggregates.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("privacy-ledger.yaml:3")
                .hasMessageContaining("over the cap of ε 10 at δ 0.001 per P1D")
                .hasMessageContaining("spend ε 57.23 (zCDP")
                .hasMessageContaining("aggregates.yaml: ρ 30 (24 windows of PT1H × heatmap ρ 0.5")
                .hasMessageContaining("action ρ 0.125");
    }

    @Test
    void anotherDeploymentCounts_aVeilConfigOrAStatedSpend() throws IOException {
        Files.writeString(
                dir.resolve("aggregates-daily.yaml"),
                Files.readString(dir.resolve("aggregates.yaml"))
                        .replace("window: PT1H", "window: P1D"));
        ledger(
                """
                period: P1D
                cap: {epsilon: 70, delta: 1.0e-3}
                deployments:
                  - config: aggregates.yaml
                  - config: aggregates-daily.yaml
                  - name: research-export
                    per_period: {rho: 0.5, delta: 1.0e-7}
                """);
        AggregatesConfig c = AggregatesConfig.load(dir.resolve("aggregates.yaml"));
        assertThat(c.ledger.perPeriod.get("aggregates-daily.yaml").rho())
                .as("one daily window")
                .isCloseTo(1.25, within(1e-9));
        assertThat(c.ledger.total().rho()).isCloseTo(31.75, within(1e-9));
        assertThat(c.ledger.total().basicEpsilon()).as("a stated spend is zCDP only").isNull();

        ledger(
                """
                period: P1D
                cap: {epsilon: 58, delta: 1.0e-3}
                deployments:
                  - config: aggregates.yaml
                  - config: aggregates-daily.yaml
                """);
        assertThatThrownBy(() -> AggregatesConfig.load(dir.resolve("aggregates.yaml")))
                .as("alone it fits, with the daily deployment it does not")
                .hasMessageContaining("over the cap of ε 58")
                .hasMessageContaining("aggregates-daily.yaml: ρ 1.25");
    }

    @Test
    void aConfigurationTheLedgerDoesNotList_isRefusedAtItsLedgerKey() throws IOException {
        ledger(
                """
                period: P1D
                cap: {epsilon: 70, delta: 1.0e-3}
                deployments:
                  - name: research-export
                    per_period: {rho: 0.5, delta: 1.0e-7}
                """);
        List<String> lines = Files.readAllLines(dir.resolve("aggregates.yaml"));
        int ledgerLine = 1;
        while (!lines.get(ledgerLine - 1).trim().startsWith("ledger:")) {
            ledgerLine++;
        }
        assertThatThrownBy(() -> AggregatesConfig.load(dir.resolve("aggregates.yaml")))
                .hasMessageContaining("aggregates.yaml:" + ledgerLine + ":")
                .hasMessageContaining("privacy.ledger")
                .hasMessageContaining("not among the deployments of the privacy ledger");
    }

    @Test
    void thresholdsAloneOverTheCapsDelta_refused() throws IOException {
        ledger(
                """
                period: P1D
                cap: {epsilon: 1000, delta: 1.0e-5}
                deployments:
                  - config: aggregates.yaml
                """);
        assertThatThrownBy(() -> AggregatesConfig.load(dir.resolve("aggregates.yaml")))
                .hasMessageContaining("spend ε without bound")
                .hasMessageContaining("thresholds δ 0.000168");
    }

    @Test
    void badLedgerValues_locatedInTheLedger() throws IOException {
        ledger(
                """
                period: PT12H
                cap: {epsilon: 70, delta: 1.0e-3}
                deployments:
                  - config: aggregates.yaml
                """);
        assertThatThrownBy(() -> AggregatesConfig.load(dir.resolve("aggregates.yaml")))
                .hasMessageContaining("privacy-ledger.yaml:1")
                .hasMessageContaining("period");
        ledger(
                """
                period: P1D
                cap: {epsilon: 70, delta: 1.0e-3, epsilonn: 3}
                deployments:
                  - config: aggregates.yaml
                """);
        assertThatThrownBy(() -> AggregatesConfig.load(dir.resolve("aggregates.yaml")))
                .hasMessageContaining("privacy-ledger.yaml:2")
                .hasMessageContaining("epsilonn");
    }

    @Test
    void theDailyCapExample_fitsEpsilon10AtDelta1e6_withGaussianNoise() {
        AggregatesConfig c =
                AggregatesConfig.load(Path.of("../config/examples/aggregates-daily-cap.yaml"));
        assertThat(c.ledger.capEpsilon).isEqualTo(10);
        assertThat(c.ledger.capDelta).isEqualTo(1e-6);
        assertThat(c.ledger.total().rho()).isCloseTo(24 * 0.054, within(1e-9));
        assertThat(c.ledger.totalEpsilon()).isLessThanOrEqualTo(10).isGreaterThan(9);
        assertThat(c.heatmap.gaussian()).isTrue();
        assertThat(c.heatmap.noise().name()).isEqualTo("discrete_gaussian");
        assertThat(c.heatmap.noise().scale()).isCloseTo(Math.sqrt(100.0 / 3), within(1e-9));
        assertThat(c.usage.get("action").noise().scale())
                .as("σ² = L·C²/(2ρ) = 18/0.008")
                .isCloseTo(Math.sqrt(2250), within(1e-9));
        assertThat(c.totalEpsilon()).as("no basic composition with Gaussian releases").isNull();
    }

    @Test
    void heatmapNeedsEpsilonOrRho_notBoth() throws IOException {
        Path agg = dir.resolve("aggregates.yaml");
        Files.writeString(
                agg,
                Files.readString(agg)
                        .replace(
                                "  epsilon: 1.0                 #",
                                "  epsilon: 1.0\n  rho: 0.5                     #"));
        assertThatThrownBy(() -> AggregatesConfig.load(agg))
                .hasMessageContaining("heatmap")
                .hasMessageContaining("not both");
    }

    @Test
    void windowsInAZone_chargedForTheMostAPeriodCanOverlap_andCountedOnTheirOwnGrid() {
        TimeGrid la =
                new TimeGrid(Duration.ofHours(1), Optional.of(ZoneId.of("America/Los_Angeles")));
        Duration day = Duration.ofDays(1);
        assertThat(PrivacyLedger.windowsPerPeriod(TimeGrid.utc(Duration.ofHours(1)), day))
                .isEqualTo(24);
        // charged 26: the edges and a clock change (a Los Angeles UTC day overlaps 24, see below)
        assertThat(PrivacyLedger.windowsPerPeriod(la, day)).isEqualTo(26);
        assertThat(PrivacyLedger.windowsPerPeriod(la, Duration.ofDays(30))).isEqualTo(720 + 3);

        AggregatesConfig c = AggregatesConfig.load(Path.of("../config/aggregates.yaml"));
        PrivacyLedger l = c.ledger;
        long utcDay = Instant.parse("2021-11-07T00:00:00Z").toEpochMilli();
        long hour = Duration.ofHours(1).toMillis();
        // 2021-11-07: Los Angeles falls back at 09:00Z; its hourly windows stay one hour long and
        // on UTC hours (offsets of whole hours), so the UTC day still holds 24 of them
        for (int h = 0; h < 24; h++) {
            long start = la.start(utcDay + h * hour);
            assertThat(l.windowsSoFar(la, start)).as("hour %d", h).isEqualTo(h + 1);
        }
        TimeGrid kolkata =
                new TimeGrid(Duration.ofHours(1), Optional.of(ZoneId.of("Asia/Kolkata")));
        // +05:30: the window holding 00:00Z started at 23:30Z the day before
        long first = kolkata.start(utcDay);
        assertThat(first).isEqualTo(utcDay - hour / 2);
        assertThat(l.windowsSoFar(kolkata, kolkata.end(first)))
                .as("the one that began at 23:30Z overlaps the day: it counts")
                .isEqualTo(2);
        assertThat(l.windowsSoFar(kolkata, kolkata.end(kolkata.end(first)))).isEqualTo(3);
        assertThat(PrivacyLedger.windowsPerPeriod(kolkata, day))
                .as("25 windows overlap a UTC day")
                .isGreaterThanOrEqualTo(25);
    }

    /** Counts the windows that overlap [from, from + period). */
    private static long overlapping(TimeGrid g, long from, Duration period) {
        long until = from + period.toMillis();
        long n = 0;
        for (long w = g.start(from); w < until; w = g.end(w)) {
            n++;
        }
        return n;
    }

    @Test
    void theChargeForAZone_coversEveryPeriodOfItsHistory_changesDaysApartIncluded() {
        long day = Duration.ofDays(1).toMillis();
        String[][] zones = {
            {"America/Recife", "2000-01-01T00:00:00Z", "2001-01-01T00:00:00Z"},
            {"America/Argentina/Tucuman", "2004-01-01T00:00:00Z", "2005-01-01T00:00:00Z"},
            {"Africa/Cairo", "2010-01-01T00:00:00Z", "2011-01-01T00:00:00Z"},
            {"America/Los_Angeles", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"},
            {"Australia/Lord_Howe", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"},
            {"Asia/Kolkata", "2021-01-01T00:00:00Z", "2021-03-01T00:00:00Z"}
        };
        for (String[] z : zones) {
            for (String length : new String[] {"PT1H", "PT90M", "PT6H", "P1D"}) {
                TimeGrid g = new TimeGrid(Duration.parse(length), Optional.of(ZoneId.of(z[0])));
                for (Duration period : new Duration[] {Duration.ofDays(1), Duration.ofDays(7)}) {
                    long charged = PrivacyLedger.windowsPerPeriod(g, period);
                    long most = 0;
                    for (long p = Instant.parse(z[1]).toEpochMilli();
                            p < Instant.parse(z[2]).toEpochMilli();
                            p += day) {
                        most = Math.max(most, overlapping(g, p, period));
                    }
                    assertThat(most)
                            .as("%s %s, periods of %s: charged %d", z[0], length, period, charged)
                            .isLessThanOrEqualTo(charged);
                }
            }
        }
    }
}
