package dev.veil.job;

import dev.veil.config.YamlDocument;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * The rules file as validated by the client at submission, shipped in the job graph so that every
 * task applies the same rules whatever files the TaskManagers see. Holds no secret.
 */
public final class RulesText implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String fileName;
    private final String text;

    public RulesText(String fileName, String text) {
        this.fileName = fileName;
        this.text = text;
    }

    /**
     * Reads and validates a file. @throws dev.veil.config.ConfigException if the rules are wrong
     */
    public static RulesText read(Path file) {
        YamlDocument doc = YamlDocument.read(file);
        RuleSetLoader.load(doc);
        return new RulesText(doc.fileName(), doc.text());
    }

    /** Parses the rules (validated before; cheap enough for open()). */
    public RuleSet parse() {
        return RuleSetLoader.load(YamlDocument.parse(fileName, text));
    }
}
