package dev.veil.record;

import dev.veil.record.RunComparison.Linkage;
import dev.veil.record.RunComparison.Result;
import dev.veil.record.RunComparison.TopicDiff;

import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunComparisonTest {
    static final String DEVICE = "veil.anon.device";
    static final String SERVICE = "veil.anon.service";
    static final String ERASURE = "veil.erasure";

    /** A pseudonym of run {@code run} for {@code label}: 64 hex, different in every run. */
    static String p(String run, String label) {
        return DigestUtils.sha256Hex(run + "/" + label);
    }

    static String device(String run, String subject, String device, String event, int battery) {
        return RunComparison.keyed(
                bytes(p(run, subject)),
                bytes(
                        "{\"event_id\":\""
                                + p(run, event)
                                + "\",\"subject\":\""
                                + p(run, subject)
                                + "\",\"device\":\""
                                + p(run, device)
                                + "\",\"event_time\":\"2026-11-28T09:00:00Z\",\"battery_pct\":"
                                + battery
                                + ",\"peer\":\""
                                + DigestUtils.sha256Hex("global peer")
                                + "\",\"key_epoch\":11}"));
    }

    static String service(String run, String subject, String event, String action) {
        return RunComparison.keyed(
                bytes(p(run, subject)),
                bytes(
                        "{\"event_id\":\""
                                + p(run, event)
                                + "\",\"subject\":\""
                                + p(run, subject)
                                + "\",\"action\":\""
                                + action
                                + "\",\"key_epoch\":11}"));
    }

    static String notice(String run, String... subjects) {
        StringBuilder s = new StringBuilder("{\"erasure_time\":\"2026-11-28T10:00:00Z\",");
        s.append("\"pseudonyms\":[");
        for (int i = 0; i < subjects.length; i++) {
            s.append(i == 0 ? "" : ",")
                    .append("{\"key_epoch\":")
                    .append(10 + i)
                    .append(",\"subject\":\"")
                    .append(p(run, subjects[i]))
                    .append("\"}");
        }
        return RunComparison.keyed(null, bytes(s.append("]}").toString()));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Three subjects, two devices, events on two topics (some blanked-identical), a dead letter and
     * an erasure notice; the same records whatever the run, under the run's pseudonyms.
     */
    static Map<String, List<String>> run(String run) {
        Map<String, List<String>> m = new TreeMap<>();
        List<String> device = new ArrayList<>();
        device.add(device(run, "alice", "phone-a", "e1", 40));
        device.add(device(run, "alice", "phone-a", "e2", 40));
        device.add(device(run, "alice", "tablet-a", "e3", 40));
        device.add(device(run, "bob", "phone-b", "e4", 70));
        device.add(device(run, "bob", "phone-b", "e5", 70));
        m.put(DEVICE, device);
        List<String> service = new ArrayList<>();
        service.add(service(run, "alice", "e6", "view"));
        service.add(service(run, "bob", "e7", "view"));
        service.add(service(run, "carol", "e8", "view"));
        service.add(service(run, "carol", "e9", "search"));
        m.put(SERVICE, service);
        m.put(ERASURE, new ArrayList<>(List.of(notice(run, "carol"))));
        m.put(
                "veil.dead-letter",
                new ArrayList<>(List.of("{\"reason\":\"malformed_json\",\"source_offset\":3}")));
        return m;
    }

    static Result compare(Map<String, List<String>> a, Map<String, List<String>> b) {
        return RunComparison.compare(RunComparison.multisets(a), RunComparison.multisets(b));
    }

    @Test
    void sameRecordsUnderOtherPseudonyms_compareIdentical() {
        Result r = compare(run("a"), run("b"));

        assertThat(r.identical()).as(r.describe()).isTrue();
        assertThat(r.linkage()).isEqualTo(Linkage.IDENTICAL);
        assertThat(r.topics())
                .extracting(TopicDiff::topic)
                .containsExactly(DEVICE, SERVICE, "veil.dead-letter", ERASURE);
        assertThat(r.topic(DEVICE))
                .isEqualTo(new TopicDiff(DEVICE, 5, 5, 0, 0, 0, List.of(), List.of()));
        // 3 subjects, 3 devices, 9 events, 1 global peer
        assertThat(r.pseudonymsA()).isEqualTo(16);
        assertThat(r.pseudonymsB()).isEqualTo(16);
        assertThat(compare(run("a"), run("a")).identical()).isTrue();
    }

    @Test
    void swappedLinkage_sameBlankedRecords_isDifferent() {
        Map<String, List<String>> b = run("b");
        // bob's second device record now carries the device of alice's first two (same blanked
        // record: the device field is blank)
        b.get(DEVICE).set(4, device("b", "bob", "phone-a", "e5", 70));

        Result r = compare(run("a"), b);

        assertThat(r.blankedIdentical()).as(r.describe()).isTrue();
        assertThat(r.linkage()).isEqualTo(Linkage.DIFFERENT);
        assertThat(r.identical()).isFalse();
    }

    @Test
    void subjectsSwappedBetweenTwoRecords_isDifferent() {
        Map<String, List<String>> b = run("b");
        // the same multiset of blanked records, and every pseudonym on as many records, but alice's
        // view and bob's view trade subjects with carol's search: carol now has two views
        b.get(SERVICE).set(0, service("b", "carol", "e6", "view"));
        b.get(SERVICE).set(3, service("b", "alice", "e9", "search"));

        Result r = compare(run("a"), b);

        assertThat(r.blankedIdentical()).isTrue();
        assertThat(r.linkage()).as(r.describe()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void erasureNoticeNamingAnotherSubject_isDifferent() {
        Map<String, List<String>> b = run("b");
        b.get(ERASURE).set(0, notice("b", "bob"));

        Result r = compare(run("a"), b);

        assertThat(r.blankedIdentical()).isTrue();
        assertThat(r.linkage()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void erasureNoticeWithItsEpochsInTheOtherOrder_isDifferent() {
        Map<String, List<String>> a = run("a");
        a.get(ERASURE).set(0, notice("a", "carol", "alice"));
        Map<String, List<String>> b = run("b");
        b.get(ERASURE).set(0, notice("b", "alice", "carol"));

        assertThat(compare(a, b).linkage()).isEqualTo(Linkage.DIFFERENT);
        b.get(ERASURE).set(0, notice("b", "carol", "alice"));
        assertThat(compare(a, b).identical()).isTrue();
    }

    @Test
    void lostRecord_isCountedLost() {
        Map<String, List<String>> b = run("b");
        b.get(SERVICE).remove(3);

        Result r = compare(run("a"), b);

        TopicDiff s = r.topic(SERVICE);
        assertThat(List.of(s.inA(), s.inB(), s.lost(), s.duplicated(), s.differing()))
                .containsExactly(4L, 3L, 1L, 0L, 0L);
        assertThat(s.lostSamples()).hasSize(1).allMatch(x -> x.contains("search"));
        assertThat(r.topic(DEVICE).same()).isTrue();
        assertThat(r.linkage()).isEqualTo(Linkage.DIFFERENT);
        assertThat(r.identical()).isFalse();
    }

    @Test
    void duplicatedRecord_isCountedDuplicated() {
        Map<String, List<String>> b = run("b");
        b.get(DEVICE).add(b.get(DEVICE).get(3));

        Result r = compare(run("a"), b);

        TopicDiff d = r.topic(DEVICE);
        assertThat(List.of(d.inA(), d.inB(), d.lost(), d.duplicated(), d.differing()))
                .containsExactly(5L, 6L, 0L, 1L, 0L);
        assertThat(r.linkage()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void duplicateOfABlankedTwin_isCountedDuplicated_andTheLinkageTellsIt() {
        // bob's two device records are blanked-identical: b has e4's twice and no e5, so only the
        // linkage (one event id on two copies) tells
        Map<String, List<String>> b = run("b");
        b.get(DEVICE).set(4, b.get(DEVICE).get(3));

        Result r = compare(run("a"), b);

        assertThat(r.blankedIdentical()).isTrue();
        assertThat(r.linkage()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void changedField_isCountedLostAndDiffering() {
        Map<String, List<String>> b = run("b");
        b.get(DEVICE).set(2, device("b", "alice", "tablet-a", "e3", 41));

        Result r = compare(run("a"), b);

        TopicDiff d = r.topic(DEVICE);
        assertThat(List.of(d.lost(), d.duplicated(), d.differing())).containsExactly(1L, 0L, 1L);
        assertThat(d.lostSamples()).singleElement().asString().contains("\"battery_pct\":40");
        assertThat(d.extraSamples()).singleElement().asString().contains("\"battery_pct\":41");
        assertThat(r.identical()).isFalse();
    }

    @Test
    void topicMissingInOneRun_isCountedLost() {
        Map<String, List<String>> b = run("b");
        b.remove(ERASURE);

        Result r = compare(run("a"), b);

        assertThat(r.topic(ERASURE).lost()).isEqualTo(1);
        assertThat(r.topic(ERASURE).inB()).isZero();
        assertThat(r.identical()).isFalse();
    }

    @Test
    void keyDifferentFromTheSubject_isDifferent() {
        Map<String, List<String>> b = run("b");
        String v = b.get(SERVICE).get(1);
        // bob's view keyed by carol's pseudonym
        b.get(SERVICE).set(1, v.replaceFirst(p("b", "bob"), p("b", "carol")));

        Result r = compare(run("a"), b);

        assertThat(r.blankedIdentical()).isTrue();
        assertThat(r.linkage()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void nonJsonRecords_areComparedAsText() {
        Map<String, List<String>> a = Map.of("t", List.of("not json", "(null)"));
        Map<String, List<String>> b = Map.of("t", List.of("not json", "(null)"));
        assertThat(compare(a, b).identical()).isTrue();
        Result r = compare(a, Map.of("t", List.of("not json", "not json")));
        assertThat(List.of(r.topic("t").lost(), r.topic("t").duplicated())).containsExactly(1L, 1L);
    }

    /**
     * Eight records of blanked-identical content, each linking one subject to one device. As one
     * cycle of eight or as two cycles of four, every subject and every device has the same
     * signature (two records of the same content) in every refinement round; only the search for a
     * renaming tells them apart.
     */
    static Map<String, List<String>> cycles(String run, int[][] edges) {
        List<String> records = new ArrayList<>();
        for (int[] e : edges) {
            records.add(
                    "{\"subject\":\""
                            + p(run, "s" + e[0])
                            + "\",\"device\":\""
                            + p(run, "d" + e[1])
                            + "\"}");
        }
        return Map.of(DEVICE, records);
    }

    static final int[][] EIGHT = {{0, 0}, {1, 0}, {1, 1}, {2, 1}, {2, 2}, {3, 2}, {3, 3}, {0, 3}};
    static final int[][] FOUR_AND_FOUR = {
        {0, 0}, {1, 0}, {1, 1}, {0, 1}, {2, 2}, {3, 2}, {3, 3}, {2, 3}
    };

    @Test
    void oneCycleOfEightAgainstTwoOfFour_equalSignatures_isDifferent() {
        Result r = compare(cycles("a", EIGHT), cycles("b", FOUR_AND_FOUR));

        assertThat(r.blankedIdentical()).isTrue();
        assertThat(r.linkage()).as(r.describe()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void cycleOfEightRenumbered_isIdentical_throughTheSearch() {
        // the same cycle with subjects and devices renumbered and the records in another order
        int[][] renumbered = {{2, 1}, {3, 1}, {3, 0}, {1, 0}, {1, 3}, {0, 3}, {0, 2}, {2, 2}};
        Result r = compare(cycles("a", EIGHT), cycles("b", renumbered));

        assertThat(r.linkage()).as(r.describe()).isEqualTo(Linkage.IDENTICAL);
        assertThat(r.detail()).contains("tie(s) broken by search");
    }

    @Test
    void searchBudgetSpent_isUndecided_notIdentical() {
        Result r =
                RunComparison.compare(
                        RunComparison.multisets(cycles("a", EIGHT)),
                        RunComparison.multisets(cycles("b", EIGHT)),
                        1);

        assertThat(r.linkage()).isEqualTo(Linkage.UNDECIDED);
        assertThat(r.identical()).isFalse();
    }

    /**
     * 300 subjects with the same history: 10 blanked-identical device records each, on one device
     * of their own. Every subject ties with every other, every event with the subject's others.
     */
    static Map<String, List<String>> twins(String run, int moved) {
        List<String> records = new ArrayList<>();
        for (int s = 0; s < 300; s++) {
            for (int e = 0; e < 10; e++) {
                // record "moved" goes to the next subject (its device stays)
                int subject = s * 10 + e == moved ? s + 1 : s;
                records.add(device(run, "s" + subject, "d" + s, "e" + s + "/" + e, 50));
            }
        }
        return Map.of(DEVICE, records);
    }

    @Test
    void threeHundredIdenticalSubjects_areMatchedGroupByGroup_withoutSearch() {
        Result r = compare(twins("a", -1), twins("b", -1));

        assertThat(r.linkage()).as(r.describe()).isEqualTo(Linkage.IDENTICAL);
        assertThat(r.detail()).contains("over 300 groups").doesNotContain("tie");

        Result moved = compare(twins("a", -1), twins("b", 1234));
        assertThat(moved.blankedIdentical()).isTrue();
        assertThat(moved.linkage()).isEqualTo(Linkage.DIFFERENT);
    }

    @Test
    void keyed_wrapsKeyAndValue_keepsNonJsonValuesAsText() {
        assertThat(RunComparison.keyed(bytes("k"), bytes("{\"a\":1.50}")))
                .isEqualTo("{\"key\":\"k\",\"value\":{\"a\":1.50}}");
        assertThat(RunComparison.keyed(null, bytes("{oops")))
                .isEqualTo("{\"key\":null,\"value\":\"{oops\"}");
        assertThat(RunComparison.keyed(null, null)).isEqualTo("{\"key\":null,\"value\":null}");
    }

    @Test
    void badArguments_areRefused() {
        assertThatThrownBy(() -> RunComparison.compare(Map.of(), Map.of(), 0))
                .hasMessageContaining("budget must be at least 1, was 0");
        assertThatThrownBy(
                        () ->
                                RunComparison.compare(
                                        Map.of("t", Map.of("x", 0L)), Map.of("t", Map.of())))
                .hasMessageContaining("copies must be at least 1, were 0 in topic t");
    }
}
