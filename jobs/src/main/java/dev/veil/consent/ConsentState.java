package dev.veil.consent;

import java.util.Objects;

/**
 * A data subject's consent as of some event time. A Flink POJO; in RocksDB it is written by the
 * consent gate's own serializer (two purpose masks, a flag and the policy version).
 */
public final class ConsentState {
    /** Purposes granted (by the subject or a guardian), as a {@link Purpose} mask. */
    public int granted;

    /** Purposes granted with guardian consent; only these count while {@link #minor} is true. */
    public int guardianGranted;

    /** The subject is a minor. */
    public boolean minor;

    /**
     * The privacy policy version of the latest grant in force (the consent record that lets an
     * event through), or null when unknown (no grant yet, or consent restored from a Veil 0.2
     * savepoint, which did not keep it).
     */
    public String policyVersion;

    public ConsentState() {}

    public ConsentState(int granted, int guardianGranted, boolean minor) {
        this.granted = granted;
        this.guardianGranted = guardianGranted;
        this.minor = minor;
    }

    public ConsentState(int granted, int guardianGranted, boolean minor, String policyVersion) {
        this(granted, guardianGranted, minor);
        this.policyVersion = policyVersion;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsentState s
                && s.granted == granted
                && s.guardianGranted == guardianGranted
                && s.minor == minor
                && Objects.equals(s.policyVersion, policyVersion);
    }

    @Override
    public int hashCode() {
        return granted * 31 * 31 + guardianGranted * 31 + (minor ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ConsentState{granted="
                + Purpose.fromMask(granted)
                + ", guardianGranted="
                + Purpose.fromMask(guardianGranted)
                + ", minor="
                + minor
                + ", policy="
                + policyVersion
                + "}";
    }
}
