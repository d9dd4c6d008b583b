package dev.veil.tools.bench;

import dev.veil.privacy.Pseudonymiser;
import dev.veil.tools.local.KafkaIo;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The latency pass: produces device records at a fixed rate with event time = now for subjects that
 * granted consent, and measures end-to-end latency per record as (time a read_committed consumer
 * sees the output record) − (time the input record was sent). Output records are matched to inputs
 * by event id (raw for the pass-throughs, HMAC-SHA256 pseudonym for the jobs that publish
 * anonymised records, computed here with the same key).
 */
final class LiveLoad {
    /** How often a pass reports its progress. */
    private static final long PROGRESS_NANOS = 20_000_000_000L;

    private final KafkaIo io;
    private final String deviceTopic;
    private final String consentTopic;
    private final Pseudonymiser pseudonymiser;
    private final int subjects;

    LiveLoad(KafkaIo io, String deviceTopic, String consentTopic, byte[] key, int subjects) {
        this.io = io;
        this.deviceTopic = deviceTopic;
        this.consentTopic = consentTopic;
        this.pseudonymiser = new Pseudonymiser(key);
        this.subjects = subjects;
    }

    /**
     * Grants analytics and product_improvement to the live subjects, effective an hour ago; then,
     * on every partition of the consent topic, a grant effective now for a subject that has no
     * events. Those last grants move the consent stream's event time past the live grants, as
     * steady consent traffic would in production: a job that releases a consent change only once
     * the consent watermark passes it (the SQL peer's OVER aggregation) would otherwise hold the
     * live grants for as long as the consent topic stays quiet.
     */
    void grantConsent() {
        String at = Instant.now().minusSeconds(3600).toString();
        try (KafkaIo.Producer p = io.producer()) {
            for (int i = 0; i < subjects; i++) {
                String user = "live-" + i;
                p.send(
                        consentTopic,
                        user.getBytes(StandardCharsets.UTF_8),
                        grant(user, at),
                        System.currentTimeMillis());
            }
            byte[] clock = "live-clock".getBytes(StandardCharsets.UTF_8);
            long now = System.currentTimeMillis();
            for (int partition = 0; partition < p.partitions(consentTopic); partition++) {
                p.send(
                        consentTopic,
                        partition,
                        clock,
                        grant("live-clock", Instant.ofEpochMilli(now).toString()),
                        now);
            }
            p.flush();
        }
    }

    private static byte[] grant(String user, String at) {
        return ("{\"user_id\":\""
                        + user
                        + "\",\"effective_time\":\""
                        + at
                        + "\",\"action\":\"grant\","
                        + "\"purposes\":[\"analytics\",\"product_improvement\"],\"policy_version\":\"2026-09\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sends at {@code ratePerSecond} for {@code seconds} while reading {@code outputTopic}; returns
     * latencies in ms of the records sent after {@code warmupSeconds}.
     *
     * @param anonymised whether output event ids are pseudonyms
     */
    long[] run(
            String outputTopic,
            boolean anonymised,
            int ratePerSecond,
            int warmupSeconds,
            int seconds)
            throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean done = new AtomicBoolean();
        long measureFrom = System.currentTimeMillis() + warmupSeconds * 1000L;
        Thread reader =
                new Thread(
                        () ->
                                io.follow(
                                        outputTopic,
                                        done,
                                        value -> {
                                            String id = eventId(value);
                                            Long t = id == null ? null : sentAt.remove(id);
                                            if (t != null && t >= measureFrom) {
                                                latencies.add(System.currentTimeMillis() - t);
                                            }
                                        }),
                        "latency-reader");
        reader.start();
        long interval = 1_000_000_000L / ratePerSecond;
        long start = System.nanoTime();
        long n = 0;
        long nextReport = start + PROGRESS_NANOS;
        try (KafkaIo.Producer p = io.producer()) {
            long end = start + (long) (warmupSeconds + seconds) * 1_000_000_000L;
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextReport) {
                    BenchMain.say(
                            "    %.0f of %d s: %,d records sent, %,d matched after the warm-up",
                            (System.nanoTime() - start) / 1e9,
                            warmupSeconds + seconds,
                            n,
                            latencies.size());
                    nextReport += PROGRESS_NANOS;
                }
                long due = start + n * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                String user = "live-" + (n % subjects);
                String eventId = "live-ev-" + n;
                long now = System.currentTimeMillis();
                String v =
                        "{\"event_id\":\""
                                + eventId
                                + "\",\"user_id\":\""
                                + user
                                + "\",\"device_id\":\"dev-"
                                + (n % subjects)
                                + "\",\"event_time\":\""
                                + Instant.ofEpochMilli(now)
                                + "\",\"device_model\":\"Pixel 7\","
                                + "\"os_name\":\"Android\",\"os_version\":\"14\",\"app_version\":\"5.2.0\",\"ip\":\"203.0.113."
                                + (n % 250)
                                + "\",\"battery_pct\":50,\"signal_dbm\":-80,\"network_type\":\"wifi\"}";
                sentAt.put(anonymised ? pseudonymiser.pseudonymise(eventId) : eventId, now);
                p.send(
                        deviceTopic,
                        user.getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8),
                        now);
                n++;
            }
            p.flush();
        }
        Thread.sleep(15_000);
        done.set(true);
        reader.join();
        long[] out = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(out);
        return out;
    }

    private static String eventId(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        int i = s.indexOf("\"event_id\":\"");
        if (i < 0) {
            return null;
        }
        int from = i + 12;
        return s.substring(from, s.indexOf('"', from));
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }
}
