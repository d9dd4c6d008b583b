package dev.veil.aggregate;

/**
 * One data subject seen in one category of one release at one time: the input of contribution
 * bounding. A Flink POJO. The subject is a pseudonym from an anonymised topic, never a raw id.
 */
public class Observation {
    /** Subject pseudonym (64 hex chars). */
    public String subject;

    /** Event time, epoch milliseconds UTC (as truncated by the field rules). */
    public long eventTime;

    /** Release name, e.g. "heatmap", "app_version". */
    public String release;

    /** Category within the release: an H3 cell, an app version, ... */
    public String category;

    public Observation() {}

    public Observation(String subject, long eventTime, String release, String category) {
        this.subject = subject;
        this.eventTime = eventTime;
        this.release = release;
        this.category = category;
    }
}
