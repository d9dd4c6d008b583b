package dev.veil.aggregate;

import dev.veil.dp.KeyedRandomBits;
import dev.veil.testing.VeilTestBase;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contribution bounding: at most L categories per release, at most C per category, chosen without
 * bias.
 */
class ContributionBoundingTest {
    private static final byte[] KEY = VeilTestBase.testKey();

    /**
     * A category's rank from a keyed hash, as the job derives it (fixed key, so the test is
     * deterministic).
     */
    private static long rank(String subject, String category) {
        byte[] label = ("rank|" + subject + '|' + category).getBytes(StandardCharsets.UTF_8);
        return new KeyedRandomBits(KEY, label).nextLong();
    }

    private static Map<String, Integer> kept(SubjectWindow w, String release) {
        Map<String, Integer> m = new TreeMap<>();
        for (SubjectWindow.Entry e : w.entries) {
            if (e.release.equals(release)) {
                m.put(e.category, e.count);
            }
        }
        return m;
    }

    private static List<String> categories(int n) {
        List<String> c = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            c.add("cat-" + i);
        }
        return c;
    }

    /**
     * The L categories with the lowest ranks, ranks compared as unsigned 64-bit numbers (as the
     * bounding does).
     */
    private static Set<String> lowestRanks(String subject, List<String> categories, int l) {
        return categories.stream()
                .sorted(Comparator.comparing((String c) -> rank(subject, c), Long::compareUnsigned))
                .limit(l)
                .collect(Collectors.toSet());
    }

    @Test
    void twentyCategoriesInShuffledOrders_keptSetIsTheSameAndIsTheLLowestRanks() {
        String subject = "s".repeat(64);
        List<String> cats = categories(20);
        // Every category observed 1 to 4 times, so that counts also have to survive evictions and
        // shuffles.
        List<String> observations = new ArrayList<>();
        for (int i = 0; i < cats.size(); i++) {
            for (int j = 0; j <= i % 4; j++) {
                observations.add(cats.get(i));
            }
        }
        long maxPerCategory = 3;
        for (int l : new int[] {1, 2, 5}) {
            Set<String> expected = lowestRanks(subject, cats, l);
            Map<String, Integer> expectedCounts = new TreeMap<>();
            for (String c : expected) {
                int occurrences = Collections.frequency(observations, c);
                expectedCounts.put(c, (int) Math.min(maxPerCategory, occurrences));
            }
            Random random = new Random(7 + l);
            Map<String, Integer> first = null;
            for (int run = 0; run < 12; run++) {
                List<String> order = new ArrayList<>(observations);
                if (run == 1) {
                    Collections.reverse(order);
                } else if (run > 1) {
                    Collections.shuffle(order, random);
                }
                SubjectWindow w = new SubjectWindow();
                for (String c : order) {
                    ContributionBounding.add(w, "t", c, rank(subject, c), l, maxPerCategory);
                    assertThat(w.entries)
                            .as("never more than L entries, even transiently")
                            .hasSizeLessThanOrEqualTo(l);
                }
                Map<String, Integer> kept = kept(w, "t");
                assertThat(kept).as("L=%d, order %d", l, run).isEqualTo(expectedCounts);
                if (first == null) {
                    first = kept;
                }
                assertThat(kept).isEqualTo(first);
            }
        }
    }

    @Test
    void evictedCategoryComesBack_isNotReadmitted() {
        String subject = "e".repeat(64);
        List<String> cats = categories(3);
        List<String> byRank = new ArrayList<>(cats);
        byRank.sort(Comparator.comparing((String c) -> rank(subject, c), Long::compareUnsigned));
        String lowest = byRank.get(0);
        String highest = byRank.get(2);
        SubjectWindow w = new SubjectWindow();

        assertThat(ContributionBounding.add(w, "t", highest, rank(subject, highest), 1, 5))
                .isTrue();
        assertThat(ContributionBounding.add(w, "t", lowest, rank(subject, lowest), 1, 5))
                .as("evicts")
                .isTrue();
        assertThat(ContributionBounding.add(w, "t", highest, rank(subject, highest), 1, 5))
                .isFalse();

        assertThat(kept(w, "t")).containsExactly(Map.entry(lowest, 1));
    }

    @Test
    void repeatedObservationsOfOneCategory_countIsCappedAtC() {
        SubjectWindow w = new SubjectWindow();
        List<Boolean> changed = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            changed.add(ContributionBounding.add(w, "action", "search", 42L, 2, 3));
        }
        assertThat(kept(w, "action")).containsExactly(Map.entry("search", 3));
        assertThat(changed)
                .containsExactly(true, true, true, false, false, false, false, false, false, false);
    }

    @Test
    void distinctCountWithCOne_repeatedObservationsCountOnce() {
        SubjectWindow w = new SubjectWindow();
        for (int i = 0; i < 5; i++) {
            ContributionBounding.add(w, "app_version", "5.2.0", 7L, 2, 1);
            ContributionBounding.add(w, "app_version", "5.3.0", 9L, 2, 1);
        }
        assertThat(kept(w, "app_version"))
                .containsExactly(Map.entry("5.2.0", 1), Map.entry("5.3.0", 1));
    }

    @Test
    void twoReleasesInOneWindow_areBoundedIndependently() {
        SubjectWindow w = new SubjectWindow();
        // Release "os" fills its L = 2 with the lowest ranks first; "action" must still accept its
        // own 2.
        ContributionBounding.add(w, "os", "Android 14", 1L, 2, 1);
        ContributionBounding.add(w, "os", "Android 13", 2L, 2, 1);
        ContributionBounding.add(w, "action", "search", 100L, 2, 3);
        ContributionBounding.add(w, "action", "view", 200L, 2, 3);
        // A lower rank in "action" evicts only within "action".
        ContributionBounding.add(w, "action", "fault", 50L, 2, 3);
        // The same category name in another release is a different category.
        ContributionBounding.add(w, "device_family", "search", 5L, 2, 1);

        assertThat(kept(w, "os")).containsOnlyKeys("Android 14", "Android 13");
        assertThat(kept(w, "action")).containsOnlyKeys("search", "fault");
        assertThat(kept(w, "device_family")).containsOnlyKeys("search");
        assertThat(w.entries).hasSize(5);
    }

    @Test
    void ranksAreComparedUnsigned_aNegativeLongRanksAboveAPositiveOne() {
        SubjectWindow w = new SubjectWindow();
        ContributionBounding.add(
                w, "t", "high", -1L, 1, 1); // 0xffff...ff, the highest unsigned rank
        ContributionBounding.add(w, "t", "low", 1L, 1, 1);
        assertThat(kept(w, "t")).containsOnlyKeys("low");
    }

    /**
     * 20,000 subjects each touch the same 5 categories, always in the same arrival order (a "keep
     * the first L" implementation would keep cat-0 and cat-1 every time); ranks come from
     * KeyedRandomBits under a fixed key with one label per subject. With L = 2 each category must
     * be kept with probability 2/5. The number of subjects keeping one category is Binomial(20000,
     * 0.4): standard deviation sqrt(20000 * 0.4 * 0.6) = 69.3 subjects, i.e. 0.0035 of the
     * fraction. The tolerance 0.02 is 5.8 standard deviations (a false alarm below 1e-8 per
     * category for a correct implementation), while any order bias of a few percent fails. The key
     * is fixed, so the outcome is the same on every run.
     */
    @Test
    void twentyThousandSubjectsFiveCategories_eachKeptAboutTwoFifthsOfTheTime() {
        int subjects = 20_000;
        List<String> cats = categories(5);
        Map<String, Integer> keptCount = new LinkedHashMap<>();
        cats.forEach(c -> keptCount.put(c, 0));
        Map<String, Integer> keptReverse = new HashMap<>(keptCount);
        for (int s = 0; s < subjects; s++) {
            KeyedRandomBits bits =
                    new KeyedRandomBits(KEY, ("subject-" + s).getBytes(StandardCharsets.UTF_8));
            long[] ranks = new long[cats.size()];
            for (int i = 0; i < ranks.length; i++) {
                ranks[i] = bits.nextLong();
            }
            SubjectWindow forward = new SubjectWindow();
            SubjectWindow reverse = new SubjectWindow();
            for (int i = 0; i < cats.size(); i++) {
                ContributionBounding.add(forward, "t", cats.get(i), ranks[i], 2, 1);
                int j = cats.size() - 1 - i;
                ContributionBounding.add(reverse, "t", cats.get(j), ranks[j], 2, 1);
            }
            assertThat(forward.entries).hasSize(2);
            for (SubjectWindow.Entry e : forward.entries) {
                keptCount.merge(e.category, 1, Integer::sum);
            }
            for (SubjectWindow.Entry e : reverse.entries) {
                keptReverse.merge(e.category, 1, Integer::sum);
            }
        }
        assertThat(keptReverse).as("arrival order does not matter").isEqualTo(keptCount);
        for (Map.Entry<String, Integer> e : keptCount.entrySet()) {
            double fraction = e.getValue() / (double) subjects;
            assertThat(fraction)
                    .as("fraction of subjects keeping %s", e.getKey())
                    .isBetween(0.4 - 0.02, 0.4 + 0.02);
        }
    }
}
