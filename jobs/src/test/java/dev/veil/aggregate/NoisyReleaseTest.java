package dev.veil.aggregate;

import dev.veil.dp.DiscreteLaplace;
import dev.veil.dp.KeyedRandomBits;
import dev.veil.dp.PartitionSelection;
import dev.veil.testing.ExactRelease;
import dev.veil.testing.VeilTestBase;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Suppression, noise and threshold of one count; one noise draw per (release, window, category).
 */
class NoisyReleaseTest {
    private static final long HOUR_MS = 3_600_000L;

    private static final long W0 = Instant.parse("2026-11-28T10:00:00Z").toEpochMilli();
    private static final long W1 = Instant.parse("2026-11-28T11:00:00Z").toEpochMilli();
    private static final byte[] KEY = VeilTestBase.testKey();
    private static final byte[] OTHER_KEY =
            "another-fixed-test-key-0123456!!".getBytes(StandardCharsets.US_ASCII);

    /** ε = 1, δ = 1e-6, k = 10, L = 2, C = 1: discrete Laplace of scale 2. */
    private static ReleaseSpec spec() {
        return new ReleaseSpec("heatmap", new BigDecimal("1"), 1e-6, 10, 2, 1);
    }

    private static long value(
            NoisyRelease r,
            ReleaseSpec spec,
            long window,
            String category,
            long subjects,
            long sum) {
        OptionalLong v = r.release(spec, window, category, subjects, sum);
        assertThat(v).as("published: %s %s", window, category).isPresent();
        return v.getAsLong();
    }

    @Test
    void specParameters_scaleIsLTimesCOverEpsilonAndThresholdFromPartitionSelection() {
        ReleaseSpec spec = spec();
        assertThat(spec.noise().scale()).isEqualTo(2.0);
        assertThat(spec.threshold())
                .isEqualTo(
                        PartitionSelection.threshold(
                                10,
                                2,
                                1,
                                DiscreteLaplace.forSensitivityAndEpsilon(2, BigDecimal.ONE),
                                1e-6))
                .isGreaterThan(spec.k());
    }

    @Test
    void fewerSubjectsThanK_neverPublishedWithNoiseOrByTheTestsExactMechanismEvenWithAHugeSum() {
        for (ReleaseMechanism r : List.of(new NoisyRelease(KEY, HOUR_MS), new ExactRelease())) {
            for (long subjects = 0; subjects < 10; subjects++) {
                for (int cell = 0; cell < 20; cell++) {
                    assertThat(r.release(spec(), W0, "cell-" + cell, subjects, 1_000_000_000L))
                            .as("%s, %d subjects", r.noiseName(spec()), subjects)
                            .isEmpty();
                }
            }
        }
    }

    @Test
    void testsExactMechanism_publishesExactlyTheSumFromKSubjectsOn() {
        ReleaseMechanism r = new ExactRelease();
        ReleaseSpec off = spec();
        assertThat(r.release(off, W0, "c", 10, 10))
                .as("k alone decides, not the noisy threshold")
                .hasValue(10);
        assertThat(r.release(off, W0, "c", 10, 30)).hasValue(30);
        assertThat(r.release(off, W1, "d", 12_345, 12_345)).hasValue(12_345);
    }

    @Test
    void noiseOn_sameReleaseWindowAndCategory_sameValueFromAnyInstance() {
        ReleaseSpec spec = spec();
        NoisyRelease first = new NoisyRelease(KEY, HOUR_MS);
        NoisyRelease second = new NoisyRelease(KEY.clone(), HOUR_MS);
        for (int cell = 0; cell < 50; cell++) {
            String c = "cell-" + cell;
            long v = value(first, spec, W0, c, 1000, 1000);
            assertThat(value(first, spec, W0, c, 1000, 1000))
                    .as("same instance again")
                    .isEqualTo(v);
            assertThat(value(second, spec, W0, c, 1000, 1000))
                    .as("fresh instance, as after a restore")
                    .isEqualTo(v);
        }
    }

    @Test
    void noiseOn_valuesAreActuallyNoisy() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        Set<Long> values = new HashSet<>();
        for (int cell = 0; cell < 50; cell++) {
            values.add(value(r, spec, W0, "cell-" + cell, 1000, 1000));
        }
        // P(noise = 0) = (1-a)/(1+a) = 0.245 at scale 2, so 50 exact values would have probability
        // 1e-31.
        assertThat(values).hasSizeGreaterThan(1).isNotEqualTo(Set.of(1000L));
    }

    @Test
    void noiseOn_otherWindowOrCategory_independentDraw() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        // The bit streams themselves: one per (release, window, category).
        ReleaseSpec os = new ReleaseSpec("os", new BigDecimal("1"), 1e-6, 10, 2, 1);
        ReleaseSpec otherEpsilon =
                new ReleaseSpec("heatmap", new BigDecimal("0.5"), 1e-6, 10, 2, 1);
        long base = r.bits(spec, W0, 10, 10, "cell-a").nextLong();
        assertThat(r.bits(spec, W0, 10, 10, "cell-a").nextLong()).isEqualTo(base);
        assertThat(r.bits(spec, W1, 10, 10, "cell-a").nextLong())
                .as("other window")
                .isNotEqualTo(base);
        assertThat(r.bits(spec, W0, 10, 10, "cell-b").nextLong())
                .as("other category")
                .isNotEqualTo(base);
        assertThat(r.bits(spec, W0, 11, 10, "cell-a").nextLong())
                .as("other subjects")
                .isNotEqualTo(base);
        assertThat(r.bits(spec, W0, 10, 11, "cell-a").nextLong())
                .as("other sum")
                .isNotEqualTo(base);
        assertThat(r.bits(os, W0, 10, 10, "cell-a").nextLong())
                .as("other release")
                .isNotEqualTo(base);
        assertThat(r.bits(otherEpsilon, W0, 10, 10, "cell-a").nextLong())
                .as("other epsilon")
                .isNotEqualTo(base);
        assertThat(new NoisyRelease(KEY, 24 * HOUR_MS).bits(spec, W0, 10, 10, "cell-a").nextLong())
                .as("other window length, same window start")
                .isNotEqualTo(base);

        // The published values: two draws of scale 2 coincide with probability 0.13, so compare 30
        // cells; all 30
        // equal would have probability about 1e-27.
        List<Long> w0 = new ArrayList<>();
        List<Long> w1 = new ArrayList<>();
        List<Long> shifted = new ArrayList<>();
        for (int cell = 0; cell < 30; cell++) {
            w0.add(value(r, spec, W0, "cell-" + cell, 1000, 1000));
            w1.add(value(r, spec, W1, "cell-" + cell, 1000, 1000));
            shifted.add(value(r, spec, W0, "cell-" + (cell + 1), 1000, 1000));
        }
        assertThat(w1).as("same cells, next window").isNotEqualTo(w0);
        assertThat(shifted).as("same window, other cells").isNotEqualTo(w0);
    }

    @Test
    void noiseOn_publishedValuesAreNeverBelowTheThreshold() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        long threshold = spec.threshold();
        int published = 0;
        int suppressed = 0;
        for (long sum = spec.k(); sum <= threshold + 10; sum++) {
            for (int cell = 0; cell < 40; cell++) {
                OptionalLong v = r.release(spec, W0, "cell-" + cell, spec.k(), sum);
                if (v.isPresent()) {
                    published++;
                    assertThat(v.getAsLong())
                            .as("sum %d cell %d", sum, cell)
                            .isGreaterThanOrEqualTo(threshold);
                } else {
                    suppressed++;
                }
            }
        }
        assertThat(published).as("sums around the threshold are sometimes published").isPositive();
        assertThat(suppressed).as("and sometimes not").isPositive();
    }

    @Test
    void noiseOn_largeCount_withinTwentyScalesOfTheTruth() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        double bound = 20 * spec.noise().scale();
        // P(|X| > 40) = 2 a^41 / (1 + a) = 1.6e-9 per draw at scale 2.
        for (int cell = 0; cell < 500; cell++) {
            long v = value(r, spec, W0, "cell-" + cell, 10_000, 10_000);
            assertThat((double) Math.abs(v - 10_000))
                    .as("cell %d", cell)
                    .isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void otherNoiseKey_otherDraws() {
        NoisyRelease a = new NoisyRelease(KEY, HOUR_MS);
        NoisyRelease b = new NoisyRelease(OTHER_KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        assertThat(b.bits(spec, W0, 10, 10, "cell-a").nextLong())
                .isNotEqualTo(a.bits(spec, W0, 10, 10, "cell-a").nextLong());
        List<Long> va = new ArrayList<>();
        List<Long> vb = new ArrayList<>();
        for (int cell = 0; cell < 30; cell++) {
            va.add(value(a, spec, W0, "cell-" + cell, 1000, 1000));
            vb.add(value(b, spec, W0, "cell-" + cell, 1000, 1000));
        }
        assertThat(vb).isNotEqualTo(va);
    }

    @Test
    void keyArrayChangedAfterConstruction_drawsAreUnchanged() {
        byte[] key = KEY.clone();
        NoisyRelease r = new NoisyRelease(key, HOUR_MS);
        long before = r.bits(spec(), W0, 10, 10, "c").nextLong();
        Arrays.fill(key, (byte) 0);
        assertThat(r.bits(spec(), W0, 10, 10, "c").nextLong()).isEqualTo(before);
    }

    @Test
    void specSerialized_sameThresholdAndNoiseAfterDeserialization() throws Exception {
        ReleaseSpec spec = spec();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(spec);
        }
        ReleaseSpec copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ReleaseSpec) in.readObject();
        }
        assertThat(copy.threshold()).isEqualTo(spec.threshold());
        assertThat(copy.noise().scale()).isEqualTo(spec.noise().scale());
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        assertThat(r.release(copy, W0, "c", 500, 500))
                .isEqualTo(r.release(spec, W0, "c", 500, 500));
    }

    /**
     * A cell that fires again with other data (more late records, say) gets an independent draw:
     * the difference of the two releases is not the difference of the counts, as it would be with
     * one fixed draw per cell (issue 9's first leak).
     */
    @Test
    void noiseOn_sameCellWithAnotherCount_independentDrawNotTheExactDifference() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        Set<Long> differences = new HashSet<>();
        for (int cell = 0; cell < 20; cell++) {
            long first = value(r, spec, W0, "cell-" + cell, 1000, 1000);
            long second = value(r, spec, W0, "cell-" + cell, 1050, 1050);
            differences.add(second - first);
            assertThat(value(r, spec, W0, "cell-" + cell, 1050, 1050))
                    .as("the same data again: the same value, nothing to average")
                    .isEqualTo(second);
        }
        // With a fixed draw every difference would be exactly 50; independent draws at scale 2
        // give one value 20 times with probability below 1e-12.
        assertThat(differences).hasSizeGreaterThan(1);
    }

    // ---- windows across key epochs: one person can be g pseudonyms

    @Test
    void acrossTwoKeyEpochs_sensitivityNoiseAndThresholdOfTwoPseudonymsPerPerson() {
        ReleaseSpec one = spec();
        ReleaseSpec two = one.acrossKeyEpochs(2);
        assertThat(one.acrossKeyEpochs(1)).isSameAs(one);
        assertThat(two.keyEpochs()).isEqualTo(2);
        assertThat(two.epsilon()).isEqualTo(one.epsilon());
        assertThat(two.delta()).isEqualTo(one.delta());
        assertThat(two.k()).isEqualTo(10);
        assertThat(two.maxContributions()).as("bounding per pseudonym is unchanged").isEqualTo(2);
        assertThat(two.maxPerCategory()).isEqualTo(1);
        assertThat(two.sensitivity()).as("g L C").isEqualTo(4);
        assertThat(two.noise().scale()).as("g L C / eps").isEqualTo(4.0);
        assertThat(two.minPseudonyms()).as("(k - 1) g + 1: at least k people").isEqualTo(19);
        DiscreteLaplace noise = DiscreteLaplace.forSensitivityAndEpsilon(4, BigDecimal.ONE);
        assertThat(two.threshold())
                .as("partition selection with k g for k and g L for L")
                .isEqualTo(PartitionSelection.threshold(20, 4, 1, noise, 1e-6))
                .isGreaterThan(one.threshold());
        // The δ this threshold achieves: a person's g L categories, each suppressed without them
        // and holding at most k g C with them.
        assertThat(PartitionSelection.delta(two.threshold(), 20, 4, 1, noise))
                .isLessThanOrEqualTo(1e-6);
        assertThat(PartitionSelection.delta(two.threshold() - 1, 20, 4, 1, noise))
                .as("and the threshold is the smallest that does")
                .isGreaterThan(1e-6);
    }

    @Test
    void acrossThreeKeyEpochs_eventCounts() {
        ReleaseSpec action = new ReleaseSpec("action", new BigDecimal("0.5"), 1e-6, 10, 2, 3);
        ReleaseSpec three = action.acrossKeyEpochs(3);
        assertThat(three.sensitivity()).isEqualTo(18);
        assertThat(three.noise().scale()).isEqualTo(36.0);
        assertThat(three.minPseudonyms()).isEqualTo(28);
        assertThat(three.threshold())
                .isEqualTo(
                        PartitionSelection.threshold(
                                30,
                                6,
                                3,
                                DiscreteLaplace.forSensitivityAndEpsilon(18, new BigDecimal("0.5")),
                                1e-6));
    }

    @Test
    void acrossTwoKeyEpochs_fewerPseudonymsThanMinPseudonyms_neverPublished() {
        ReleaseSpec two = spec().acrossKeyEpochs(2);
        for (ReleaseMechanism r : List.of(new NoisyRelease(KEY, HOUR_MS), new ExactRelease())) {
            for (long pseudonyms = 0; pseudonyms < 19; pseudonyms++) {
                for (int cell = 0; cell < 10; cell++) {
                    assertThat(r.release(two, W0, "cell-" + cell, pseudonyms, 1_000_000_000L))
                            .as("%s, %d pseudonyms", r.noiseName(two), pseudonyms)
                            .isEmpty();
                }
            }
            assertThat(r.release(two, W0, "cell-0", 19, 1_000_000L)).isPresent();
        }
        assertThat(new ExactRelease().release(spec(), W0, "c", 10, 10))
                .as("within one epoch, k pseudonyms suffice")
                .hasValue(10);
    }

    @Test
    void acrossTwoKeyEpochs_noiseOfTheLargerScale() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec two = spec().acrossKeyEpochs(2);
        assertThat(r.noiseScale(two)).isEqualTo(4.0);
        assertThat(r.threshold(two)).isEqualTo(two.threshold());
        long spread = 0;
        for (int cell = 0; cell < 400; cell++) {
            long v = value(r, two, W0, "cell-" + cell, 10_000, 10_000);
            assertThat(v).isGreaterThanOrEqualTo(two.threshold());
            // P(|X| > 80) = 2 a^81 / (1 + a) = 2e-9 per draw at scale 4.
            assertThat(Math.abs(v - 10_000)).isLessThanOrEqualTo(80);
            spread += Math.abs(v - 10_000);
        }
        // E|X| is about 4 at scale 4 and about 2 at scale 2: the mean over 400 draws tells them
        // apart (its standard deviation is about 0.2).
        assertThat(spread / 400.0).as("mean |noise|").isGreaterThan(3.0);
    }

    @Test
    void drawLabel_pinnedWithinOneEpoch_otherAcrossEpochs() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec spec = spec();
        long before =
                new KeyedRandomBits(
                                KEY,
                                ("veil-noise-v3|heatmap|3600000|1|2|1|10|" + W0 + "|10|10|cell-a")
                                        .getBytes(StandardCharsets.UTF_8))
                        .nextLong();
        assertThat(r.bits(spec, W0, 10, 10, "cell-a").nextLong())
                .as("the label: release, parameters, window, data, category")
                .isEqualTo(before);
        assertThat(r.bits(spec.acrossKeyEpochs(2), W0, 10, 10, "cell-a").nextLong())
                .as("another scale, another draw")
                .isNotEqualTo(before);
        assertThat(r.bits(spec.acrossKeyEpochs(3), W0, 10, 10, "cell-a").nextLong())
                .isNotEqualTo(r.bits(spec.acrossKeyEpochs(2), W0, 10, 10, "cell-a").nextLong());
    }

    @Test
    void gaussianRelease_labelCarriesRho_noiseOfSigmaAndItsThreshold() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        ReleaseSpec gaussian =
                ReleaseSpec.gaussian(
                        "heatmap", new BigDecimal("0.03"), 1e-6, 10, 2, 1, Suppression.EXACT);
        long pinned =
                new KeyedRandomBits(
                                KEY,
                                ("veil-noise-v3|heatmap|3600000|rho0.03|2|1|10|"
                                                + W0
                                                + "|40|40|cell-a")
                                        .getBytes(StandardCharsets.UTF_8))
                        .nextLong();
        assertThat(r.bits(gaussian, W0, 40, 40, "cell-a").nextLong()).isEqualTo(pinned);
        assertThat(r.noiseName(gaussian)).isEqualTo("discrete_gaussian");
        assertThat(r.noiseScale(gaussian)).isCloseTo(Math.sqrt(100.0 / 3), within(1e-12));
        assertThat(gaussian.rho()).isEqualTo(0.03);
        assertThat(gaussian.epsilon()).isNull();
        // g = 2: σ² = g²·L·C²/(2ρ) = 8/0.06, same ρ
        ReleaseSpec two = gaussian.acrossKeyEpochs(2);
        assertThat(two.noise().scale()).isCloseTo(Math.sqrt(400.0 / 3), within(1e-12));
        assertThat(two.rho()).isEqualTo(0.03);
        assertThat(two.threshold()).isGreaterThan(gaussian.threshold());
        // published values are noisy and never below τ
        int published = 0;
        for (int cell = 0; cell < 200; cell++) {
            var v = r.release(gaussian, W0, "cell-" + cell, 40, 40);
            if (v.isPresent()) {
                published++;
                assertThat(v.getAsLong()).isGreaterThanOrEqualTo(gaussian.threshold());
            }
        }
        assertThat(published).isBetween(1, 199);
    }

    private static ReleaseSpec noisySpec() {
        return new ReleaseSpec("heatmap", new BigDecimal("1"), 1e-6, 10, 2, 1, Suppression.NOISY);
    }

    @Test
    void noisySuppression_thresholdLowerByKMinusOneTimesC_sameNoise() {
        assertThat(noisySpec().threshold()).isEqualTo(spec().threshold() - 9).isEqualTo(30);
        assertThat(noisySpec().noise().scale()).isEqualTo(spec().noise().scale());
        assertThat(noisySpec().suppression()).isEqualTo(Suppression.NOISY);
        assertThat(spec().suppression()).isEqualTo(Suppression.EXACT);
    }

    @Test
    void noisySuppression_acrossTwoKeyEpochs_twoContributionsPerPersonAndTwiceTheCategories() {
        ReleaseSpec two = noisySpec().acrossKeyEpochs(2);
        DiscreteLaplace scale4 = DiscreteLaplace.forSensitivityAndEpsilon(4, new BigDecimal("1"));
        long m = PartitionSelection.threshold(1, 4, 1, scale4, 1e-6) - 1;

        assertThat(two.threshold()).isEqualTo(2 + m);
        assertThat(two.threshold()).isLessThan(spec().acrossKeyEpochs(2).threshold());
    }

    @Test
    void noisySuppression_fewerThanKSubjects_theNoisyCountAloneDecides() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        // Not a count bounding lets through for one subject; it isolates the exact check.
        assertThat(r.release(spec(), W0, "cell-a", 1, 500)).isEmpty();
        assertThat(r.release(noisySpec(), W0, "cell-a", 1, 500)).isPresent();
        assertThat(r.release(noisySpec(), W0, "cell-a", 1, 1)).as("below τ").isEmpty();
    }

    @Test
    void noisySuppression_sameDataSameDrawAsExact() {
        NoisyRelease r = new NoisyRelease(KEY, HOUR_MS);
        for (int sum = 40; sum < 60; sum++) {
            assertThat(value(r, noisySpec(), W0, "cell-" + sum, sum, sum))
                    .isEqualTo(value(r, spec(), W0, "cell-" + sum, sum, sum));
        }
    }
}
