package dev.veil.job.serialisation;

import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.rules.RuleVersions;
import dev.veil.testing.VeilTestBase;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The source side's follower of the control topic, on a mock consumer. */
class RulesFollowerTest extends VeilTestBase {
    static final String TOPIC = "t.control.rules";
    static final TopicPartition P0 = new TopicPartition(TOPIC, 0);

    static RuleSet base() {
        return RuleSetLoader.load(RULES);
    }

    static MockConsumer<byte[], byte[]> consumer(int partitions) {
        MockConsumer<byte[], byte[]> c = new MockConsumer<>("earliest");
        List<PartitionInfo> infos = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            infos.add(new PartitionInfo(TOPIC, i, null, null, null));
        }
        c.updatePartitions(TOPIC, infos);
        c.updateBeginningOffsets(Map.of(P0, 0L));
        c.updateEndOffsets(Map.of(P0, 0L));
        return c;
    }

    static String renamed(String version) throws Exception {
        String v = base().version();
        return Files.readString(RULES)
                .replace("version: \"" + v + "\"", "version: \"" + version + "\"");
    }

    @Test
    void aThreadThatDied_failsTheNextCheck_namingTheTopic() throws Exception {
        MockConsumer<byte[], byte[]> c = consumer(1);
        RulesFollower f = new RulesFollower(base(), c, TOPIC, 0);
        try {
            f.check();
            c.setPollException(new KafkaException("broker gone"));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (true) {
                try {
                    f.check();
                } catch (IllegalStateException expected) {
                    assertThat(expected)
                            .hasMessageContaining("'" + TOPIC + "'")
                            .hasMessageContaining("stopped on an error")
                            .hasRootCauseMessage("broker gone");
                    break;
                }
                assertThat(System.nanoTime()).as("the follower stopped").isLessThan(deadline);
                Thread.sleep(20);
            }
            // every later use fails too: the task cannot go on with it
            assertThatThrownBy(f::check).isInstanceOf(IllegalStateException.class);
        } finally {
            f.close();
        }
    }

    @Test
    void aControlTopicOfTwoPartitions_isRefused() {
        MockConsumer<byte[], byte[]> c = consumer(2);
        assertThatThrownBy(() -> new RulesFollower(base(), c, TOPIC, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has 2 partitions")
                .hasMessageContaining("exactly one");
        assertThat(c.closed()).isTrue();
    }

    @Test
    void aSecondRecordOfAVersionNameWithOtherRules_leavesTheFirst() throws Exception {
        MockConsumer<byte[], byte[]> c = consumer(1);
        long now = System.currentTimeMillis();
        String first = renamed("v2");
        c.updateEndOffsets(Map.of(P0, 2L));
        c.schedulePollTask(
                () -> {
                    c.addRecord(record(0, "v2", now + 60_000, first, now));
                    c.addRecord(record(1, "v2", now + 120_000, first + "\n# other rules\n", now));
                });
        RulesFollower f = new RulesFollower(base(), c, TOPIC, 0);
        try {
            RuleVersions v = f.versions();
            assertThat(v.versions()).hasSize(1);
            assertThat(v.versions().get(0).rulesYaml()).isEqualTo(first);
            assertThat(v.versions().get(0).effectiveFrom()).isEqualTo(now + 60_000);
        } finally {
            f.close();
        }
    }

    private static ConsumerRecord<byte[], byte[]> record(
            long offset, String name, long effective, String yaml, long at) {
        return new ConsumerRecord<>(
                TOPIC,
                0,
                offset,
                at,
                TimestampType.LOG_APPEND_TIME,
                0,
                0,
                null,
                RuleVersions.toJson(name, effective, yaml, at),
                new RecordHeaders(),
                Optional.empty());
    }
}
