package dev.veil.config;

import dev.veil.testing.VeilTestBase;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The shipped job configuration loads; mistakes are refused with file, line and key; key references
 * stay secret.
 */
class JobConfigTest extends VeilTestBase {
    private static final String FILE = "bad-veil.yaml";

    /**
     * A small valid job configuration; each error test changes one line. Line numbers refer to this
     * text.
     */
    private static final String BASE =
            String.join(
                    "\n",
                    "kafka:", //                                              1
                    "  bootstrap_servers: 127.0.0.1:9092", //                 2
                    "  group_id: veil-anonymisation", //                      3
                    "topics:", //                                             4
                    "  device: veil.raw.device", //                           5
                    "  location: veil.raw.location", //                       6
                    "  service: veil.raw.service", //                         7
                    "  consent: veil.raw.consent", //                         8
                    "  dead_letter: veil.dead-letter", //                     9
                    "time:", //                                               10
                    "  max_out_of_orderness: PT30S", //                       11
                    "  source_idleness: PT30S", //                            12
                    "consent:", //                                            13
                    "  max_pending_events_per_subject: 10000", //             14
                    "pseudonymisation_key:", //                               15
                    "  env: VEIL_PSEUDONYM_KEY", //                           16
                    "delivery:", //                                           17
                    "  guarantee: exactly_once", //                           18
                    "  transactional_id_prefix: veil-anonymisation", //       19
                    "  transaction_timeout: PT10M", //                        20
                    "");

    private static String edited(String from, String to) {
        assertThat(BASE).as("test text to replace").contains(from);
        return BASE.replace(from, to);
    }

    private static ConfigException loadError(String text) {
        ConfigException e =
                catchThrowableOfType(
                        ConfigException.class,
                        () -> JobConfig.load(YamlDocument.parse(FILE, text)));
        assertThat(e).as("a ConfigException for:%n%s", text).isNotNull();
        return e;
    }

    private static void assertLocated(
            ConfigException e, int line, int column, String path, String problem) {
        assertThat(e.file()).isEqualTo(FILE);
        assertThat(e.line()).as("line").isEqualTo(line);
        assertThat(e.column()).as("column").isEqualTo(column);
        assertThat(e.path()).as("path").isEqualTo(path);
        assertThat(e.getMessage())
                .startsWith(FILE + ":" + line + ":" + column + " (" + path + "): ")
                .contains(problem);
    }

    @Test
    void load_shippedConfig_hasTheDocumentedValues() {
        JobConfig c = JobConfig.load(JOB_CONFIG);

        assertThat(c.bootstrapServers).isEqualTo("127.0.0.1:9092");
        assertThat(c.groupId).isEqualTo("veil-anonymisation");
        assertThat(c.startingOffsets).isEqualTo(VeilOptions.StartingOffsets.COMMITTED);
        assertThat(c.kafkaProperties).isEmpty();
        assertThat(c.inputTopics)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "device",
                                "veil.raw.device",
                                "location",
                                "veil.raw.location",
                                "service",
                                "veil.raw.service"));
        assertThat(c.consentTopic).isEqualTo("veil.raw.consent");
        assertThat(c.deadLetterTopic).isEqualTo("veil.dead-letter");
        assertThat(c.maxOutOfOrderness).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.sourceIdleness).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.maxFutureSkew).isEqualTo(Duration.ofHours(1));
        assertThat(c.maxPendingEventsPerSubject).isEqualTo(10_000);
        assertThat(c.pseudonymisationKey).hasToString("env:VEIL_PSEUDONYM_KEY");
        assertThat(c.guarantee).isEqualTo(JobConfig.Guarantee.EXACTLY_ONCE);
        assertThat(c.transactionalIdPrefix).isEqualTo("veil-anonymisation");
        assertThat(c.transactionTimeout).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.flink)
                .as("the shipped file leaves Flink to the cluster and Veil's defaults")
                .isEmpty();
    }

    @Test
    void load_baseTextOfTheseTests_appliesDefaults() {
        JobConfig c = JobConfig.load(YamlDocument.parse(FILE, BASE));

        assertThat(c.startingOffsets).isEqualTo(VeilOptions.StartingOffsets.COMMITTED);
        assertThat(c.maxFutureSkew).isEqualTo(Duration.ofHours(1));
        assertThat(c.flink).isEmpty();
    }

    @Test
    void withBootstrapServers_override_changesOnlyTheServers() {
        JobConfig c = JobConfig.load(JOB_CONFIG).withBootstrapServers("kafka-1:9092,kafka-2:9092");

        assertThat(c.bootstrapServers).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(c.groupId).isEqualTo("veil-anonymisation");
        assertThat(c.pseudonymisationKey).hasToString("env:VEIL_PSEUDONYM_KEY");
    }

    @Test
    void load_bothEnvAndFileForKey_isRefused() {
        ConfigException e =
                loadError(
                        edited(
                                "  env: VEIL_PSEUDONYM_KEY",
                                "  env: VEIL_PSEUDONYM_KEY\n  file: /run/secrets/k"));

        assertLocated(e, 16, 3, "pseudonymisation_key", "give exactly one of 'env'");
    }

    @Test
    void load_literalKeyUnderAWrongKey_isRefusedWithoutQuotingTheKey() {
        ConfigException e =
                loadError(edited("  env: VEIL_PSEUDONYM_KEY", "  key: " + TEST_KEY_BASE64));

        assertLocated(
                e,
                16,
                8,
                "pseudonymisation_key.key",
                "unknown key 'key'; expected one of [env, file]");
        assertThat(e.getMessage()).doesNotContain(TEST_KEY_BASE64);
    }

    @Test
    void load_literalKeyUnderEnv_isRefusedWithoutQuotingTheKey() {
        ConfigException e =
                loadError(edited("  env: VEIL_PSEUDONYM_KEY", "  env: " + TEST_KEY_BASE64));

        assertThat(e.path()).isEqualTo("pseudonymisation_key.env");
        assertThat(e.getMessage()).doesNotContain(TEST_KEY_BASE64);
    }

    @Test
    void load_durationNotInIsoForm_isRefused() {
        ConfigException e =
                loadError(edited("max_out_of_orderness: PT30S", "max_out_of_orderness: 30s"));

        assertLocated(
                e,
                11,
                25,
                "time.max_out_of_orderness",
                "'30s' is not an ISO-8601 duration such as PT30S");
    }

    @Test
    void load_guaranteeTypo_listsTheAllowedValues() {
        ConfigException e = loadError(edited("guarantee: exactly_once", "guarantee: exactly-once"));

        assertLocated(
                e,
                18,
                14,
                "delivery.guarantee",
                "'exactly-once' is not one of [at_least_once, exactly_once]");
    }

    @Test
    void load_transactionTimeoutAboveBrokerDefaultLimit_isRefused() {
        ConfigException e =
                loadError(edited("transaction_timeout: PT10M", "transaction_timeout: PT20M"));

        assertLocated(
                e,
                20,
                24,
                "delivery.transaction_timeout",
                "must be between PT10S and PT15M, was PT20M");
    }

    @Test
    void load_unknownFlinkKey_isRefusedWithFileLineAndTheClosestKey() {
        ConfigException e = loadError(BASE + "flink:\n  execution.checkpointing.intervall: 10s\n");

        assertLocated(
                e,
                22,
                38,
                "flink.execution.checkpointing.intervall",
                "unknown Flink option 'execution.checkpointing.intervall'; did you mean 'execution.checkpointing.interval'?");
    }

    @Test
    void load_flinkValueOfTheWrongType_isRefusedWithFileAndLine() {
        ConfigException e = loadError(BASE + "flink:\n  pipeline.object-reuse: sometimes\n");

        assertLocated(
                e,
                22,
                26,
                "flink.pipeline.object-reuse",
                "'sometimes' is not a valid value for Flink option 'pipeline.object-reuse' (true or false)");
    }

    @Test
    void load_knownFlinkKeysIncludingRocksDbAndReporters_areAccepted() {
        JobConfig c =
                JobConfig.load(
                        YamlDocument.parse(
                                FILE,
                                BASE
                                        + "flink:\n"
                                        + "  state.backend.rocksdb.timer-service.factory: ROCKSDB\n"
                                        + "  execution.checkpointing.num-retained: 3\n"
                                        + "  metrics.reporter.prom.factory.class: org.example.PromFactory\n"
                                        + "  taskmanager.memory.managed.size: 512m\n"));

        assertThat(c.flink).hasSize(4).containsEntry("execution.checkpointing.num-retained", "3");
        assertThat(c.flinkLine).as("where the section's entries start").isEqualTo(22);
        assertThat(c.sourceFile).isEqualTo(FILE);
    }

    @Test
    void unknownVeilKey_listsTheKeysTheOptionsDeclare() {
        ConfigException e =
                loadError(
                        edited(
                                "  source_idleness: PT30S",
                                "  source_idleness: PT30S\n  max_future_skw: PT1H"));

        assertLocated(
                e,
                13,
                19,
                "time.max_future_skw",
                "unknown key 'max_future_skw'; expected one of [max_future_skew, max_out_of_orderness, rules_lead, source_idleness]");
    }

    @Test
    void describe_listsEveryOptionWithoutSecrets() {
        JobConfig c =
                JobConfig.load(
                        YamlDocument.parse(
                                FILE,
                                edited(
                                        "  group_id: veil-anonymisation",
                                        "  group_id: veil-anonymisation\n  properties:\n"
                                                + "    sasl.jaas.config: ${file:/run/secret-k:jaas}\n"
                                                + "    ssl.truststore.password: ${env:SECRET_PW}\n"
                                                + "    ssl.keystore.key: ${file:/run/secret-k:pem}\n"
                                                + "    security.protocol: SASL_SSL")));

        assertThat(c.describe())
                .contains(
                        "kafka.bootstrap_servers: 127.0.0.1:9092",
                        "consent.max_delivery_delay: PT30S",
                        "pseudonymisation_key: env:VEIL_PSEUDONYM_KEY",
                        "delivery.guarantee: exactly_once",
                        "kafka.properties.security.protocol: SASL_SSL",
                        "kafka.properties.ssl.keystore.key: ******",
                        "kafka.properties.sasl.jaas.config: ******")
                .noneMatch(line -> line.contains("secret"));
    }

    @Test
    void kafkaPasswordWrittenInline_isRefusedWithoutQuotingIt() {
        String jaas =
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"u\\\""
                        + " password=\\\"hunter2-inline\\\";";
        ConfigException e =
                loadError(
                        edited(
                                "  group_id: veil-anonymisation",
                                "  group_id: veil-anonymisation\n  properties:\n"
                                        + "    sasl.jaas.config: \""
                                        + jaas
                                        + "\""));

        assertThat(e.path()).isEqualTo("kafka.properties.sasl.jaas.config");
        assertThat(e.problem()).contains("holds a secret written into the file");
        assertThat(e.getMessage()).doesNotContain("hunter2");
    }

    @Test
    void kafkaPasswordByConfigProviderReference_isAccepted() {
        JobConfig c =
                JobConfig.load(
                        YamlDocument.parse(
                                FILE,
                                edited(
                                        "  group_id: veil-anonymisation",
                                        "  group_id: veil-anonymisation\n  properties:\n"
                                                + "    config.providers: file\n"
                                                + "    sasl.jaas.config:"
                                                + " \"${file:/run/secrets/kafka.properties:sasl.jaas.config}\"")));

        assertThat(c.kafkaProperties)
                .containsEntry(
                        "sasl.jaas.config",
                        "${file:/run/secrets/kafka.properties:sasl.jaas.config}");
    }

    @Test
    void resolve_variableMissing_namesTheVariableAndNoKeyMaterial() {
        KeyReference ref = KeyReference.environment(KEY_VARIABLE);
        Map<String, String> env = Map.of("VEIL_PSEUDONYM_KEY_OLD", TEST_KEY_BASE64);

        IllegalStateException e =
                catchThrowableOfType(IllegalStateException.class, () -> ref.resolve(env));

        assertThat(e).isNotNull();
        assertThat(e.getMessage())
                .contains(KEY_VARIABLE)
                .contains("not set")
                .doesNotContain(TEST_KEY_BASE64);
    }

    @Test
    void resolve_valueTooShort_namesTheVariableAndNotTheValue() {
        KeyReference ref = KeyReference.environment(KEY_VARIABLE);
        String shortKey = "c2hvcnQtc2VjcmV0";

        IllegalStateException e =
                catchThrowableOfType(
                        IllegalStateException.class,
                        () -> ref.resolve(Map.of(KEY_VARIABLE, shortKey)));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains(KEY_VARIABLE).doesNotContain(shortKey);
    }

    @Test
    void resolve_variableSet_returnsTheDecodedKeyAndToStringShowsOnlyTheName() {
        KeyReference ref = JobConfig.load(JOB_CONFIG).pseudonymisationKey;

        assertThat(ref.resolve(TEST_ENV)).isEqualTo(testKey());
        assertThat(ref).hasToString("env:" + KEY_VARIABLE);
        assertThat(ref.toString()).doesNotContain(TEST_KEY_BASE64);
    }

    @Test
    void keyEpochsAndRetention_defaultsAndOverrides() {
        JobConfig d = JobConfig.load(YamlDocument.parse(FILE, BASE));
        assertThat(d.keyEpochs.length()).isEqualTo(Duration.ofDays(30));
        assertThat(d.keyEpochs.start()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(d.erasureTopic).isEqualTo("veil.erasure");
        assertThat(d.idleSubject).isEqualTo(Duration.ofDays(90));

        JobConfig c =
                JobConfig.load(
                        YamlDocument.parse(
                                FILE,
                                BASE
                                        + "key_epochs:\n  length: P7D\n  start: 2026-11-28T12:00:00+01:00\n"));
        assertThat(c.keyEpochs.length()).isEqualTo(Duration.ofDays(7));
        assertThat(c.keyEpochs.start()).isEqualTo(Instant.parse("2026-11-28T11:00:00Z"));
    }

    @Test
    void keyEpochStartNotAnInstant_namesLineAndFormat() {
        ConfigException e = loadError(BASE + "key_epochs:\n  start: yesterday\n");
        assertThat(e.line()).isEqualTo(22);
        assertThat(e.getMessage()).contains("key_epochs.start").contains("RFC 3339");
    }

    @Test
    void noticeWindowOfTooManyEpochs_isRefused() {
        ConfigException e =
                loadError(
                        BASE
                                + "key_epochs:\n  length: PT1H\nretention:\n  erasure_notice_window: P365D\n");
        assertThat(e.line()).isEqualTo(24);
        assertThat(e.getMessage()).contains("8761 pseudonyms").contains("at most 1000");
    }
}
