package dev.veil.tools.sample;

/**
 * How one data subject's consent develops over the generated day; each subject follows exactly one
 * scenario.
 */
enum ConsentScenario {
    /**
     * Grants analytics, product_improvement and location (some also personalisation, ads) before
     * the day.
     */
    FULL_GRANT("full_grant", 550),
    /** Grants analytics only, or everything but location, before the day. */
    PARTIAL_GRANT("partial_grant", 150),
    /** Grants before the day, revokes some purposes during the day. */
    GRANT_THEN_REVOKE("grant_then_revoke", 80),
    /** Grants before the day, revokes during the day and grants again later that day. */
    REVOKE_THEN_REGRANT("revoke_then_regrant", 40),
    /** Grants before the day, requests erasure during the day; half of them grant again later. */
    ERASURE("erasure", 30),
    /** Declared a minor before the day, then a grant confirmed by a guardian. */
    MINOR_WITH_GUARDIAN("minor_with_guardian", 25),
    /**
     * Declared a minor before the day, then a grant without guardian consent (which does not
     * count).
     */
    MINOR_WITHOUT_GUARDIAN("minor_without_guardian", 25),
    /** No consent record at all. */
    NO_CONSENT("no_consent", 100);

    private final String key;
    private final int perMille;

    ConsentScenario(String key, int perMille) {
        this.key = key;
        this.perMille = perMille;
    }

    /**
     * Short name used in {@link SampleData#countsByKind()} (prefixed with {@code consent_mix.}).
     */
    String key() {
        return key;
    }

    /** Share of the synthetic subjects following this scenario, per mille (all add up to 1000). */
    int perMille() {
        return perMille;
    }
}
