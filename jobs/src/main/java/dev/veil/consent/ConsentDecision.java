package dev.veil.consent;

/**
 * Whether an event may reach an output, and if not, why. The reason names are metric and summary
 * labels.
 */
public enum ConsentDecision {
    /** All required purposes granted by an adult subject. */
    ALLOW("allowed"),
    /**
     * All required purposes granted with guardian consent for a minor; the output's minors policy
     * applies.
     */
    ALLOW_MINOR("allowed_minor"),
    /** No consent record at all, or erased and not granted again: fail closed. */
    NO_CONSENT("no_consent"),
    /** Some required purpose is not granted (never, or revoked). */
    PURPOSE_NOT_GRANTED("purpose_not_granted"),
    /** A minor granted the purposes without guardian consent. */
    MINOR_WITHOUT_GUARDIAN("minor_without_guardian_consent"),
    /** A minor with guardian consent, but the output does not publish minors. */
    MINOR_EXCLUDED("minor_excluded");

    private final String label;

    ConsentDecision(String label) {
        this.label = label;
    }

    /** Metric and summary label, for example "no_consent". */
    public String label() {
        return label;
    }

    /** True for ALLOW and ALLOW_MINOR. */
    public boolean allowed() {
        return this == ALLOW || this == ALLOW_MINOR;
    }
}
