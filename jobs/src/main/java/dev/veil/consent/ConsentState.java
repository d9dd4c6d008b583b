package dev.veil.consent;

/** A data subject's consent as of some event time. A Flink POJO, 9 bytes of payload in RocksDB. */
public final class ConsentState {
    /** Purposes granted (by the subject or a guardian), as a {@link Purpose} mask. */
    public int granted;

    /** Purposes granted with guardian consent; only these count while {@link #minor} is true. */
    public int guardianGranted;

    /** The subject is a minor. */
    public boolean minor;

    public ConsentState() {}

    public ConsentState(int granted, int guardianGranted, boolean minor) {
        this.granted = granted;
        this.guardianGranted = guardianGranted;
        this.minor = minor;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConsentState s
                && s.granted == granted
                && s.guardianGranted == guardianGranted
                && s.minor == minor;
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
                + "}";
    }
}
