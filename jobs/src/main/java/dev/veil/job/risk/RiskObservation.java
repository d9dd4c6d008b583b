package dev.veil.job.risk;

/**
 * One published record as the risk measurement sees it: its output, the window of its event time,
 * and a 64-bit digest of its quasi-identifier values (no value itself). A Flink POJO.
 */
public class RiskObservation {
    /** Output name, e.g. "location". */
    public String output;

    /** Start of the risk window holding the record's published event_time, epoch milliseconds. */
    public long windowStart;

    /** SHA-256 of the record's quasi-identifier values, first 8 bytes. */
    public long group;

    /** Records in the group: 1 per published record; the group's size once counted. */
    public long count;

    public RiskObservation() {}

    public RiskObservation(String output, long windowStart, long group, long count) {
        this.output = output;
        this.windowStart = windowStart;
        this.group = group;
        this.count = count;
    }

    /** Key of the group: output, window and digest. */
    public String groupKey() {
        return output + '|' + windowStart + '|' + Long.toHexString(group);
    }

    /** Key of the window: output and window. */
    public String windowKey() {
        return output + '|' + windowStart;
    }
}
