package dev.veil.tools.local;

import dev.veil.testing.KafkaTestCluster;
import dev.veil.testing.LogCapture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tools' producer never reports a record as produced that the broker refused. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaIoTest {
    static KafkaTestCluster kafka;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaTestCluster.start();
        kafka.createTopics(1, List.of("io.accepted", "io.refused"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void acceptedRecords_areCountedWhenFlushed() {
        KafkaIo io = new KafkaIo(kafka.bootstrapServers());
        try (KafkaIo.Producer p = io.producer()) {
            for (int i = 0; i < 10; i++) {
                p.send("io.accepted", bytes("k"), bytes("v" + i), System.currentTimeMillis());
            }
            assertThat(p.flush()).isEqualTo(10);
        }
        assertThat(io.readCommitted("io.accepted", r -> {})).isEqualTo(10);
    }

    @Test
    void aTimestampTheBrokerRefuses_failsTheFlushNamingTheReason() {
        KafkaIo io = new KafkaIo(kafka.bootstrapServers());
        long twoDaysAhead = System.currentTimeMillis() + Duration.ofDays(2).toMillis();
        KafkaIo.Producer p = io.producer();
        try (LogCapture broker = LogCapture.of("kafka.server.ReplicaManager")) {
            p.send("io.refused", bytes("k"), bytes("from the future"), twoDaysAhead);

            assertThatThrownBy(p::flush)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("1 record(s) refused by the broker (0 acknowledged)")
                    .hasMessageContaining("timestamp");
            assertThat(broker.messages()).anyMatch(m -> m.startsWith("ERROR"));
        }
        assertThatThrownBy(p::close).isInstanceOf(IllegalStateException.class);
        assertThat(io.readCommitted("io.refused", r -> {})).isZero();
    }
}
