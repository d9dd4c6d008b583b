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
 * release, window and category, so one window and category always get the same draw: a window that
 * fires again after a failure and restore publishes the same value, never a second independent draw
 * that could be averaged. Not thread-safe.
 */
public final class NoisyRelease implements ReleaseMechanism {
    private static final String LABEL = "veil-noise-v2|";

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
        if (subjects < spec.minPseudonyms()) {
            return OptionalLong.empty();
        }
        long noisy = sum + spec.laplace().sample(bits(spec, windowStart, category));
        return noisy >= spec.threshold() ? OptionalLong.of(noisy) : OptionalLong.empty();
    }

    @Override
    public String noiseName() {
        return "discrete_laplace";
    }

    @Override
    public double noiseScale(ReleaseSpec spec) {
        return spec.laplace().scale();
    }

    @Override
    public long threshold(ReleaseSpec spec) {
        return spec.threshold();
    }

    /**
     * The keyed bit stream of one (release, parameters, window, category). The parameters (window
     * length, ε, L, C, k, and the key epochs g of the window when more than one) are in the label
     * so that a changed release never reuses, at another scale, the bits of an earlier one. g is
     * written only when above 1 so that windows within one epoch keep the draws they had before key
     * epochs existed; it is the only field that starts with a letter, so the label stays injective:
     * the category is last and every other field is a number or a fixed release name.
     */
    KeyedRandomBits bits(ReleaseSpec spec, long windowStart, String category) {
        byte[] label =
                (LABEL
                                + spec.name()
                                + '|'
                                + windowMillis
                                + '|'
                                + spec.epsilon().toPlainString()
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
                                + category)
                        .getBytes(StandardCharsets.UTF_8);
        return new KeyedRandomBits(noiseKey, label);
    }
}
