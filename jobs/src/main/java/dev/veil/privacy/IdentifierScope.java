package dev.veil.privacy;

/**
 * What a pseudonymised identifier may be joined with (docs/rules.md, "Identifier scopes"). Every
 * scope uses the key of the event's {@link KeyEpochs key epoch}, so no pseudonym links across
 * epochs.
 */
public enum IdentifierScope {
    /**
     * Derived from the key and the data subject's own secret: joinable within the subject's records
     * of one epoch, and shredded with the subject. After an erasure (or idle-subject removal), no
     * one, not even with the master key, can recompute or link it, and the subject's later records
     * get new, unrelated pseudonyms. The default.
     */
    SUBJECT("subject"),

    /**
     * The same for every record that carries the same identifier, whoever the subject, within an
     * epoch: for ids that must match across subjects (a peer account seen in many records). Not
     * shredded by the subject's erasure (the identifier may be someone else's), and never equal to
     * the subject-scoped pseudonym of the same identifier.
     */
    GLOBAL("global"),

    /**
     * A fresh token on each record: links nothing, not even two records of the same subject.
     * Derived from the subject's secret and the record's source position, so a replay after a
     * failure writes the same token and an erasure shreds it.
     */
    RECORD("record");

    private final String label;

    IdentifierScope(String label) {
        this.label = label;
    }

    /** As written in config/rules.yaml. */
    public String label() {
        return label;
    }
}
