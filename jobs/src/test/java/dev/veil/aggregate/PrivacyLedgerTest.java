package dev.veil.aggregate;

import dev.veil.config.ConfigException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        assertThat(l.totalEpsilon()).isCloseTo(57.23, within(0.01)).isLessThanOrEqualTo(60);
        assertThat(day.methodAt(l.capDelta)).isEqualTo("zCDP");
        assertThat(String.join("\n", c.describe()))
                .contains("privacy.ledger: privacy-ledger.yaml, cap ε 60 at δ 0.001 per P1D")
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
}
