package dev.veil.job.aggregate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veil.aggregate.Observation;
import dev.veil.job.OutRecord;
import dev.veil.record.Json;
import java.time.Instant;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * An observation that arrived after its window was released, as a record of the late topic: release, category and
 * event time, without the subject pseudonym (not needed to account for the loss). Nothing is lost silently.
 */
public final class LateObservationRecord implements MapFunction<Observation, OutRecord> {
    private static final long serialVersionUID = 1L;

    private final String topic;

    public LateObservationRecord(String topic) {
        this.topic = topic;
    }

    @Override
    public OutRecord map(Observation o) throws Exception {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("release", o.release);
        n.put("category", o.category);
        n.put("event_time", Instant.ofEpochMilli(o.eventTime).toString());
        n.put("reason", "after window end + allowed lateness");
        return new OutRecord(topic, null, Json.MAPPER.writeValueAsBytes(n));
    }
}
