package dev.veil.tools.rules;

import dev.veil.testing.KafkaTestCluster;
import dev.veil.tools.cli.Cli;
import dev.veil.tools.topics.VeilTopics;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./veil rules publish}: the refusals, most of which come before any broker is contacted
 * (the bootstrap address here is never reached), and on a real broker the control topic's checks
 * and the record's time. What a job does with the record is covered by the job's
 * RulesHotReloadITCase.
 */
class RulesPublishTest {
    private static final String NOWHERE = "127.0.0.1:1";

    private record Run(int exit, String out, String err) {}

    private static Run publish(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "publish";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = Cli.execute(new RulesMain(), new PrintWriter(out), new PrintWriter(err), all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void publish_effectiveSoonerThanTheLead_isRefusedWithExit2() {
        Run r = publish("../config/rules.yaml", "--in", "PT1M", "--bootstrap-servers", NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.err()).contains("not published").contains("PT5M").contains("--lead");
    }

    @Test
    void publish_effectiveFromInThePast_isRefusedWithExit2() {
        Run r =
                publish(
                        "../config/rules.yaml",
                        "--effective-from",
                        Instant.now().minusSeconds(60).toString(),
                        "--lead",
                        "PT1S",
                        "--bootstrap-servers",
                        NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.err()).contains("not published");
    }

    @Test
    void publish_invalidFile_namesTheLineAndExits2(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("rules.yaml");
        Files.writeString(
                bad,
                Files.readString(Path.of("../config/rules.yaml"))
                        .replace("ipv4_prefix: 24", "ipv4_prefix: 32"));
        Run r = publish(bad.toString(), "--in", "PT1H", "--bootstrap-servers", NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
        assertThat(r.out()).contains(bad + ":").contains("ipv4_prefix");
        assertThat(r.err()).contains("not published");
    }

    @Test
    void publish_withoutAnEffectiveTime_isAUsageError() {
        Run r = publish("../config/rules.yaml", "--bootstrap-servers", NOWHERE);
        assertThat(r.exit()).isEqualTo(Cli.USER_ERROR);
    }

    @Test
    void publish_refusesAControlTopicOfTwoPartitions_andLeavesTheTimeToTheBroker()
            throws Exception {
        try (KafkaTestCluster kafka = KafkaTestCluster.start()) {
            kafka.createTopics(2, List.of("pub.two"));
            kafka.createTopics(1, List.of("pub.one"), VeilTopics.CONTROL_RULES);
            String servers = kafka.bootstrapServers();

            Run two =
                    publish(
                            "../config/rules.yaml",
                            "--in",
                            "PT1H",
                            "--topic",
                            "pub.two",
                            "--bootstrap-servers",
                            servers);
            assertThat(two.exit()).as(two.err()).isEqualTo(Cli.USER_ERROR);
            assertThat(two.err()).contains("not published").contains("2 partitions");
            assertThat(kafka.readCommitted("pub.two")).isEmpty();

            Run one =
                    publish(
                            "../config/rules.yaml",
                            "--in",
                            "PT1H",
                            "--topic",
                            "pub.one",
                            "--bootstrap-servers",
                            servers);
            assertThat(one.exit()).as(one.err()).isEqualTo(0);
            List<ConsumerRecord<byte[], byte[]>> records = kafka.readCommitted("pub.one");
            assertThat(records).hasSize(1);
            assertThat(records.get(0).timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        }
    }
}
