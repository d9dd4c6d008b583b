package dev.veil.tools.render;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HeatmapPngTest {
    private static final String HEADLESS = "java.awt.headless";

    @TempDir Path dir;

    @Test
    void rendersTheDemoCitiesAsADecodablePng() throws IOException {
        Path file = dir.resolve("out/heatmap.png");

        HeatmapPng.write(Fixtures.demo(), file, "Veil demo: people per H3 cell");

        assertThat(file).exists();
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(HeatmapPng.WIDTH);
        assertThat(image.getHeight()).isEqualTo(HeatmapPng.HEIGHT);
        assertThat(distinctColours(image)).isGreaterThan(50);
        assertThat(containsColour(image, HeatmapPng.ramp(1.0)))
                .as("the hottest cell is drawn")
                .isTrue();
    }

    @Test
    void drawsNaturalEarthLandAndSeaBehindTheCells() {
        // Dublin's panel reaches the Irish Sea; Berlin's and Madrid's are inland
        BufferedImage image = HeatmapPng.render(Fixtures.demo(), "outline");

        assertThat(containsColour(image, HeatmapPng.LAND)).as("land").isTrue();
        assertThat(containsColour(image, HeatmapPng.PANEL_FILL)).as("sea").isTrue();
    }

    @Test
    void drawsOnlyTheBusiestWindow() {
        String dublin = Fixtures.cell(53.35, -6.26);
        List<JsonNode> releases = new ArrayList<>();
        releases.add(Fixtures.heat(dublin, Fixtures.MORNING, 1000));
        releases.add(Fixtures.heat(dublin, Fixtures.EVENING, 40));
        releases.add(Fixtures.heat(Fixtures.cell(52.52, 13.405), Fixtures.EVENING, 41));

        BufferedImage image = HeatmapPng.render(releases, "busiest");

        // The morning window has the only cell, so min == max and the cell gets the middle of the
        // ramp.
        assertThat(containsColour(image, HeatmapPng.ramp(0.5))).isTrue();
        assertThat(containsColour(image, HeatmapPng.ramp(1.0))).isFalse();
    }

    @Test
    void tiesGoToTheEarliestWindow() {
        List<JsonNode> releases = new ArrayList<>();
        releases.add(Fixtures.heat(Fixtures.cell(53.35, -6.26), Fixtures.EVENING, 40));
        releases.add(Fixtures.heat(Fixtures.cell(52.52, 13.405), Fixtures.EVENING, 60));
        releases.add(Fixtures.heat(Fixtures.cell(40.4168, -3.7038), Fixtures.MORNING, 100));

        BufferedImage image = HeatmapPng.render(releases, "tie");

        assertThat(containsColour(image, HeatmapPng.ramp(0.5))).isTrue();
        assertThat(containsColour(image, HeatmapPng.ramp(1.0))).isFalse();
    }

    @Test
    void rendersManyClustersAndCellsOnTheAntimeridian() {
        List<JsonNode> releases = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            releases.addAll(
                    Fixtures.city(-40.0 + 6 * i, 20.0 * i - 140.0, 1, 60 + i, Fixtures.MORNING));
        }
        releases.addAll(Fixtures.city(-17.0, 179.99, 2, 500, Fixtures.MORNING));

        BufferedImage image = HeatmapPng.render(releases, "many");

        assertThat(containsColour(image, HeatmapPng.ramp(1.0)))
                .as("busiest cluster, on the antimeridian")
                .isTrue();
        assertThat(distinctColours(image)).isGreaterThan(50);
    }

    @Test
    void emptyInputSaysNothingPassedSuppression() throws IOException {
        Path file = dir.resolve("empty.png");

        HeatmapPng.write(List.of(), file, "Veil demo");

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(HeatmapPng.WIDTH);
        assertThat(image.getHeight()).isEqualTo(HeatmapPng.HEIGHT);
        assertThat(distinctColours(image)).as("text is drawn").isGreaterThan(2);
    }

    @Test
    void rampGoesFromLightToDark() {
        Color low = HeatmapPng.ramp(0);
        Color high = HeatmapPng.ramp(1);
        assertThat(brightness(low)).isGreaterThan(brightness(HeatmapPng.ramp(0.5)));
        assertThat(brightness(HeatmapPng.ramp(0.5))).isGreaterThan(brightness(high));
        assertThat(HeatmapPng.ramp(-3)).isEqualTo(low);
        assertThat(HeatmapPng.ramp(7)).isEqualTo(high);
    }

    @Test
    void headlessModeIsOnUnlessTheCallerChoseOtherwise() throws Exception {
        String before = System.getProperty(HEADLESS);
        try {
            System.clearProperty(HEADLESS);
            initialiseAnew();
            assertThat(System.getProperty(HEADLESS))
                    .as("no choice made: headless")
                    .isEqualTo("true");

            System.setProperty(HEADLESS, "false");
            initialiseAnew();
            assertThat(System.getProperty(HEADLESS))
                    .as("the caller's choice is kept")
                    .isEqualTo("false");
        } finally {
            if (before == null) {
                System.clearProperty(HEADLESS);
            } else {
                System.setProperty(HEADLESS, before);
            }
        }
    }

    /**
     * Loads HeatmapPng afresh in a class loader of its own and initialises it: its static
     * initialiser runs again.
     */
    private static void initialiseAnew() throws Exception {
        String name = HeatmapPng.class.getName();
        byte[] bytes;
        try (InputStream in =
                HeatmapPng.class.getResourceAsStream(HeatmapPng.class.getSimpleName() + ".class")) {
            bytes = in.readAllBytes();
        }
        ClassLoader fresh =
                new ClassLoader(HeatmapPngTest.class.getClassLoader()) {
                    @Override
                    protected Class<?> loadClass(String className, boolean resolve)
                            throws ClassNotFoundException {
                        if (!className.equals(name)) {
                            return super.loadClass(className, resolve);
                        }
                        synchronized (getClassLoadingLock(className)) {
                            Class<?> c = findLoadedClass(className);
                            return c != null ? c : defineClass(className, bytes, 0, bytes.length);
                        }
                    }
                };
        Class<?> c = Class.forName(name, true, fresh);
        assertThat(c).isNotSameAs(HeatmapPng.class);
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

    private static boolean containsColour(BufferedImage image, Color colour) {
        int wanted = colour.getRGB() & 0xFFFFFF;
        for (int y = 110; y < image.getHeight() - 50; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == wanted) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int brightness(Color c) {
        return c.getRed() + c.getGreen() + c.getBlue();
    }

    @Test
    void writesIntoExistingDirectories() throws IOException {
        Files.createDirectories(dir.resolve("out"));
        Path file = dir.resolve("out/again.png");
        HeatmapPng.write(Fixtures.demo(), file, "again");
        assertThat(Files.size(file)).isPositive();
    }
}
