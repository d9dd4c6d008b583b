package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import javax.imageio.ImageIO;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Opens out/heatmap.html in a real headless Chromium (Debian's chromium and chromium-driver, driven
 * by Selenium) from disk, with no network: the page must load without console errors, draw as many
 * cell polygons in every window as the records hold, and not be blank.
 */
class HeatmapHtmlBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /**
     * Failed basemap tiles: offline, every OpenStreetMap tile fails to load and Chromium logs each
     * as a network error. That is the fallback under test (the outline stays in view), not a fault
     * of the page, so exactly these entries are ignored.
     */
    private static final String TILE_HOST = "tile.openstreetmap.org";

    @TempDir static Path dir;

    private static ChromeDriver driver;

    @BeforeAll
    static void startChromium() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            Assumptions.abort(
                    "headless Chromium not found: apt-get install chromium chromium-driver"
                            + " (.ci/run installs it)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1400,900",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopChromium() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void pageDrawsEveryWindowsCellsWithoutConsoleErrors() throws IOException {
        List<JsonNode> releases = new ArrayList<>(Fixtures.demo());
        String galway = Fixtures.cell(53.2707, -9.0568);
        releases.add(Fixtures.heat(galway, "2026-11-28T21:00:00Z", 45));
        ObjectNode parent =
                Fixtures.heat(
                        Fixtures.H3.latLngToCellAddress(53.35, -6.26, 6), Fixtures.EVENING, 300);
        parent.put("release", "heatmap_parent");
        releases.add(parent);
        Path page = dir.resolve("out/heatmap.html");
        HeatmapHtml.write(releases, page, "Veil heat map </script> test");
        // release -> window start -> features in the GeoJSON
        Map<String, Map<String, Integer>> expected = new TreeMap<>();
        Set<String> windows = new TreeSet<>();
        for (JsonNode r : releases) {
            windows.add(r.path("window_start").asText());
        }
        for (JsonNode r : releases) {
            Map<String, Integer> perWindow =
                    expected.computeIfAbsent(r.path("release").asText(), k -> new TreeMap<>());
            windows.forEach(w -> perWindow.putIfAbsent(w, 0));
        }
        for (JsonNode f : HeatmapGeoJson.toFeatureCollection(releases).get("features")) {
            String release =
                    releases.stream()
                            .filter(
                                    r ->
                                            r.path("cell")
                                                    .asText()
                                                    .equals(
                                                            f.path("properties")
                                                                    .path("cell")
                                                                    .asText()))
                            .findFirst()
                            .orElseThrow()
                            .path("release")
                            .asText();
            expected.get(release)
                    .merge(f.path("properties").path("window_start").asText(), 1, Integer::sum);
        }

        driver.get(page.toUri().toString());
        JavascriptExecutor js = driver;
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(
                        d ->
                                Boolean.TRUE.equals(
                                        js.executeScript(
                                                "return !!(window.veilHeatmap && window.veilHeatmap.ready)")));

        assertThat(((Number) js.executeScript("return veilHeatmap.windows")).intValue())
                .isEqualTo(windows.size());
        assertThat((List<Object>) js.executeScript("return veilHeatmap.releases"))
                .containsExactly("heatmap", "heatmap_parent");
        for (Map.Entry<String, Map<String, Integer>> e : expected.entrySet()) {
            js.executeScript("veilHeatmap.release(arguments[0])", e.getKey());
            List<Integer> drawn = new ArrayList<>();
            for (int i = 0; i < windows.size(); i++) {
                drawn.add(
                        ((Number) js.executeScript("return veilHeatmap.show(" + i + ")"))
                                .intValue());
            }
            assertThat(drawn)
                    .as("cell polygons of %s drawn per window, in window order", e.getKey())
                    .containsExactlyElementsOf(e.getValue().values());
        }
        js.executeScript("veilHeatmap.release('heatmap')");
        assertThat((List<?>) js.executeScript("return veilHeatmap.errors")).isEmpty();
        assertThat(
                        ((Number)
                                        js.executeScript(
                                                "return document.querySelectorAll('#map path.veil-outline').length"))
                                .intValue())
                .as("the Natural Earth outline is drawn")
                .isPositive();

        // the busiest window again, for the screenshot
        js.executeScript("veilHeatmap.show(1)");
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(dir.resolve("out/heatmap-screenshot.png"), png);
        copyForPeople(png);
        BufferedImage shot = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(distinctColours(shot))
                .as("distinct colours in the screenshot")
                .isGreaterThan(40);
        assertThat(shareNotBackground(shot, shot.getRGB(shot.getWidth() / 2, 5)))
                .isGreaterThan(0.05);

        List<String> errors = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()
                    && !e.getMessage().contains(TILE_HOST)) {
                errors.add(e.getMessage());
            }
        }
        assertThat(errors).as("console errors other than failed basemap tiles").isEmpty();
    }

    @Test
    void hoverShowsCellWindowCountAndAnApproximateNoiseInterval() throws IOException {
        String dublin = Fixtures.cell(53.35, -6.26);
        Path page = dir.resolve("hover/heatmap.html");
        HeatmapHtml.write(List.of(Fixtures.heat(dublin, Fixtures.MORNING, 41)), page, "hover");

        driver.get(page.toUri().toString());
        JavascriptExecutor js = driver;
        new WebDriverWait(driver, Duration.ofSeconds(60))
                .until(
                        d ->
                                Boolean.TRUE.equals(
                                        js.executeScript(
                                                "return !!(window.veilHeatmap && window.veilHeatmap.ready)")));
        WebElement cell = driver.findElement(By.cssSelector("#map path.veil-cell"));
        new Actions(driver).moveToElement(cell).perform();
        String tooltip =
                new WebDriverWait(driver, Duration.ofSeconds(30))
                        .until(d -> d.findElement(By.cssSelector(".leaflet-tooltip")))
                        .getText();

        // discrete Laplace of scale b = 2: sd = 2 * sqrt(2) = 2.83, so 41 +- 5.66 -> 35 to 47
        assertThat(tooltip)
                .contains(dublin, "2026-11-28 09:00–10:00 UTC", "41 (noisy)", "discrete_laplace")
                .contains("approx. 35 to 47", "2.83");
    }

    /**
     * With -Dveil.screenshot=FILE the screenshot is also written there, for a person to look at.
     */
    private static void copyForPeople(byte[] png) throws IOException {
        String target = System.getProperty("veil.screenshot");
        if (target != null && !target.isBlank()) {
            Files.write(new File(target).toPath(), png);
        }
    }

    private static int distinctColours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                colours.add(image.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return colours.size();
    }

    private static double shareNotBackground(BufferedImage image, int background) {
        long other = 0;
        long all = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                all++;
                if ((image.getRGB(x, y) & 0xFFFFFF) != (background & 0xFFFFFF)) {
                    other++;
                }
            }
        }
        return other / (double) all;
    }
}
