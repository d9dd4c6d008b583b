package dev.veil.job.risk;

import dev.veil.job.RulesText;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns each published record of an output with quasi-identifiers into a {@link RiskObservation}:
 * the output, the risk window of the event's own time (the record's timestamp, which the consent
 * gate sets, and which its forwarded watermark follows: a window is never closed before its records
 * came, whatever the outputs' time truncation) and a digest of its quasi-identifier values in the
 * order the rules list them (a missing field, such as one a minor's record drops, counts as its own
 * value). The values are what analysts receive, so the measurement reveals nothing beyond the
 * published data but how many records fall in each window. Records of other topics (dead letters,
 * erasure notices) and of outputs without quasi-identifiers pass by. Metric {@code
 * veil.risk_unmeasured}: published records without a timestamp (none from the gate).
 */
public class RiskObservations extends ProcessFunction<OutRecord, RiskObservation> {
    private static final long serialVersionUID = 1L;

    /**
     * The output field that tools outside the job (which see no timestamps) window a record by; the
     * job windows by the event's own time, which this field truncates.
     */
    public static final String TIME_FIELD = "event_time";

    private final RulesText rulesText;
    private final long windowMillis;

    private transient Map<String, OutputRules> byTopic;
    private transient Map<String, List<String>> quasiIdentifiersByTopic;
    private transient MessageDigest sha256;
    private transient Counter unmeasured;

    /**
     * @param rulesText the rules: outputs, their topics and quasi-identifiers
     * @param window the risk window
     */
    public RiskObservations(RulesText rulesText, Duration window) {
        this.rulesText = rulesText;
        this.windowMillis = window.toMillis();
    }

    @Override
    public void open(OpenContext openContext) throws NoSuchAlgorithmException {
        RuleSet rules = rulesText.parse();
        byTopic = new HashMap<>();
        quasiIdentifiersByTopic = new HashMap<>();
        for (OutputRules o : rules.outputs().values()) {
            if (!o.quasiIdentifiers().isEmpty() && !byTopic.containsKey(o.topic())) {
                byTopic.put(o.topic(), o);
                quasiIdentifiersByTopic.put(o.topic(), List.copyOf(o.quasiIdentifiers()));
            }
        }
        unmeasured =
                getRuntimeContext().getMetricGroup().addGroup("veil").counter("risk_unmeasured");
    }

    @Override
    public void processElement(OutRecord r, Context ctx, Collector<RiskObservation> out)
            throws Exception {
        OutputRules output = byTopic.get(r.topic);
        if (output == null) {
            return;
        }
        Long time = ctx.timestamp();
        if (time == null) {
            unmeasured.inc();
            return;
        }
        JsonNode record = Json.MAPPER.readTree(r.value);
        out.collect(
                new RiskObservation(
                        output.name(),
                        Math.floorDiv(time, windowMillis) * windowMillis,
                        group(record, quasiIdentifiersByTopic.get(r.topic)),
                        1));
    }

    /**
     * The digest of the quasi-identifier values: each value's JSON text (or nothing for a missing
     * field), each preceded by its length so that no two combinations share an encoding.
     */
    long group(JsonNode record, List<String> fields) throws NoSuchAlgorithmException {
        if (sha256 == null) {
            sha256 = MessageDigest.getInstance("SHA-256");
        }
        return group(sha256, record, fields);
    }

    /**
     * The digest of {@code record}'s values of {@code fields} as the job computes it, with a
     * SHA-256 {@code sha256} of the caller's (reset first): for a tool that measures risk as the
     * job would ({@code ./veil rules diff}).
     */
    public static long group(MessageDigest sha256, JsonNode record, List<String> fields) {
        sha256.reset();
        for (String f : fields) {
            JsonNode v = record.get(f);
            byte[] text = v == null ? new byte[0] : v.toString().getBytes(StandardCharsets.UTF_8);
            sha256.update((byte) (v == null ? 0 : 1));
            sha256.update(
                    new byte[] {
                        (byte) (text.length >>> 24),
                        (byte) (text.length >>> 16),
                        (byte) (text.length >>> 8),
                        (byte) text.length
                    });
            sha256.update(text);
        }
        byte[] d = sha256.digest();
        long g = 0;
        for (int i = 0; i < 8; i++) {
            g = (g << 8) | (d[i] & 0xff);
        }
        return g;
    }
}
