package dev.veil.testing;

import dev.veil.aggregate.ReleaseMechanism;
import dev.veil.aggregate.ReleaseSpec;

import java.util.OptionalLong;

/**
 * A release mechanism without noise, for tests only: small-count suppression (fewer than {@link
 * ReleaseSpec#minPseudonyms()} pseudonyms, k in a window within one key epoch, are never
 * published), then the exact bounded sum. Lets a test assert counting, bounding and suppression
 * exactly, as the tests of Google's differential-privacy library inject zero noise into {@code
 * Count}.
 */
public final class ExactRelease implements ReleaseMechanism {
    /** A factory for {@code AggregationTopology.build} and {@code CountAndRelease}. */
    public static final ReleaseMechanism.Factory FACTORY = new Factory();

    @Override
    public OptionalLong release(
            ReleaseSpec spec, long windowStart, String category, long subjects, long sum) {
        return subjects < spec.minPseudonyms() ? OptionalLong.empty() : OptionalLong.of(sum);
    }

    @Override
    public String noiseName(ReleaseSpec spec) {
        return "off";
    }

    @Override
    public double noiseScale(ReleaseSpec spec) {
        return 0.0;
    }

    @Override
    public long threshold(ReleaseSpec spec) {
        return spec.minPseudonyms();
    }

    private static final class Factory implements ReleaseMechanism.Factory {
        private static final long serialVersionUID = 1L;

        @Override
        public ReleaseMechanism create(long windowMillis) {
            return new ExactRelease();
        }
    }
}
