package dev.veil.tools.bench;

import dev.veil.config.JobConfig;
import dev.veil.config.KeyReference;
import dev.veil.consent.ConsentChange;
import dev.veil.consent.ConsentRules;
import dev.veil.consent.ConsentState;
import dev.veil.consent.Purpose;
import dev.veil.job.RulesText;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.annotation.DataTypeHint;
import org.apache.flink.table.annotation.FunctionHint;
import org.apache.flink.table.api.TableDescriptor;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.functions.AggregateFunction;
import org.apache.flink.table.functions.FunctionContext;
import org.apache.flink.table.functions.ScalarFunction;
import org.apache.flink.types.Row;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code sql-temporal-join} peer: what a Flink user would write instead of Veil, in Flink SQL
 * over the same raw topics (Kafka SQL connector, json format, the same exactly-once delivery).
 *
 * <ul>
 *   <li>One table per raw log topic, with its {@code event_time} as the event-time attribute and a
 *       watermark {@code time.max_out_of_orderness} behind it (config/veil.yaml), and the consent
 *       topic likewise on {@code effective_time}, {@code consent.max_delivery_delay} behind: the
 *       bound Veil gives consent changes.
 *   <li>Consent as a versioned table keyed by subject: an OVER aggregation folds each subject's
 *       changes in event-time order with {@link ConsentFold} (the same {@link ConsentRules} as
 *       Veil: grants add purposes, revocations remove them, erasure clears, minors count only
 *       guardian-backed grants), and a deduplicating view (latest row per subject by {@code
 *       effective_time}) turns that append-only stream into a versioned table: primary key subject,
 *       version time {@code effective_time}. This is the documented way to get a versioned table
 *       from an append-only source.
 *   <li>Per output of config/rules.yaml, an event-time temporal join {@code FOR SYSTEM_TIME AS OF
 *       l.event_time} of the log table against that versioned table; the output's required purposes
 *       and minors policy become the join's filter; a few columns are pseudonymised with a keyed
 *       HMAC-SHA256 UDF ({@link Pseudonym}, the same key and identifier normalisation as Veil, so
 *       pseudonyms match) or generalised with built-in functions.
 *   <li>Written to "sql.&lt;output topic&gt;" with the Kafka SQL sink, exactly-once.
 * </ul>
 *
 * <p>What it approximates: no JSON Schema validation and no dead letters (unparseable fields become
 * NULL and rows without a subject or time are filtered out); a subset of each output's columns (no
 * IP prefix, user agent or H3 cell; rounded coordinates instead); same-millisecond consent changes
 * fold in arrival order, not Veil's fixed order. Late rows are not reported: the OVER aggregation
 * drops consent changes behind the watermark, and the temporal join matches a late log row against
 * the versions it still holds (or drops it), both silently.
 *
 * <p>Public, as are its functions: the planner's generated code refers to the function classes by
 * name.
 */
public final class SqlTemporalJoin {
    /**
     * Consumer group of every source table: offsets committed on checkpoints, read by the harness
     * for progress.
     */
    static final String GROUP = "bench-sql";

    /** Output topics are this prefix plus the anonymisation job's output topic. */
    static final String PREFIX = "sql.";

    private SqlTemporalJoin() {}

    /**
     * Output columns per stream: name to SQL expression over the log row {@code l} and consent
     * version {@code c}.
     */
    private static Map<String, String> columns(String stream, String rulesVersion) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("subject", "l.subject");
        m.put("event_id", "veil_pseudonym(l.event_id, 'CASE_SENSITIVE')");
        switch (stream) {
            case "device" -> {
                m.put("device", "veil_pseudonym(l.device_id, 'CASE_INSENSITIVE')");
                m.put("event_time", "FLOOR(l.event_time TO HOUR)");
                m.put("device_model", "l.device_model");
                m.put("os_name", "l.os_name");
                m.put("os_version", "l.os_version");
                m.put("app_version", "l.app_version");
                m.put("battery_pct", "FLOOR(l.battery_pct / 10) * 10");
                m.put("signal_dbm", "FLOOR(l.signal_dbm / 10) * 10");
                m.put("network_type", "l.network_type");
            }
            case "location" -> {
                m.put(
                        "event_time",
                        "TIMESTAMPADD(MINUTE, -MOD(EXTRACT(MINUTE FROM l.event_time), 5), "
                                + "FLOOR(l.event_time TO MINUTE))");
                // About 100 m of latitude: a stand-in for Veil's H3 resolution 9 cell.
                m.put("lat", "ROUND(l.lat, 3)");
                m.put("lon", "ROUND(l.lon, 3)");
                m.put("accuracy_m", "FLOOR(l.accuracy_m / 50) * 50");
                m.put("source", "l.source");
                m.put("cell_mcc", "l.cell_mcc");
                m.put("cell_mnc", "l.cell_mnc");
            }
            case "service" -> {
                m.put("session", "veil_pseudonym(l.session_id, 'CASE_SENSITIVE')");
                m.put("event_time", "FLOOR(l.event_time TO MINUTE)");
                m.put("action", "l.action");
                m.put("url_host", "PARSE_URL(l.url, 'HOST')");
                m.put("referrer_host", "PARSE_URL(l.referrer_url, 'HOST')");
                m.put("error_code", "l.error_code");
                m.put("duration_ms", "l.duration_ms - MOD(l.duration_ms, 1000)");
                m.put("peer", "veil_pseudonym(l.peer_account_id, 'CASE_INSENSITIVE')");
                m.put("peer_phone", "veil_pseudonym(l.peer_phone, 'PHONE')");
            }
            default ->
                    throw new IllegalArgumentException(
                            "the SQL peer knows no stream '" + stream + "'");
        }
        m.put("rules_version", "'" + rulesVersion + "'");
        return m;
    }

    /**
     * Raw columns per stream, as in schemas/input (fields the outputs do not read are left out).
     */
    private static String rawColumns(String stream) {
        return switch (stream) {
            case "device" ->
                    "event_id STRING, user_id STRING, device_id STRING, event_time TIMESTAMP_LTZ(3), "
                            + "device_model STRING, os_name STRING, os_version STRING, app_version STRING, battery_pct DOUBLE, "
                            + "signal_dbm DOUBLE, network_type STRING";
            case "location" ->
                    "event_id STRING, user_id STRING, event_time TIMESTAMP_LTZ(3), lat DOUBLE, lon DOUBLE, "
                            + "accuracy_m DOUBLE, source STRING, cell_mcc INT, cell_mnc INT";
            case "service" ->
                    "event_id STRING, user_id STRING, session_id STRING, event_time TIMESTAMP_LTZ(3), "
                            + "action STRING, url STRING, referrer_url STRING, error_code STRING, duration_ms BIGINT, "
                            + "peer_account_id STRING, peer_phone STRING";
            default ->
                    throw new IllegalArgumentException(
                            "the SQL peer knows no stream '" + stream + "'");
        };
    }

    /** Adds the peer's pipeline (every output of the rules) to a new environment. */
    static StreamExecutionEnvironment topology(
            JobConfig c, RulesText rulesText, int parallelism, boolean bounded) {
        RuleSet rules = rulesText.parse();
        StreamExecutionEnvironment env =
                BenchJob.env(AnonymisationTopology.flinkConfiguration(c), parallelism);
        StreamTableEnvironment t = StreamTableEnvironment.create(env);
        // pipeline.auto-generate-uids is false, as for every Veil job: the planner must name its
        // operators' uids.
        t.getConfig().set("table.exec.uid.generation", "ALWAYS");
        t.getConfig().set("table.exec.source.idle-timeout", c.sourceIdleness.toMillis() + " ms");
        t.getConfig().set("table.local-time-zone", "UTC");
        t.createTemporarySystemFunction(
                "veil_pseudonym", new Pseudonym(c.pseudonymisationKey, rules.phoneRegion()));
        t.createTemporarySystemFunction("consent_fold", ConsentFold.class);

        for (String stream : c.inputTopics.keySet()) {
            t.executeSql(
                    String.format(
                            Locale.ROOT,
                            "CREATE TEMPORARY TABLE raw_%s (%s, WATERMARK FOR event_time AS event_time - %s) WITH (%s)",
                            stream,
                            rawColumns(stream),
                            interval(c.maxOutOfOrderness),
                            with(sourceOptions(c, c.inputTopics.get(stream), bounded))));
            t.executeSql(
                    String.format(
                            Locale.ROOT,
                            "CREATE TEMPORARY VIEW %1$s_events AS SELECT *, veil_pseudonym(user_id, '%2$s') AS subject "
                                    + "FROM raw_%1$s WHERE user_id IS NOT NULL AND event_id IS NOT NULL AND event_time IS NOT NULL",
                            stream,
                            rules.subjectIdKind().name()));
        }
        t.executeSql(
                String.format(
                        Locale.ROOT,
                        "CREATE TEMPORARY TABLE raw_consent (user_id STRING, effective_time TIMESTAMP_LTZ(3), action STRING, "
                                + "purposes ARRAY<STRING>, guardian_consent BOOLEAN, minor BOOLEAN, "
                                + "WATERMARK FOR effective_time AS effective_time - %s) WITH (%s)",
                        interval(c.maxDeliveryDelay),
                        with(sourceOptions(c, c.consentTopic, bounded))));
        t.executeSql(
                String.format(
                        Locale.ROOT,
                        "CREATE TEMPORARY VIEW consent_folded AS "
                                + "SELECT subject, effective_time, s.purposes AS purposes, s.minor AS minor FROM ("
                                + "  SELECT subject, effective_time, consent_fold(action, purposes, guardian_consent, minor) OVER ("
                                + "    PARTITION BY subject ORDER BY effective_time ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS s"
                                + "  FROM (SELECT veil_pseudonym(user_id, '%s') AS subject, effective_time, action, purposes, "
                                + "    guardian_consent, minor FROM raw_consent WHERE user_id IS NOT NULL AND effective_time IS NOT NULL))",
                        rules.subjectIdKind().name()));
        t.executeSql(
                "CREATE TEMPORARY VIEW consent_versions AS "
                        + "SELECT subject, effective_time, purposes, minor FROM ("
                        + "  SELECT *, ROW_NUMBER() OVER (PARTITION BY subject ORDER BY effective_time DESC) AS version "
                        + "  FROM consent_folded) WHERE version = 1");

        StreamStatementSet set = t.createStatementSet();
        for (OutputRules o : rules.outputs().values()) {
            set.add(t.sqlQuery(query(o, rules.version())).insertInto(sink(c, o)));
        }
        set.attachAsDataStream();
        return env;
    }

    /**
     * The temporal join of one output: its columns, its required purposes and minors policy as the
     * filter.
     */
    static String query(OutputRules o, String rulesVersion) {
        StringJoiner select = new StringJoiner(", ");
        columns(o.stream(), rulesVersion)
                .forEach(
                        (name, expr) ->
                                select.add(
                                        (o.minorDropFields().contains(name)
                                                        ? "CASE WHEN c.minor THEN NULL ELSE "
                                                                + expr
                                                                + " END"
                                                        : expr)
                                                + " AS "
                                                + name));
        List<String> where = new ArrayList<>();
        for (Purpose p : Purpose.fromMask(o.requiredPurposes())) {
            where.add("ARRAY_CONTAINS(c.purposes, '" + p.wireName() + "')");
        }
        if (!o.publishMinors()) {
            where.add("NOT c.minor");
        }
        return "SELECT "
                + select
                + " FROM "
                + o.stream()
                + "_events AS l "
                + "JOIN consent_versions FOR SYSTEM_TIME AS OF l.event_time AS c ON l.subject = c.subject "
                + "WHERE "
                + String.join(" AND ", where);
    }

    private static Map<String, String> sourceOptions(JobConfig c, String topic, boolean bounded) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("connector", "kafka");
        m.put("topic", topic);
        m.put("properties.bootstrap.servers", c.bootstrapServers);
        m.put("properties.group.id", GROUP);
        m.put("properties.isolation.level", "read_committed");
        c.kafkaProperties.forEach((k, v) -> m.put("properties." + k, v));
        m.put("scan.startup.mode", bounded ? "earliest-offset" : "latest-offset");
        if (bounded) {
            m.put("scan.bounded.mode", "latest-offset");
        }
        m.put("format", "json");
        // Veil dead-letters a broken record; here a broken field becomes NULL and the views filter
        // what cannot join.
        m.put("json.ignore-parse-errors", "true");
        m.put("json.timestamp-format.standard", "ISO-8601");
        return m;
    }

    /**
     * The Kafka SQL sink of one output: key = subject, as Veil's key_field; the same producer
     * settings as Veil's sink.
     */
    private static TableDescriptor sink(JobConfig c, OutputRules o) {
        TableDescriptor.Builder b =
                TableDescriptor.forConnector("kafka")
                        .option("topic", PREFIX + o.topic())
                        .option("properties.bootstrap.servers", c.bootstrapServers)
                        .option("key.format", "raw")
                        .option("key.fields", "subject")
                        .option("value.format", "json")
                        .option("value.json.timestamp-format.standard", "ISO-8601")
                        // Veil leaves out a field it has no value for; so does this.
                        .option("value.json.encode.ignore-null-fields", "true")
                        .option("value.fields-include", "ALL")
                        .option("sink.delivery-guarantee", "exactly-once")
                        // One prefix per sink: two transactional sinks sharing one would fence each
                        // other's producers.
                        .option("sink.transactional-id-prefix", GROUP + "-" + o.name())
                        .option(
                                "properties.transaction.timeout.ms",
                                Long.toString(c.transactionTimeout.toMillis()))
                        .option("properties.compression.type", "lz4")
                        .option("properties.linger.ms", "20");
        c.kafkaProperties.forEach((k, v) -> b.option("properties." + k, v));
        return b.build();
    }

    private static String with(Map<String, String> options) {
        StringJoiner j = new StringJoiner(", ");
        options.forEach((k, v) -> j.add("'" + k + "' = '" + v.replace("'", "''") + "'"));
        return j.toString();
    }

    /** A SQL interval literal of a duration, millisecond precision. */
    static String interval(Duration d) {
        return String.format(
                Locale.ROOT, "INTERVAL '%d.%03d' SECOND", d.toSeconds(), d.toMillisPart());
    }

    /**
     * {@code veil_pseudonym(id, kind)}: Veil's pseudonym of an identifier (normalised as {@link
     * IdKind} {@code kind} says, then HMAC-SHA256, hex), or NULL when the identifier is NULL or not
     * valid. Holds only a reference to the key; the key is read in {@link #open}, so that it never
     * travels in the job graph.
     */
    public static final class Pseudonym extends ScalarFunction {
        private static final long serialVersionUID = 1L;

        private final KeyReference key;
        private final String phoneRegion;
        private transient Pseudonymiser pseudonymiser;

        public Pseudonym(KeyReference key, String phoneRegion) {
            this.key = key;
            this.phoneRegion = phoneRegion;
        }

        @Override
        public void open(FunctionContext context) {
            pseudonymiser = new Pseudonymiser(key.resolve());
        }

        public String eval(String id, String kind) {
            if (id == null) {
                return null;
            }
            try {
                return pseudonymiser.pseudonymise(
                        IdNormaliser.normalise(id, IdKind.valueOf(kind), phoneRegion));
            } catch (InvalidValueException e) {
                return null;
            }
        }
    }

    /**
     * {@code consent_fold(action, purposes, guardian_consent, minor)}: a subject's consent after
     * the changes so far, applied with {@link ConsentRules#apply}, as {@code ROW<purposes, minor>}
     * where purposes are the ones that count (for a minor, only those granted with guardian
     * consent). So {@code ARRAY_CONTAINS} over the required purposes plus the minors policy is
     * exactly {@link ConsentRules#decide}. A change Veil would reject (unknown action or purpose,
     * grant or revoke without purposes) is skipped.
     */
    @FunctionHint(output = @DataTypeHint("ROW<purposes ARRAY<STRING>, minor BOOLEAN>"))
    public static final class ConsentFold extends AggregateFunction<Row, ConsentFold.Acc> {
        private static final long serialVersionUID = 1L;

        /**
         * The fold's state: a {@link ConsentState}, or none ({@code present} false: never granted,
         * or erased).
         */
        public static final class Acc {
            public boolean present;
            public int granted;
            public int guardianGranted;
            public boolean minor;
        }

        @Override
        public Acc createAccumulator() {
            return new Acc();
        }

        public void accumulate(
                Acc acc, String action, String[] purposes, Boolean guardianConsent, Boolean minor) {
            ConsentChange change = change(action, purposes, guardianConsent, minor);
            if (change == null) {
                return;
            }
            ConsentState s =
                    ConsentRules.apply(
                            acc.present
                                    ? new ConsentState(acc.granted, acc.guardianGranted, acc.minor)
                                    : null,
                            change);
            acc.present = s != null;
            acc.granted = s == null ? 0 : s.granted;
            acc.guardianGranted = s == null ? 0 : s.guardianGranted;
            acc.minor = s != null && s.minor;
        }

        @Override
        public Row getValue(Acc acc) {
            int counting = acc.minor ? acc.guardianGranted : acc.granted;
            List<String> names = new ArrayList<>();
            for (Purpose p : Purpose.fromMask(acc.present ? counting : 0)) {
                names.add(p.wireName());
            }
            return Row.of(names.toArray(new String[0]), acc.minor);
        }

        /** The change a consent record states; its time is the row's, so none is needed here. */
        private static ConsentChange change(
                String action, String[] purposes, Boolean guardianConsent, Boolean minor) {
            if (action == null) {
                return null;
            }
            switch (action) {
                case "erase":
                    return ConsentChange.erase(0);
                case "age_status":
                    return minor == null ? null : ConsentChange.ageStatus(0, minor);
                case "grant":
                case "revoke":
                    if (purposes == null || purposes.length == 0) {
                        return null;
                    }
                    int mask = 0;
                    for (String p : purposes) {
                        try {
                            mask |= Purpose.fromWireName(p).mask();
                        } catch (IllegalArgumentException e) {
                            return null;
                        }
                    }
                    return action.equals("grant")
                            ? ConsentChange.grant(0, mask, Boolean.TRUE.equals(guardianConsent))
                            : ConsentChange.revoke(0, mask);
                default:
                    return null;
            }
        }
    }
}
