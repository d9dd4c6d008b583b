package dev.veil.consent;

import java.util.Comparator;

/**
 * The consent semantics of Veil, as pure functions (no Flink): how a change moves a subject's state
 * and whether the state allows an event. The Flink operator applies changes in event-time order at
 * the watermark, so the result does not depend on arrival order or parallelism.
 *
 * <ul>
 *   <li>No state means no consent (fail closed; GDPR Art. 7(1): the controller must be able to
 *       demonstrate consent).
 *   <li>A revocation applies from its effective time on (Art. 7(3): withdrawal does not affect
 *       earlier processing).
 *   <li>Erasure (Art. 17) removes the state: later events count as without consent until a new
 *       grant.
 *   <li>For a minor (Art. 8), only purposes granted with guardian consent count; on coming of age,
 *       grants the minor gave without a guardian do not become valid (a new grant is needed). Age
 *       status unknown counts as adult: the consent platform states minority; after an erasure it
 *       must state it again.
 * </ul>
 */
public final class ConsentRules {
    private ConsentRules() {}

    /**
     * Total order of changes with the same effective time, so that ties resolve the same way
     * whatever their arrival order: grants first, then age status, revocations, and erasure last
     * (the most restrictive change wins).
     */
    public static final Comparator<ConsentChange> SAME_TIME_ORDER =
            Comparator.comparingLong((ConsentChange c) -> c.effectiveTime)
                    .thenComparingInt(c -> c.action.code)
                    .thenComparingInt(c -> c.purposes)
                    .thenComparing(c -> c.guardianConsent)
                    .thenComparing(c -> c.minor)
                    .thenComparing(
                            c -> c.policyVersion, Comparator.nullsFirst(Comparator.naturalOrder()));

    /**
     * Applies one change.
     *
     * @param state the state before, or null for none (never granted, or erased)
     * @param change the change
     * @return the state after, or null after an erasure; {@code state} is not modified
     */
    public static ConsentState apply(ConsentState state, ConsentChange change) {
        if (change.action == ConsentChange.Action.ERASE) {
            return null;
        }
        ConsentState s =
                state == null
                        ? new ConsentState()
                        : new ConsentState(
                                state.granted,
                                state.guardianGranted,
                                state.minor,
                                state.policyVersion);
        switch (change.action) {
            case GRANT -> {
                s.granted |= change.purposes;
                if (change.guardianConsent) {
                    s.guardianGranted |= change.purposes;
                }
                s.policyVersion = change.policyVersion;
            }
            case REVOKE -> {
                s.granted &= ~change.purposes;
                s.guardianGranted &= ~change.purposes;
            }
            case AGE_STATUS -> {
                if (s.minor && !change.minor) {
                    // Coming of age does not make grants valid that were given without a guardian
                    // while a minor:
                    // they were never valid consent (GDPR Art. 8). Only guardian-backed grants
                    // carry over.
                    s.granted = s.guardianGranted;
                }
                s.minor = change.minor;
            }
            case ERASE -> throw new AssertionError("handled above");
        }
        return s;
    }

    /**
     * Decides whether an event of a subject in {@code state} may reach an output.
     *
     * @param state the subject's state at the event's time, or null for none
     * @param required the output's required purposes as a mask; must not be 0
     * @param publishMinors whether the output publishes minors at all
     */
    public static ConsentDecision decide(ConsentState state, int required, boolean publishMinors) {
        if (required == 0) {
            throw new IllegalArgumentException("an output must require at least one purpose");
        }
        if (state == null) {
            return ConsentDecision.NO_CONSENT;
        }
        if (!state.minor) {
            return (state.granted & required) == required
                    ? ConsentDecision.ALLOW
                    : ConsentDecision.PURPOSE_NOT_GRANTED;
        }
        if ((state.guardianGranted & required) != required) {
            return (state.granted & required) == required
                    ? ConsentDecision.MINOR_WITHOUT_GUARDIAN
                    : ConsentDecision.PURPOSE_NOT_GRANTED;
        }
        return publishMinors ? ConsentDecision.ALLOW_MINOR : ConsentDecision.MINOR_EXCLUDED;
    }
}
