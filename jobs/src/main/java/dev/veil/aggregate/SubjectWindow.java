package dev.veil.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * One subject's bounded contributions in one window: for each release at most L categories, each
 * with a count capped at C. A Flink POJO held in keyed state until the window is released.
 */
public class SubjectWindow {
    /** One category the subject contributes to. */
    public static class Entry {
        public String release;
        public String category;

        /** Keyed pseudo-random rank; the L categories with the lowest ranks are kept. */
        public long rank;

        /** Events counted, 1..C. */
        public int count;

        public Entry() {}

        Entry(String release, String category, long rank) {
            this.release = release;
            this.category = category;
            this.rank = rank;
            this.count = 1;
        }
    }

    public List<Entry> entries = new ArrayList<>();

    public SubjectWindow() {}
}
