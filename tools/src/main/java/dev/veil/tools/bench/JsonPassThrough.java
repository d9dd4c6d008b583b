package dev.veil.tools.bench;

import dev.veil.config.JobConfig;
import dev.veil.job.anonymisation.AnonymisationTopology;
import dev.veil.job.records.OutRecord;
import dev.veil.record.Json;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code json-passthrough} peer: the byte pass-through plus one JSON parse and one JSON write
 * per record, with the same Jackson configuration Veil reads records with ({@link Json#MAPPER}). It
 * is the floor of any job that looks inside a JSON record, so the gap between it and the
 * anonymisation job is what Veil's own work costs, and the gap between it and the byte pass-through
 * is what reading JSON at all costs.
 */
final class JsonPassThrough {
    /** Consumer group: offsets committed on checkpoints, read by the harness for progress. */
    static final String GROUP = "bench-jsonpass";

    /** Output topics are this prefix plus the raw topic. */
    static final String PREFIX = "jsonpass.";

    private JsonPassThrough() {}

    /**
     * Raw topics to "jsonpass.&lt;topic&gt;", parsed and written again; same source settings and
     * sink as the others.
     */
    static StreamExecutionEnvironment topology(JobConfig c, int parallelism, boolean bounded) {
        StreamExecutionEnvironment env =
                BenchJob.env(AnonymisationTopology.flinkConfiguration(c), parallelism);
        List<String> topics = new ArrayList<>(c.inputTopics.values());
        topics.add(c.consentTopic);
        var b =
                KafkaSource.<OutRecord>builder()
                        .setBootstrapServers(c.bootstrapServers)
                        .setGroupId(GROUP)
                        .setTopics(topics)
                        .setStartingOffsets(
                                bounded
                                        ? OffsetsInitializer.earliest()
                                        : OffsetsInitializer.latest())
                        .setProperty("isolation.level", "read_committed")
                        .setDeserializer(new Reserialiser());
        if (bounded) {
            b.setBounded(OffsetsInitializer.latest());
        }
        env.fromSource(b.build(), WatermarkStrategy.noWatermarks(), "raw")
                .uid("bench-jsonpass-source")
                .sinkTo(AnonymisationTopology.sink(c))
                .uid("bench-jsonpass-sink");
        return env;
    }

    /**
     * Parses at the source, as Veil's own deserialisers do, so that both pay for the parse in the
     * same place. A record that is not JSON is skipped: a floor has no dead-letter path.
     */
    static final class Reserialiser implements KafkaRecordDeserializationSchema<OutRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> r, Collector<OutRecord> out) {
            if (r.value() == null) {
                return;
            }
            JsonNode tree;
            try {
                tree = Json.MAPPER.readTree(r.value());
            } catch (IOException e) {
                return;
            }
            try {
                out.collect(
                        new OutRecord(
                                PREFIX + r.topic(), r.key(), Json.MAPPER.writeValueAsBytes(tree)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot write a parsed JSON tree", e);
            }
        }

        @Override
        public TypeInformation<OutRecord> getProducedType() {
            return TypeInformation.of(OutRecord.class);
        }
    }
}
