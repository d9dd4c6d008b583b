package dev.veil.tools.rules;

import dev.veil.aggregate.AggregatesConfig;
import dev.veil.aggregate.AggregatesOptions;
import dev.veil.config.ConfigException;
import dev.veil.config.ConfigNode;
import dev.veil.config.JobConfig;
import dev.veil.config.VeilOptions;
import dev.veil.config.YamlDocument;
import dev.veil.rules.RuleSetLoader;

import org.apache.flink.configuration.ConfigOption;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates a Veil configuration file as the job that reads it would at startup, without a key, a
 * broker or a job graph: the loaders run as they do in the jobs, and key references ({@code env:}
 * or {@code file:}) are checked only for their form. Which kind of file it is follows from its
 * top-level keys, or failing that from its name ({@link Kind#of}).
 */
public final class ConfigCheck {
    private ConfigCheck() {}

    /** The configuration files Veil has. */
    public enum Kind {
        /** Field rules ({@code config/rules.yaml}): top-level {@code outputs}. */
        RULES("rules", "outputs", "rules"),
        /**
         * The anonymisation job's file ({@code config/veil.yaml}): top-level {@code
         * pseudonymisation_key} or {@code topics}.
         */
        ANONYMISATION("anonymisation job configuration", "pseudonymisation_key", "veil"),
        /**
         * The heat map and usage jobs' file ({@code config/aggregates.yaml}): top-level {@code
         * anonymisation_config}.
         */
        AGGREGATES("aggregates configuration", "anonymisation_config", "aggregates"),
        /**
         * The privacy ledger ({@code config/privacy-ledger.yaml}): top-level {@code deployments}.
         * It is checked through the aggregate configurations it lists, as each of them loads it.
         */
        LEDGER("privacy ledger", "deployments", "privacy-ledger");

        private final String label;
        private final String topKey;
        private final String namePrefix;

        Kind(String label, String topKey, String namePrefix) {
            this.label = label;
            this.topKey = topKey;
            this.namePrefix = namePrefix;
        }

        /** In words, for messages. */
        public String label() {
            return label;
        }

        /**
         * The kind of {@code file}: by its top-level keys ({@code outputs}, {@code
         * pseudonymisation_key} or {@code topics}, {@code anonymisation_config}, {@code
         * deployments}) when {@code doc} is given, else by the start of its file name (rules*,
         * veil*, aggregates*, privacy-ledger*); null when neither tells.
         */
        public static Kind of(Path file, YamlDocument doc) {
            if (doc != null) {
                ConfigNode root = doc.root();
                for (Kind k : values()) {
                    if (root.has(k.topKey)) {
                        return k;
                    }
                }
                if (root.has("topics")) {
                    return ANONYMISATION;
                }
            }
            Path name = file.getFileName();
            String n = name == null ? "" : name.toString();
            for (Kind k : values()) {
                if (n.startsWith(k.namePrefix)) {
                    return k;
                }
            }
            return null;
        }
    }

    /**
     * What checking one file found.
     *
     * @param file the file as the user named it
     * @param kind what it was checked as; null when that could not be told
     * @param problems every problem found, in file order where the loader allows; empty when valid
     */
    public record Result(Path file, Kind kind, List<ConfigException> problems) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * Checks one file. Every unknown key of a {@code veil.yaml} or {@code aggregates.yaml} is
     * named, then the first other problem; in a rules file, every problem of every output and field
     * rule. A syntax error ends the check of that file.
     */
    public static Result check(Path file) {
        YamlDocument doc;
        try {
            doc = YamlDocument.read(file);
        } catch (ConfigException e) {
            return new Result(file, Kind.of(file, null), List.of(e));
        }
        Kind kind = Kind.of(file, doc);
        if (kind == null) {
            return new Result(
                    file,
                    null,
                    List.of(
                            new ConfigException(
                                    doc.fileName(),
                                    "",
                                    1,
                                    1,
                                    "cannot tell which Veil configuration this is: expected a"
                                            + " top-level 'outputs' (rules), 'pseudonymisation_key'"
                                            + " (veil.yaml), 'anonymisation_config'"
                                            + " (aggregates.yaml) or 'deployments' (privacy"
                                            + " ledger), or a file name starting with rules, veil,"
                                            + " aggregates or privacy-ledger")));
        }
        Set<String> messages = new LinkedHashSet<>();
        List<ConfigException> problems = new ArrayList<>();
        List<ConfigOption<?>> options =
                switch (kind) {
                    case ANONYMISATION -> VeilOptions.all();
                    case AGGREGATES -> AggregatesOptions.all();
                    case RULES, LEDGER -> List.of();
                };
        if (!options.isEmpty()) {
            for (ConfigException e : doc.root().unknownKeys(options)) {
                if (messages.add(e.getMessage())) {
                    problems.add(e);
                }
            }
        }
        try {
            switch (kind) {
                case RULES -> RuleSetLoader.load(doc);
                case ANONYMISATION -> JobConfig.load(doc);
                case AGGREGATES -> AggregatesConfig.load(doc);
                case LEDGER -> checkDeployments(file, doc);
            }
        } catch (ConfigException e) {
            for (ConfigException c : e.all()) {
                if (messages.add(c.getMessage())) {
                    problems.add(c);
                }
            }
        }
        return new Result(file, kind, List.copyOf(problems));
    }

    /**
     * A ledger is read by each aggregate configuration it lists, which adds its own releases: so
     * each listed configuration is loaded, ledger included. A problem of the ledger is then named
     * at the configuration's {@code privacy.ledger}, with the ledger's own location in its text.
     */
    private static void checkDeployments(Path file, YamlDocument doc) {
        ConfigNode deployments = doc.root().child("deployments");
        Path dir = file.toAbsolutePath().getParent();
        boolean any = false;
        for (ConfigNode d : deployments.items()) {
            if (d.has("config")) {
                any = true;
                AggregatesConfig.load(dir.resolve(d.child("config").asText()).normalize());
            }
        }
        if (!any) {
            throw deployments.error(
                    "lists no Veil aggregate configuration (- config: aggregates.yaml); a ledger is"
                            + " checked through the configurations it lists");
        }
    }
}
