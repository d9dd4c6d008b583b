package dev.veil.job.anonymisation;

/**
 * Stable operator uids and names of the anonymisation job, in one place. A uid names an operator's
 * state in checkpoints and savepoints: never change one, or a restore loses (or refuses) that
 * state.
 */
public final class Uids {
    private Uids() {}

    public static final String LOG_SOURCE = "veil-log-source";
    public static final String CONSENT_SOURCE = "veil-consent-source";
    public static final String LOG_DEAD_LETTERS = "veil-log-dead-letters";
    public static final String CONSENT_DEAD_LETTERS = "veil-consent-dead-letters";
    public static final String CONSENT_GATE = "veil-consent-gate";
    public static final String SINK = "veil-kafka-sink";
    public static final String RISK_OBSERVATIONS = "veil-risk-observations";
    public static final String RISK_GROUPS = "veil-risk-groups";
    public static final String RISK_WINDOWS = "veil-risk-windows";
    public static final String CONTROL_SOURCE = "veil-rules-control-source";
    public static final String CONTROL_DEAD_LETTERS = "veil-rules-control-dead-letters";
}
