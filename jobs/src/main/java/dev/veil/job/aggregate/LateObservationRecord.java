package dev.veil.job.aggregate;

import dev.veil.aggregate.Observation;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;

import org.apache.flink.api.common.functions.MapFunction;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * An observation that arrived after its window was released, as a record of the late topic: the
 * release and the window it missed. Neither the subject nor the category (a cell, a version) nor
 * the exact time is written: one late observation is one person's data, and this topic has none of
 * the releases' protections. It accounts for the loss (nothing is lost silently); the operational
 * metric is {@code veil.late_observations}.
 */
public final class LateObservationRecord implements MapFunction<Observation, OutRecord> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final long windowMillis;

    public LateObservationRecord(String topic, long windowMillis) {
        this.topic = topic;
        this.windowMillis = windowMillis;
    }

    @Override
    public OutRecord map(Observation o) throws Exception {
        ObjectNode n = Json.MAPPER.createObjectNode();
        long start = Math.floorDiv(o.eventTime, windowMillis) * windowMillis;
        n.put("release", o.release);
        n.put("window_start", Instant.ofEpochMilli(start).toString());
        n.put("reason", "after window end + allowed lateness");
        return new OutRecord(topic, null, Json.MAPPER.writeValueAsBytes(n));
    }
}
