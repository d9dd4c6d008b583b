package dev.veil.consent;

import java.util.Objects;

/**
 * One change of a data subject's consent, as held in Flink keyed state until the watermark passes
 * its effective time. A Flink POJO (public fields, no-argument constructor): it is serialised
 * without Kryo.
 */
public final class ConsentChange {
    /** What a change does. */
    public enum Action {
        /** Adds {@link #purposes}; with {@link #guardianConsent} they also count for a minor. */
        GRANT(1),
        /** Sets {@link #minor}. */
        AGE_STATUS(2),
        /** Removes {@link #purposes}. */
        REVOKE(3),
        /** Erasure request: every state entry of the subject is cleared. */
        ERASE(4);

        /**
         * The action's number in checkpointed consent histories and the order of changes at the
         * same instant: fixed forever, whatever the order of the constants.
         */
        public final int code;

        Action(int code) {
            this.code = code;
        }

        /**
         * @throws IllegalArgumentException for a number no action has (a corrupt or foreign
         *     snapshot)
         */
        public static Action ofCode(int code) {
            for (Action a : values()) {
                if (a.code == code) {
                    return a;
                }
            }
            throw new IllegalArgumentException("unknown consent action code " + code);
        }
    }

    /** What this change does. */
    public Action action;

    /** Purpose mask ({@link Purpose#mask()}) for GRANT and REVOKE. */
    public int purposes;

    /** GRANT only: given or confirmed by a parent or guardian. */
    public boolean guardianConsent;

    /** AGE_STATUS only: the subject is a minor. */
    public boolean minor;

    /** Effective time, epoch milliseconds UTC; inclusive. */
    public long effectiveTime;

    /**
     * The privacy policy version the subject saw (the consent record's {@code policy_version});
     * kept for GRANT only, null otherwise.
     */
    public String policyVersion;

    public ConsentChange() {}

    public ConsentChange(
            Action action,
            int purposes,
            boolean guardianConsent,
            boolean minor,
            long effectiveTime) {
        this.action = action;
        this.purposes = purposes;
        this.guardianConsent = guardianConsent;
        this.minor = minor;
        this.effectiveTime = effectiveTime;
    }

    public static ConsentChange grant(long at, int purposes, boolean guardianConsent) {
        return new ConsentChange(Action.GRANT, purposes, guardianConsent, false, at);
    }

    /** A grant under privacy policy version {@code policyVersion}. */
    public static ConsentChange grant(
            long at, int purposes, boolean guardianConsent, String policyVersion) {
        ConsentChange c = grant(at, purposes, guardianConsent);
        c.policyVersion = policyVersion;
        return c;
    }

    public static ConsentChange revoke(long at, int purposes) {
        return new ConsentChange(Action.REVOKE, purposes, false, false, at);
    }

    public static ConsentChange erase(long at) {
        return new ConsentChange(Action.ERASE, 0, false, false, at);
    }

    public static ConsentChange ageStatus(long at, boolean minor) {
        return new ConsentChange(Action.AGE_STATUS, 0, false, minor, at);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConsentChange)) {
            return false;
        }
        ConsentChange c = (ConsentChange) o;
        return action == c.action
                && purposes == c.purposes
                && guardianConsent == c.guardianConsent
                && minor == c.minor
                && effectiveTime == c.effectiveTime
                && Objects.equals(policyVersion, c.policyVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(action, purposes, guardianConsent, minor, effectiveTime, policyVersion);
    }

    @Override
    public String toString() {
        return "ConsentChange{action="
                + action
                + ", purposes="
                + Purpose.fromMask(purposes)
                + ", guardian="
                + guardianConsent
                + ", minor="
                + minor
                + ", at="
                + effectiveTime
                + (policyVersion == null ? "" : ", policy=" + policyVersion)
                + "}";
    }
}
