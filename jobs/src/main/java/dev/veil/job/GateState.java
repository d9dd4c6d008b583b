package dev.veil.job;

import dev.veil.consent.ConsentState;

/**
 * Everything the consent gate keeps per subject in one RocksDB value, so that an event costs one read and one write
 * of it: the subject's consent as of the watermark, and how many events and consent changes wait for the watermark.
 * A Flink POJO.
 */
public class GateState {
    /** Consent as of the last applied change; null when none (never granted, or erased). */
    public ConsentState consent;
    /** Events waiting in {@code pending-events}. */
    public int pendingEvents;
    /** Consent changes waiting in {@code pending-changes}. */
    public int pendingChanges;

    public GateState() {}

    /** True when nothing is held for the subject: the entry can be removed. */
    boolean empty() {
        return consent == null && pendingEvents == 0 && pendingChanges == 0;
    }
}
