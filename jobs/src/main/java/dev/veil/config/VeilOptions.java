package dev.veil.config;

import dev.veil.config.JobConfig.Guarantee;

import org.apache.flink.configuration.ConfigOption;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.flink.configuration.ConfigOptions.key;

/**
 * Every option of {@code config/veil.yaml}, the anonymisation job's configuration, as a typed Flink
 * {@link ConfigOption} with its default and description (the shape of nexmark's {@code
 * FlinkNexmarkOptions}). The key is the option's dotted path in the YAML file; durations are
 * written there as ISO-8601 ({@code PT30S}). The {@code kafka.*} and {@code delivery.*} options are
 * shared with {@code config/aggregates.yaml}. {@link JobConfig} reads the file through these and
 * refuses any key that none of them names.
 */
public final class VeilOptions {
    private VeilOptions() {}

    // ---- kafka (shared)
    // ----------------------------------------------------------------------------------------------

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            key("kafka.bootstrap_servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka brokers, host:port[,host:port...]; --bootstrap-servers overrides it.");

    public static final ConfigOption<String> GROUP_ID =
            key("kafka.group_id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Consumer group of the job's sources; offsets are committed on checkpoints.");

    /** Where a source starts when the job starts without a checkpoint or savepoint. */
    public enum StartingOffsets {
        /** The group's committed offsets; the earliest where the group has none. */
        COMMITTED,
        EARLIEST,
        LATEST
    }

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            key("kafka.starting_offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.COMMITTED)
                    .withDescription(
                            "committed (earliest where the group has none), earliest or latest; used only when the job"
                                    + " starts without a checkpoint or savepoint.");

    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES =
            key("kafka.properties")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Extra Kafka client properties for sources and sinks, e.g. security.protocol. Values of"
                                    + " keys that look secret (password, jaas.config, ...) are never logged.");

    // ---- topics
    // ------------------------------------------------------------------------------------------------------

    public static final ConfigOption<String> DEVICE_TOPIC =
            key("topics.device")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Raw device log topic.");

    public static final ConfigOption<String> LOCATION_TOPIC =
            key("topics.location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Raw location log topic.");

    public static final ConfigOption<String> SERVICE_TOPIC =
            key("topics.service")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Raw service log topic.");

    public static final ConfigOption<String> CONSENT_TOPIC =
            key("topics.consent")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Consent changes topic.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            key("topics.dead_letter")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Dead-letter topic: reason and source topic/partition/offset of each bad record, never"
                                    + " its payload.");

    public static final ConfigOption<String> ERASURE_TOPIC =
            key("topics.erasure")
                    .stringType()
                    .defaultValue("veil.erasure")
                    .withDescription(
                            "Erasure notices: per erasure, its effective time and the pseudonyms the subject had in"
                                    + " the outputs, so that downstream stores can delete by pseudonym"
                                    + " (schemas/output/erasure.schema.json).");

    public static final ConfigOption<String> RISK_TOPIC =
            key("topics.risk")
                    .stringType()
                    .defaultValue("veil.risk")
                    .withDescription(
                            "Re-identification risk of each output per window: the share of records whose"
                                    + " quasi-identifiers are unique, and in groups smaller than risk.k"
                                    + " (schemas/output/risk.schema.json).");
    public static final ConfigOption<String> CONTROL_RULES_TOPIC =
            key("topics.control_rules")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Control topic of published rules versions (veil.control.rules; one record per version,"
                                    + " written by ./veil rules publish). Optional: without it the job keeps the rules"
                                    + " it was started with (docs/rules.md, Rolling out a rules change).");

    // ---- time
    // --------------------------------------------------------------------------------------------------------

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS =
            key("time.max_out_of_orderness")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "How far behind the newest record of its partition a log record may be and not be late"
                                    + " (0 to 24 h).");

    public static final ConfigOption<Duration> SOURCE_IDLENESS =
            key("time.source_idleness")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "A log partition read to its end and silent this long no longer holds the watermark back"
                                    + " (1 s to 24 h); one with unread records always does.");

    public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
            key("time.max_future_skew")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "Event times later than now plus this are invalid values (dead-lettered).");

    public static final ConfigOption<Duration> RULES_LEAD =
            key("time.rules_lead")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "A published rules version must take effect at least this long after it is"
                                    + " published (1 s to 7 days); an earlier one is refused with a dead letter."
                                    + " ./veil rules publish uses the same bound. Counted from the control"
                                    + " record's broker time (LogAppendTime): keep it above device clock skew"
                                    + " plus the control topic's delivery delay (docs/rules.md).");

    // ---- consent
    // -----------------------------------------------------------------------------------------------------

    public static final ConfigOption<Duration> MAX_DELIVERY_DELAY =
            key("consent.max_delivery_delay")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How late a consent change may arrive and still govern every event after it; an event is"
                                    + " published about this long after its time (0 to 7 days; docs/consent.md).");

    public static final ConfigOption<Integer> MAX_PENDING_EVENTS_PER_SUBJECT =
            key("consent.max_pending_events_per_subject")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Events of one data subject decided in one step; more are dead-lettered as"
                                    + " consent_buffer_full (1 to 10,000,000).");

    // ---- keys
    // --------------------------------------------------------------------------------------------------------

    public static final ConfigOption<Map<String, String>> PSEUDONYMISATION_KEY =
            key("pseudonymisation_key")
                    .mapType()
                    .noDefaultValue()
                    .withDescription(
                            "Where each task reads the HMAC key: a mapping with env: VARIABLE or file: /path holding"
                                    + " base64 of at least 32 random bytes. Never the key itself.");

    public static final ConfigOption<Duration> KEY_EPOCH_LENGTH =
            key("key_epochs.length")
                    .durationType()
                    .defaultValue(Duration.ofDays(30))
                    .withDescription(
                            "Pseudonym keys rotate every this long (1 s to 3,650 days): each key epoch's keys are"
                                    + " derived from the master key (HKDF), so no pseudonym links across epochs."
                                    + " Every record carries its key_epoch.");

    public static final ConfigOption<String> KEY_EPOCH_START =
            key("key_epochs.start")
                    .stringType()
                    .defaultValue("2026-01-01T00:00:00Z")
                    .withDescription(
                            "When key epoch 0 starts, an RFC 3339 instant; changing it renames every epoch (and"
                                    + " so every pseudonym).");

    // ---- retention
    // ---------------------------------------------------------------------------------------------------

    public static final ConfigOption<Duration> IDLE_SUBJECT =
            key("retention.idle_subject")
                    .durationType()
                    .defaultValue(Duration.ofDays(90))
                    .withDescription(
                            "A data subject with no consent (and no age status) whose consent last changed longer"
                                    + " ago than this, in event time, is removed from state, secret included (1 h to"
                                    + " 3,650 days).");

    public static final ConfigOption<Duration> ERASURE_NOTICE_WINDOW =
            key("retention.erasure_notice_window")
                    .durationType()
                    .defaultValue(Duration.ofDays(365))
                    .withDescription(
                            "How far back from an erasure its notice lists the subject's pseudonyms: as long as"
                                    + " the longest retention of anonymised records downstream (1 day to 3,650"
                                    + " days).");

    // ---- re-identification risk
    // -------------------------------------------------------------------------------------------

    public static final ConfigOption<Duration> RISK_WINDOW =
            key("risk.window")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "Tumbling window, by the published records' event_time, over which each output's"
                                    + " re-identification risk is measured (1 min to 1 day, dividing a day).");

    public static final ConfigOption<Long> RISK_K =
            key("risk.k")
                    .longType()
                    .defaultValue(10L)
                    .withDescription(
                            "Group size below which records count as at risk: the share of records whose"
                                    + " quasi-identifier combination is shared by fewer than k records (2 to 1,000).");

    public static final ConfigOption<Double> RISK_MAX_UNIQUE_SHARE =
            key("risk.max_unique_share")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "Warning threshold: a window in which a larger share of an output's records is unique"
                                    + " on its quasi-identifiers raises the metric risk_over_threshold (0 to 1).");

    // ---- delivery (shared)
    // -------------------------------------------------------------------------------------------

    public static final ConfigOption<Guarantee> GUARANTEE =
            key("delivery.guarantee")
                    .enumType(Guarantee.class)
                    .noDefaultValue()
                    .withDescription(
                            "exactly_once (Kafka transactions committed on checkpoints) or at_least_once.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key("delivery.transactional_id_prefix")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Prefix of the sink's Kafka transactional ids; unique per job on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            key("delivery.transaction_timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Kafka transaction timeout (10 s to 15 min): below the broker's"
                                    + " transaction.max.timeout.ms, above the checkpoint interval plus restart time.");

    // ---- flink
    // -------------------------------------------------------------------------------------------------------

    public static final ConfigOption<Map<String, String>> FLINK =
            key("flink")
                    .mapType()
                    .defaultValue(Map.of())
                    .withDescription(
                            "Flink options for this job, keys as in Flink's config.yaml; an unknown key is refused."
                                    + " They override the cluster's config.yaml, which overrides Veil's defaults.");

    /** Every option of this class, in declaration order. */
    public static List<ConfigOption<?>> all() {
        return optionsOf(VeilOptions.class);
    }

    /** The public static {@link ConfigOption} fields of {@code holder}, in declaration order. */
    static List<ConfigOption<?>> optionsOf(Class<?> holder) {
        List<ConfigOption<?>> out = new ArrayList<>();
        for (Field f : holder.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && Modifier.isPublic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    out.add((ConfigOption<?>) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }
}
