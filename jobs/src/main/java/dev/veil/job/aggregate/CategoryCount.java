package dev.veil.job.aggregate;

/** Running count of one category of one release in one window. A Flink POJO in keyed state. */
public class CategoryCount {
    public String release;
    public long windowStart;
    public String category;

    /** Distinct subjects (one contribution each). */
    public long subjects;

    /** Sum of bounded contributions. */
    public long sum;

    public CategoryCount() {}
}
