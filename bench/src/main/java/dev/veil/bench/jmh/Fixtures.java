package dev.veil.bench.jmh;

import dev.veil.config.YamlDocument;
import dev.veil.privacy.KeyEpochs;
import dev.veil.privacy.PseudonymKeys;
import dev.veil.privacy.Pseudonymiser;
import dev.veil.record.DeadLetterReason;
import dev.veil.record.LogRecordProcessor;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixed, realistic inputs shared by the benchmarks: raw records of the three log streams (valid
 * against {@code schemas/input/}, so every benchmark measures the normal path, not the dead-letter
 * path), the fixed pseudonymisation key and the shipped field rules.
 */
final class Fixtures {

    /**
     * System property naming the rules file; default {@value #DEFAULT_RULES} relative to the
     * working directory.
     */
    static final String RULES_PROPERTY = "veil.rules";

    static final String DEFAULT_RULES = "config/rules.yaml";

    /**
     * Copy of config/rules.yaml packaged into the jar at build time; used when no file is found.
     */
    private static final String RULES_RESOURCE = "/veil-bench/rules.yaml";

    /**
     * Fixed 32-byte HMAC key (the tests' key), so pseudonyms are reproducible. Never a production
     * key.
     */
    static final byte[] KEY =
            "veil-test-key-0123456789abcdef!!".getBytes(StandardCharsets.US_ASCII);

    static final String[] DEVICE = {
        "{\"event_id\":\"3f1c2a9e-7b4d-4e21-9a0f-5c6d7e8f9a01\","
                + "\"user_id\":\"  Alice-Secret@Example.COM \","
                + "\"device_id\":\"IMEI-356938035643809\","
                + "\"event_time\":\"2026-11-28T10:17:42.123Z\","
                + "\"device_model\":\"Pixel 7\",\"os_name\":\"Android\",\"os_version\":\"14\",\"app_version\":\"5.2.0\","
                + "\"user_agent\":\"Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/120.0.6099.144 Mobile Safari/537.36\","
                + "\"ip\":\"203.0.113.77\",\"battery_pct\":57.5,\"signal_dbm\":-87,\"network_type\":\"4g\"}",
        "{\"event_id\":\"9b8e6f1d-2c3a-4b5c-8d7e-0f1a2b3c4d5e\","
                + "\"user_id\":\"bob.murphy@example.ie\","
                + "\"device_id\":\"AAID-38400000-8cf0-11bd-b23e-10b96e40000d\","
                + "\"event_time\":\"2026-11-28T10:18:03.456Z\","
                + "\"device_model\":\"iPhone15,2\",\"os_name\":\"iOS\",\"os_version\":\"17.1.2\",\"app_version\":\"5.1.9\","
                + "\"user_agent\":\"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 "
                + "(KHTML, like Gecko) Mobile/15E148\","
                + "\"ip\":\"[2001:db8:85a3:8d3:1319:8a2e:370:7348]:51234\",\"battery_pct\":91,\"signal_dbm\":-63,"
                + "\"network_type\":\"5g\"}",
        "{\"event_id\":\"c0ffee00-1234-4abc-9def-0123456789ab\","
                + "\"user_id\":\"CAOIMHE_OBRIEN\","
                + "\"device_id\":\"IMEI-490154203237518\","
                + "\"event_time\":\"2026-11-28T10:19:27.001Z\","
                + "\"device_model\":\"SM-S918B\",\"os_name\":\"Android\",\"os_version\":\"13\",\"app_version\":\"5.2.0\","
                + "\"user_agent\":\"Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36\","
                + "\"ip\":\"::ffff:198.51.100.23\",\"battery_pct\":12.25,\"signal_dbm\":-101,\"network_type\":\"wifi\"}",
    };

    static final String[] LOCATION = {
        "{\"event_id\":\"5e1d0c2b-aaaa-4bbb-8ccc-123456789abc\","
                + "\"user_id\":\"Alice-Secret@Example.COM\","
                + "\"device_id\":\"IMEI-356938035643809\","
                + "\"event_time\":\"2026-11-28T10:17:45.000Z\","
                + "\"lat\":53.343792,\"lon\":-6.254572,\"accuracy_m\":12.5,\"source\":\"gps\","
                + "\"cell_mcc\":272,\"cell_mnc\":1,\"cell_lac\":3021,\"cell_cid\":114503,\"ip\":\"203.0.113.77\"}",
        "{\"event_id\":\"6f2e1d3c-bbbb-4ccc-8ddd-23456789abcd\","
                + "\"user_id\":\"bob.murphy@example.ie\","
                + "\"device_id\":\"AAID-38400000-8cf0-11bd-b23e-10b96e40000d\","
                + "\"event_time\":\"2026-11-28T10:18:10.250Z\","
                + "\"lat\":51.896892,\"lon\":-8.486316,\"accuracy_m\":35,\"source\":\"wifi\","
                + "\"wifi_bssid\":\"00:14:22:01:23:45\",\"ip\":\"2001:db8:85a3::8a2e:370:7334\"}",
        "{\"event_id\":\"7a3f2e4d-cccc-4ddd-8eee-3456789abcde\","
                + "\"user_id\":\"CAOIMHE_OBRIEN\","
                + "\"device_id\":\"IMEI-490154203237518\","
                + "\"event_time\":\"2026-11-28T10:19:30.999Z\","
                + "\"lat\":53.270962,\"lon\":-9.062691,\"accuracy_m\":850,\"source\":\"cell\","
                + "\"cell_mcc\":272,\"cell_mnc\":2,\"cell_lac\":1207,\"cell_cid\":88001}",
    };

    static final String[] SERVICE = {
        "{\"event_id\":\"8b4a3f5e-dddd-4eee-8fff-456789abcdef\","
                + "\"user_id\":\"Alice-Secret@Example.COM\","
                + "\"device_id\":\"IMEI-356938035643809\","
                + "\"session_id\":\"sess-7f3a9c21\","
                + "\"event_time\":\"2026-11-28T10:17:50.500Z\","
                + "\"action\":\"search\",\"query\":\"pharmacy open late near me\","
                + "\"url\":\"https://app.example.com/search?q=pharmacy+open+late&lang=en\","
                + "\"referrer_url\":\"https://app.example.com/home\","
                + "\"duration_ms\":412,\"ip\":\"203.0.113.77\"}",
        "{\"event_id\":\"9c5b4a6f-eeee-4fff-8000-56789abcdef0\","
                + "\"user_id\":\"bob.murphy@example.ie\","
                + "\"session_id\":\"sess-0b1c2d3e\","
                + "\"event_time\":\"2026-11-28T10:18:20.000Z\","
                + "\"action\":\"call\",\"peer_account_id\":\"Dana.Walsh@Example.net\",\"peer_phone\":\"087 123 4567\","
                + "\"duration_ms\":183000,\"ip\":\"[2001:db8:85a3:8d3:1319:8a2e:370:7348]:443\"}",
        "{\"event_id\":\"ad6c5b70-ffff-4000-8111-6789abcdef01\","
                + "\"user_id\":\"CAOIMHE_OBRIEN\","
                + "\"device_id\":\"IMEI-490154203237518\","
                + "\"session_id\":\"sess-5a6b7c8d\","
                + "\"event_time\":\"2026-11-28T10:19:40.321Z\","
                + "\"action\":\"fault\",\"error_code\":\"E503\","
                + "\"url\":\"https://api.example.com:8443/v2/accounts/12345/orders?page=2\","
                + "\"referrer_url\":\"https://www.example.org/offers/winter#top\","
                + "\"duration_ms\":30000,\"ip\":\"198.51.100.23:50123\"}",
    };

    private Fixtures() {}

    static byte[][] bytes(String[] records) {
        byte[][] out = new byte[records.length][];
        for (int i = 0; i < records.length; i++) {
            out[i] = records[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /**
     * The shipped field rules: the file named by {@code -Dveil.rules}, else {@code
     * config/rules.yaml} in the working directory (the repository root when run through {@code
     * ./veil bench}), else the copy packaged in the jar.
     */
    static RuleSet rules() {
        String configured = System.getProperty(RULES_PROPERTY);
        if (configured != null) {
            return RuleSetLoader.load(Path.of(configured));
        }
        Path file = Path.of(DEFAULT_RULES);
        if (Files.isRegularFile(file)) {
            return RuleSetLoader.load(file);
        }
        try (InputStream in = Fixtures.class.getResourceAsStream(RULES_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "no rules: set -D"
                                + RULES_PROPERTY
                                + "=path/to/rules.yaml or run from "
                                + "the repository root");
            }
            return RuleSetLoader.load(
                    YamlDocument.parse(
                            "classpath:" + RULES_RESOURCE,
                            new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A processor with the shipped rules, the fixed key and the shipped key epochs. */
    static LogRecordProcessor processor() {
        return new LogRecordProcessor(
                rules(),
                new Pseudonymiser(KEY),
                new PseudonymKeys(KEY),
                new KeyEpochs(Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(30)));
    }

    /**
     * Collects what one process() call emitted; used in setup to check the inputs take the normal
     * path.
     */
    static final class Collecting implements LogRecordProcessor.Emitter {
        final List<byte[]> records = new ArrayList<>();
        final List<String> deadLetters = new ArrayList<>();

        @Override
        public void anonymised(
                OutputRules output,
                String subjectKey,
                long eventTime,
                byte[] anonymised,
                String outputKey,
                int[] slots,
                int keySlot) {
            records.add(anonymised);
        }

        @Override
        public void deadLetter(DeadLetterReason reason, String detail) {
            deadLetters.add(reason + ": " + detail);
        }
    }

    /**
     * Runs each record through the processor once and fails unless every one gives anonymised
     * output and no dead letter (a benchmark of the dead-letter path by mistake would look fast and
     * mean nothing).
     *
     * @return the anonymised records, in order
     */
    static List<byte[]> checkedOutputs(
            LogRecordProcessor processor, String stream, byte[][] records) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < records.length; i++) {
            Collecting c = new Collecting();
            processor.process(stream, records[i], Long.MAX_VALUE, c);
            if (!c.deadLetters.isEmpty() || c.records.isEmpty()) {
                throw new IllegalStateException(
                        stream
                                + " record "
                                + i
                                + " is not on the normal path: records="
                                + c.records.size()
                                + ", dead letters="
                                + c.deadLetters);
            }
            out.addAll(c.records);
        }
        return out;
    }
}
