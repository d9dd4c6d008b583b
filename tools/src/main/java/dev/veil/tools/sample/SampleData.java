package dev.veil.tools.sample;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Seeded, deterministic demo input for Veil: one realistic day of device, location and service logs
 * and consent changes of many data subjects, with a share of late and deliberately malformed
 * records.
 *
 * <p>Content of {@link #generate(long, int, LocalDate, Topics) generate(seed, subjects, day,
 * topics)}:
 *
 * <ul>
 *   <li>{@code subjects} synthetic data subjects with user ids {@code u-} + 10 lower-case letters
 *       and digits, each with one device (IMEI-like 15 digits or an advertising-id UUID), a phone
 *       model, OS and user agent drawn from real user-agent strings (uap-core), an app version, a
 *       home in one of seven cities (Dublin, Cork, Limerick, Galway, Belfast, Berlin, Madrid; about
 *       two thirds commute to a work place in the same city), home, work and mobile IP addresses
 *       (about 20% IPv6; a few literals with a port or in IPv4-mapped form), and contacts among the
 *       other subjects and by phone number;
 *   <li>one more subject, {@code u-bus304rider}, whose location events are the 2,144 fixes of a
 *       real bus journey in Limerick (GPX from movingpandas, coordinates as written in the file) at
 *       the same clock times on {@code day}, and who granted analytics and location before the day;
 *   <li>per synthetic subject 5 to 40 location fixes (gps, wifi with BSSID, cell with
 *       MCC/MNC/LAC/CID, ip; 5 or 6 decimals), 2 to 20 device events and 5 to 60 service events
 *       (search, view, fault, message, call, grouped in sessions), at times following a daily
 *       activity curve in the subject's local time;
 *   <li>consent changes following a fixed mix of scenarios (about 55% full grant, 15% partial, 8%
 *       grant then revoke, 4% revoke then re-grant, 3% erasure, 5% minors with or without guardian
 *       consent, 10% none), grants made up to ten days before the day, changes during the day; at
 *       some in-day changes a service event at exactly the effective time or just after it, sent
 *       before a change that arrives late;
 *   <li>erasures during the day (local 07:00 to 17:00), each with a service event 1 to 31 min
 *       before it; half of the erased subjects grant again 30 min to 4.5 h later, with a service
 *       event 1 to 61 min after the new grant;
 *   <li>every consent record with a policy_version: 2026-11 for a grant during the day (a
 *       re-grant), else the subject's version, 2026-09 (about 80%) or 2026-03;
 *   <li>peer_account_id of message and call events is always another data subject's user id (a
 *       contact), so a peer is pseudonymised both as a peer and, in their own records, as a
 *       subject; peer_phone numbers belong to no subject;
 *   <li>about 2% of the log records and some consent records sent late: Kafka timestamp 1 ms to 20
 *       s after the event or effective time;
 *   <li>malformed records, about 0.5% of the log records (at least 3 of each kind) plus a few on
 *       the consent topic: see {@link #countsByKind()}.
 * </ul>
 *
 * All times are written as RFC 3339 UTC with milliseconds and 'Z', for example {@code
 * 2026-11-28T07:45:12.345Z}. JSON fields appear in the order of the schema's properties. The same
 * arguments always give byte-identical records.
 *
 * <p>Instances are immutable.
 */
public final class SampleData {

    /** User id of the data subject whose location events are the real GPS trace. */
    public static final String GPS_TRACE_USER_ID = SampleGenerator.GPS_SUBJECT;

    private final List<SampleRecord> records;
    private final Map<String, Integer> countsByKind;
    private final Set<String> rawIdentifiers;

    SampleData(
            List<SampleRecord> records,
            Map<String, Integer> countsByKind,
            Set<String> rawIdentifiers) {
        this.records = List.copyOf(records);
        this.countsByKind = Collections.unmodifiableMap(new LinkedHashMap<>(countsByKind));
        this.rawIdentifiers = Collections.unmodifiableSortedSet(new TreeSet<>(rawIdentifiers));
    }

    /**
     * Generates the sample.
     *
     * @param seed seed of the random generator; the same arguments give byte-identical records
     * @param subjects number of synthetic data subjects, at least 1 (the demo uses 3000); the
     *     GPS-trace subject comes on top
     * @param day the UTC day the events fall on, from 00:00 inclusive to 24:00 exclusive (consent
     *     grants made before it, and late Kafka timestamps, may lie outside)
     * @param topics names of the topics to put in {@link SampleRecord#topic()}
     * @return the generated data
     * @throws IllegalArgumentException if {@code subjects} is less than 1
     */
    public static SampleData generate(long seed, int subjects, LocalDate day, Topics topics) {
        Objects.requireNonNull(day, "day");
        Objects.requireNonNull(topics, "topics");
        if (subjects < 1) {
            throw new IllegalArgumentException("subjects must be at least 1, was " + subjects);
        }
        return new SampleGenerator(seed, day, topics).run(subjects);
    }

    /**
     * All records, ready to send in this order: sorted by {@link SampleRecord#timestampMillis()},
     * ties by topic, then key, then value. Unmodifiable.
     */
    public List<SampleRecord> records() {
        return records;
    }

    /**
     * Counts for a printed summary, in a fixed order. Unmodifiable. Keys:
     *
     * <ul>
     *   <li>{@code subjects}: data subjects, including the GPS-trace subject;
     *   <li>{@code device}, {@code location}, {@code service}, {@code consent}: well-formed records
     *       per topic;
     *   <li>{@code malformed_json} (not one JSON document: not JSON at all, truncated), {@code
     *       schema_violation} (fails the topic's JSON Schema: array instead of object, missing
     *       required field, wrong type, number out of range, unknown enum value, grant without
     *       purposes), {@code invalid_value} (passes the schema but holds an invalid IP literal,
     *       coordinates out of range, or a url that is not an absolute URL): malformed records, all
     *       topics;
     *   <li>{@code late_arrivals}: well-formed records whose Kafka timestamp is after their event
     *       or effective time;
     *   <li>{@code gps_trace}: location records of the GPS-trace subject (2,144);
     *   <li>{@code consent_mix.<scenario>}: synthetic subjects per consent scenario ({@code
     *       full_grant}, {@code partial_grant}, {@code grant_then_revoke}, {@code
     *       revoke_then_regrant}, {@code erasure}, {@code minor_with_guardian}, {@code
     *       minor_without_guardian}, {@code no_consent}).
     * </ul>
     *
     * The four topic counts and the three malformed counts add up to the number of records.
     */
    public Map<String, Integer> countsByKind() {
        return countsByKind;
    }

    /**
     * Every raw identifier value written into the records, for scanning outputs for leaks: user ids
     * (own and peer), device ids, IP addresses (the literal as written and the bare address when
     * the literal has a port or is IPv4-mapped), Wi-Fi BSSIDs, phone numbers (as written and in
     * E.164 form), session ids, event ids, and coordinates as the JSON text of the number as
     * written (for example "52.66353"; for GPX coordinates with trailing zeros also the text
     * without them when at least five decimals remain). Sorted, unmodifiable.
     */
    public Set<String> rawIdentifiers() {
        return rawIdentifiers;
    }

    /** The names of the subjects' home cities, as the gazetteer knows them ("Dublin", ...). */
    public static List<String> homeCities() {
        List<String> names = new ArrayList<>();
        for (City c : City.values()) {
            names.add(c.label());
        }
        return names;
    }
}
