package dev.veil.job.risk;

/** The group sizes of one output's window, added up. A Flink POJO in keyed state. */
public class RiskTotals {
    /** Published records. */
    public long records;

    /** Distinct quasi-identifier combinations. */
    public long groups;

    /** Records whose combination no other record of the window shares. */
    public long unique;

    /** Records in groups of fewer than k records. */
    public long belowK;

    public RiskTotals() {}
}
