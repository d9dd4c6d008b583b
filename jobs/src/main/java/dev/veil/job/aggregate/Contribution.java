package dev.veil.job.aggregate;

/**
 * One subject's bounded contribution to one category of one release in one window. A Flink POJO.
 */
public class Contribution {
    /** release|windowStart|category: the key of the counting operator. */
    public String key;

    public String release;
    public long windowStart;
    public String category;

    /** 1..C events (1 for a distinct count). */
    public int count;

    public Contribution() {}

    public Contribution(String release, long windowStart, String category, int count) {
        this.key = release + '|' + windowStart + '|' + category;
        this.release = release;
        this.windowStart = windowStart;
        this.category = category;
        this.count = count;
    }
}
