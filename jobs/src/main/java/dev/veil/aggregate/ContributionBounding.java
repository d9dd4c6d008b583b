package dev.veil.aggregate;

import dev.veil.privacy.Pseudonymiser;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Contribution bounding (Wilson et al. 2020, "Differentially Private SQL with Bounded User
 * Contribution", §3): one data subject adds to at most L categories of a release per window, and at
 * most C to each category (C = 1 for a distinct count). Which L categories are kept is chosen
 * without bias: every category the subject touched gets a keyed pseudo-random rank (HMAC of
 * subject, window, release and category under a secret key) and the L lowest ranks are kept, which
 * is a uniformly random L-subset of the subject's categories that does not depend on arrival order
 * and is the same after a restore. Memory per subject and release: O(L).
 */
public final class ContributionBounding {
    private ContributionBounding() {}

    /**
     * The keyed pseudo-random rank of one category of one subject in one window: the first 8 bytes
     * of HMAC-SHA256 over {@code veil-rank-v1|subject|windowStart|release|category}, compared
     * unsigned. Shared by the job and by {@code ./veil utility}, which must keep the same cells.
     *
     * @param ranker HMAC under the secret ranking key (the noise key in the jobs)
     * @param windowStart epoch milliseconds
     */
    public static long rank(
            Pseudonymiser ranker,
            String subject,
            long windowStart,
            String release,
            String category) {
        byte[] mac =
                ranker.hmac(
                        ("veil-rank-v1|"
                                        + subject
                                        + '|'
                                        + windowStart
                                        + '|'
                                        + release
                                        + '|'
                                        + category)
                                .getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(mac, 0, 8).getLong();
    }

    /**
     * Adds one observation.
     *
     * @param window the subject's state for the window, changed in place
     * @param release release name
     * @param category category within the release
     * @param rank the category's keyed pseudo-random rank
     * @param maxCategories L, at least 1
     * @param maxPerCategory C, at least 1
     * @return true if the state changed
     */
    public static boolean add(
            SubjectWindow window,
            String release,
            String category,
            long rank,
            long maxCategories,
            long maxPerCategory) {
        List<SubjectWindow.Entry> entries = window.entries;
        int inRelease = 0;
        SubjectWindow.Entry highest = null;
        for (SubjectWindow.Entry e : entries) {
            if (!e.release.equals(release)) {
                continue;
            }
            if (e.category.equals(category)) {
                if (e.count < maxPerCategory) {
                    e.count++;
                    return true;
                }
                return false;
            }
            inRelease++;
            if (highest == null || Long.compareUnsigned(e.rank, highest.rank) > 0) {
                highest = e;
            }
        }
        if (inRelease < maxCategories) {
            entries.add(new SubjectWindow.Entry(release, category, rank));
            return true;
        }
        if (Long.compareUnsigned(rank, highest.rank) < 0) {
            // The evicted category can never come back: the kept ranks only get lower.
            entries.remove(highest);
            entries.add(new SubjectWindow.Entry(release, category, rank));
            return true;
        }
        return false;
    }
}
