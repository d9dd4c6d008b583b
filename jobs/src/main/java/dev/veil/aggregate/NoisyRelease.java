package dev.veil.aggregate;

import dev.veil.config.KeyReference;
import dev.veil.dp.KeyedRandomBits;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * Decides and noises one count of one release: small-count suppression on the true number of
 * distinct subject pseudonyms ({@link ReleaseSpec#minPseudonyms()}), then discrete Laplace noise,
 * then the noisy threshold (DP partition selection), all as calibrated by the spec for the key
 * epochs of the window. The noise is drawn from a keyed cryptographic bit stream labelled by
 * release, window, category <em>and the data</em> (the count of subjects and the sum): a window
 * that fires again with the same data (after a failure and restore, in a replay) publishes the same
 * value, never a second draw to average; one that fires again with other data (other late records)
 * gets an independent draw. A fixed draw per cell would make the difference of two such releases
 * exactly the difference of their counts (c<sub>1</sub> + Z) &minus; (c<sub>2</sub> + Z); with the
 * data in the label the two are two releases, at most 2&epsilon; by basic composition (Dwork and
 * Roth 2014, Theorem 3.14), and equal data gives one. Not thread-safe.
 *
 * <p>With {@link Suppression#NOISY} the exact check of the pseudonym count is left out and the
 * spec's lower threshold alone decides. The suppression is not in the label, nor is the threshold
 * (nor δ, from which it follows): they decide which values appear, not the values. The same data
 * under either choice gets the same draw, so two deployments that differ only in them publish the
 * same value for a category both publish, and together reveal no more than the one with the lower
 * threshold; independent draws would instead give an analyst two values of one count to average. It
 * also keeps the draws of {@code exact}, the default, what they were.
 */
public final class NoisyRelease implements ReleaseMechanism {
    private static final String LABEL = "veil-noise-v3|";

    private final byte[] noiseKey;
    private final long windowMillis;

    /**
     * @param noiseKey secret key, at least 32 bytes; who knows it can remove the noise
     * @param windowMillis the window length: part of the draw's label, so that releases of the same
     *     place with another window length (an hourly and a daily heat map, say) never share a draw
     *     whose difference would cancel out
     */
    public NoisyRelease(byte[] noiseKey, long windowMillis) {
        this.noiseKey = noiseKey.clone();
        this.windowMillis = windowMillis;
    }

    /**
     * The production mechanism: each task reads the noise key from {@code noiseKey}, in its own
     * environment.
     */
    public static ReleaseMechanism.Factory factory(KeyReference noiseKey) {
        return new KeyedFactory(noiseKey);
    }

    private record KeyedFactory(KeyReference noiseKey) implements ReleaseMechanism.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public ReleaseMechanism create(long windowMillis) {
            return new NoisyRelease(noiseKey.resolve(), windowMillis);
        }
    }

    @Override
    public OptionalLong release(
            ReleaseSpec spec, long windowStart, String category, long subjects, long sum) {
        if (spec.suppression() == Suppression.EXACT && subjects < spec.minPseudonyms()) {
            return OptionalLong.empty();
        }
        long noisy = sum + spec.noise().sample(bits(spec, windowStart, subjects, sum, category));
        return noisy >= spec.threshold() ? OptionalLong.of(noisy) : OptionalLong.empty();
    }

    @Override
    public String noiseName(ReleaseSpec spec) {
        return spec.noise().name();
    }

    @Override
    public double noiseScale(ReleaseSpec spec) {
        return spec.noise().scale();
    }

    @Override
    public long threshold(ReleaseSpec spec) {
        return spec.threshold();
    }

    /**
     * The keyed bit stream of one (release, parameters, window, data, category). The parameters
     * (window length, ε — or "rho" and ρ for a discrete Gaussian release —, L, C, k, and the key
     * epochs g of the window when more than one) are in the label so that a changed release never
     * reuses, at another scale, the bits of an earlier one; the data (subjects, sum) so that other
     * data never reuses them either. g is the only optional field, and the only one after ε/ρ that
     * starts with a letter, so the label stays injective: the category is last and every other
     * field is a number, a fixed release name or the budget in its fixed place.
     */
    KeyedRandomBits bits(
            ReleaseSpec spec, long windowStart, long subjects, long sum, String category) {
        byte[] label =
                (LABEL
                                + spec.name()
                                + '|'
                                + windowMillis
                                + '|'
                                + spec.budgetLabel()
                                + '|'
                                + spec.maxContributions()
                                + '|'
                                + spec.maxPerCategory()
                                + '|'
                                + spec.k()
                                + (spec.keyEpochs() == 1 ? "" : "|g" + spec.keyEpochs())
                                + '|'
                                + windowStart
                                + '|'
                                + subjects
                                + '|'
                                + sum
                                + '|'
                                + category)
                        .getBytes(StandardCharsets.UTF_8);
        return new KeyedRandomBits(noiseKey, label);
    }
}
