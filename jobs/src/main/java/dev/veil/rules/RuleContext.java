package dev.veil.rules;

import dev.veil.privacy.Pseudonymiser;

/**
 * What a rule needs at run time beyond its own parameters: the keyed pseudonymiser of this task.
 * One per Flink subtask; not thread-safe.
 */
public final class RuleContext {
    private final Pseudonymiser pseudonymiser;

    /**
     * @param pseudonymiser HMAC-SHA256 under the deployment's secret key
     */
    public RuleContext(Pseudonymiser pseudonymiser) {
        this.pseudonymiser = pseudonymiser;
    }

    public Pseudonymiser pseudonymiser() {
        return pseudonymiser;
    }
}
