package dev.veil.aggregate;

import java.io.Serializable;
import java.util.OptionalLong;

/**
 * How one count of a release becomes a published value, or none. The release operator takes it as a
 * dependency, the way {@code Count} in Google's differential-privacy library takes its {@code
 * Noise}: production jobs use {@link NoisyRelease} (small-count suppression, discrete Laplace
 * noise, noisy threshold); tests inject a mechanism without noise to check counting, suppression
 * and bounding exactly. There is no switch that turns noise off in a deployed job. Implementations
 * need not be thread-safe: each task has its own.
 */
public interface ReleaseMechanism {

    /**
     * @param spec the release's parameters
     * @param windowStart epoch milliseconds
     * @param category the category (an H3 cell, a usage category)
     * @param subjects distinct subjects in the category after contribution bounding
     * @param sum the bounded count (equals {@code subjects} for a distinct count)
     * @return the value to publish, or empty when the category is suppressed
     */
    OptionalLong release(
            ReleaseSpec spec, long windowStart, String category, long subjects, long sum);

    /**
     * The noise on each published value of {@code spec}, as named in release records ({@code
     * "discrete_laplace"}, {@code "discrete_gaussian"}).
     */
    String noiseName(ReleaseSpec spec);

    /** The scale of that noise for {@code spec}, in counts. */
    double noiseScale(ReleaseSpec spec);

    /** The smallest value published for {@code spec}, in counts. */
    long threshold(ReleaseSpec spec);

    /**
     * Creates a task's mechanism. Part of the job graph, so it holds no secret: {@link #create}
     * reads keys on the task, from the task's own environment.
     */
    interface Factory extends Serializable {
        /**
         * @param windowMillis the window length of the releases, in milliseconds
         * @throws IllegalStateException if a key it needs cannot be read (the message names where
         *     it looked)
         */
        ReleaseMechanism create(long windowMillis);
    }
}
