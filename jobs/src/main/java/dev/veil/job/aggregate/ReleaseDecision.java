package dev.veil.job.aggregate;

/**
 * That a release decided one category of one window (published or not). Feeds the budget line. A
 * Flink POJO.
 */
public class ReleaseDecision {
    public long windowStart;
    public String release;

    public ReleaseDecision() {}

    public ReleaseDecision(long windowStart, String release) {
        this.windowStart = windowStart;
        this.release = release;
    }
}
