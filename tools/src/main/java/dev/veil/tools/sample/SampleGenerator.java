package dev.veil.tools.sample;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Builds one {@link SampleData}: creates the subjects, then their consent changes, device, location
 * and service events, the replayed GPS trace and the malformed records. One instance per
 * generation; not thread-safe.
 */
final class SampleGenerator {

    /** User id of the subject whose location events are the real GPS trace. */
    static final String GPS_SUBJECT = "u-bus304rider";

    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final long MAX_LATENESS_MS = 20_000L;
    private static final double LATE_LOG_SHARE = 0.02;
    private static final double MALFORMED_LOG_SHARE = 0.005;
    private static final double KM_PER_DEGREE = 111.32;

    private static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * Relative activity by local hour of day (0 to 23): quiet at night, peaks in the morning and
     * evening.
     */
    private static final double[] HOURLY_ACTIVITY = {
        0.30, 0.20, 0.12, 0.08, 0.08, 0.20, 0.60, 1.40, 2.00, 1.80, 1.60, 1.60,
        1.90, 1.80, 1.50, 1.50, 1.60, 1.90, 2.00, 2.10, 2.20, 2.00, 1.40, 0.80
    };

    private static final List<String> APP_VERSIONS =
            List.of("5.3.0", "5.3.0", "5.3.0", "5.2.1", "5.2.1", "5.2.0", "5.1.4", "4.9.7");
    private static final List<String> POLICY_VERSIONS =
            List.of("2026-09", "2026-09", "2026-09", "2026-09", "2026-03");

    /**
     * The policy a grant made during the day accepts: newer than any before it, so that the records
     * after a re-grant carry another policy_version than the subject's earlier ones.
     */
    static final String IN_DAY_POLICY_VERSION = "2026-11";

    private static final List<String> BASE_PURPOSES =
            List.of("analytics", "product_improvement", "location");
    private static final List<String> QUERIES =
            List.of(
                    "weather %s",
                    "pharmacy near me",
                    "bus 304 timetable",
                    "opening hours tesco %s",
                    "christmas market %s",
                    "flights %s to london",
                    "gp out of hours %s",
                    "storm warning",
                    "six nations fixtures",
                    "how to reset router",
                    "cheap car insurance",
                    "vegetarian restaurants %s",
                    "leisure centre %s swimming",
                    "train times %s to dublin",
                    "black friday deals",
                    "how long to boil an egg",
                    "parking %s city centre",
                    "iphone battery draining fast",
                    "property prices %s",
                    "passport renewal online",
                    "cinema %s tonight",
                    "hurling results",
                    "electric bike grant",
                    "recycling centre %s",
                    "dentist %s emergency");
    private static final List<String> ERROR_CODES =
            List.of(
                    "E500", "E500", "E502", "E503", "E503", "E504", "TIMEOUT", "TIMEOUT", "E401",
                    "E429");
    private static final List<String> API_ENDPOINTS =
            List.of(
                    "sync",
                    "feed",
                    "profile",
                    "messages/send",
                    "media/upload",
                    "search",
                    "calls/setup");
    private static final List<String> RTE_SECTIONS =
            List.of("ireland", "world", "business", "sport", "entertainment");
    private static final List<String> NEWS_SLUGS =
            List.of(
                    "storm-warning-issued",
                    "housing-report-published",
                    "budget-reaction",
                    "cup-final-preview",
                    "traffic-delays-m50",
                    "hospital-waiting-lists",
                    "energy-prices-fall",
                    "new-bus-routes-announced");
    private static final List<String> BUS_ROUTES =
            List.of("304", "343", "220", "51", "405", "X30", "39a", "46a");
    private static final List<String> PORTS = List.of("443", "5222", "8080", "51820");
    private static final List<String> NOT_JSON =
            List.of(
                    "{not json",
                    "<html><body><h1>502 Bad Gateway</h1></body></html>",
                    "user_id=%s&event=view",
                    "{'user_id': '%s'}");
    private static final List<String> INVALID_IPS =
            List.of("999.1.2.3", "localhost", "300.300.300.300", "2001:db8::g1");
    private static final List<String> INVALID_URLS =
            List.of("not a url", "www.rte.ie/news", "https://");

    private final SplittableRandom random;
    private final long dayStart;
    private final Topics topics;
    private final UserAgentCatalog phones;
    private final ObjectMapper mapper;

    private final List<Subject> subjects = new ArrayList<>();
    private final List<SampleRecord> records = new ArrayList<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final TreeSet<String> rawIdentifiers = new TreeSet<>();
    private final TreeSet<String> usedUserIds = new TreeSet<>();
    private int goodLogRecords;

    SampleGenerator(long seed, LocalDate day, Topics topics) {
        this.random = new SplittableRandom(seed);
        this.dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        this.topics = topics;
        this.phones = UserAgentCatalog.load();
        this.mapper =
                JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
        for (String key :
                List.of(
                        "subjects",
                        "device",
                        "location",
                        "service",
                        "consent",
                        MalformedKind.Category.MALFORMED_JSON.key(),
                        MalformedKind.Category.SCHEMA_VIOLATION.key(),
                        MalformedKind.Category.INVALID_VALUE.key(),
                        "late_arrivals",
                        "gps_trace")) {
            counts.put(key, 0);
        }
        for (ConsentScenario scenario : ConsentScenario.values()) {
            counts.put("consent_mix." + scenario.key(), 0);
        }
    }

    /**
     * Generates everything for {@code subjectCount} synthetic subjects plus the GPS-trace subject.
     */
    SampleData run(int subjectCount) {
        List<ConsentScenario> scenarios = scenarioQuota(subjectCount);
        for (ConsentScenario scenario : scenarios) {
            subjects.add(newSubject(uniqueUserId(), pickCity(), scenario));
        }
        // The GPS-trace subject has its own consent (analytics and location) and is outside the
        // scenario mix.
        Subject busRider = newSubject(GPS_SUBJECT, City.LIMERICK, ConsentScenario.FULL_GRANT);
        usedUserIds.add(GPS_SUBJECT);
        rawIdentifiers.add(GPS_SUBJECT);
        List<Subject> everyone = new ArrayList<>(subjects);
        everyone.add(busRider);
        for (Subject s : everyone) {
            pickContacts(s, everyone);
        }
        counts.put("subjects", everyone.size());

        for (Subject s : subjects) {
            counts.merge("consent_mix." + s.scenario.key(), 1, Integer::sum);
            emitConsent(s);
            emitLocations(s);
            emitDevices(s);
            emitServices(s);
        }
        emitGpsSubject(busRider);
        emitMalformedLogs();
        emitMalformedConsent(subjectCount);

        records.sort(
                Comparator.comparingLong(SampleRecord::timestampMillis)
                        .thenComparing(SampleRecord::topic)
                        .thenComparing(SampleRecord::key)
                        .thenComparing(SampleRecord::value));
        return new SampleData(records, counts, rawIdentifiers);
    }

    // ---------------------------------------------------------------------------------------------------- subjects

    private String uniqueUserId() {
        String id;
        do {
            id = Identifiers.userId(random);
        } while (!usedUserIds.add(id));
        rawIdentifiers.add(id);
        return id;
    }

    private City pickCity() {
        int total = Arrays.stream(City.values()).mapToInt(City::weight).sum();
        int pick = random.nextInt(total);
        for (City city : City.values()) {
            pick -= city.weight();
            if (pick < 0) {
                return city;
            }
        }
        throw new IllegalStateException("city weights");
    }

    /**
     * The scenario of each synthetic subject, in subject order: exact shares by largest remainder,
     * at least one of each scenario once there are enough subjects, shuffled.
     */
    private List<ConsentScenario> scenarioQuota(int n) {
        ConsentScenario[] all = ConsentScenario.values();
        Map<ConsentScenario, Integer> quota = new EnumMap<>(ConsentScenario.class);
        int assigned = 0;
        for (ConsentScenario s : all) {
            int q = (int) ((long) n * s.perMille() / 1000);
            quota.put(s, q);
            assigned += q;
        }
        List<ConsentScenario> byRemainder = new ArrayList<>(List.of(all));
        byRemainder.sort(
                Comparator.comparingLong((ConsentScenario s) -> -((long) n * s.perMille() % 1000)));
        for (int i = 0; assigned < n; i++, assigned++) {
            quota.merge(byRemainder.get(i % all.length), 1, Integer::sum);
        }
        if (n >= all.length) {
            for (ConsentScenario s : all) {
                if (quota.get(s) == 0) {
                    quota.put(s, 1);
                    quota.merge(ConsentScenario.FULL_GRANT, -1, Integer::sum);
                }
            }
        }
        List<ConsentScenario> list = new ArrayList<>(n);
        for (ConsentScenario s : all) {
            for (int i = 0; i < quota.get(s); i++) {
                list.add(s);
            }
        }
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            ConsentScenario t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
        return list;
    }

    private Subject newSubject(String userId, City city, ConsentScenario scenario) {
        Subject.Builder b = new Subject.Builder();
        b.userId = userId;
        b.scenario = scenario;
        b.city = city;
        b.deviceId = random.nextInt(100) < 55 ? Identifiers.imei(random) : Identifiers.uuid(random);
        rawIdentifiers.add(b.deviceId);
        boolean iphone = random.nextInt(100) < 35;
        List<UserAgentCatalog.Phone> models = iphone ? phones.ios() : phones.android();
        b.phone = models.get(random.nextInt(models.size()));
        b.appVersion = APP_VERSIONS.get(random.nextInt(APP_VERSIONS.size()));

        double[] home = jitterKm(city.lat(), city.lon(), city.radiusKm() * 0.55);
        b.homeLat = home[0];
        b.homeLon = home[1];
        double[] work = jitterKm(city.lat(), city.lon(), city.radiusKm() * 0.3);
        b.workLat = work[0];
        b.workLon = work[1];
        b.commuter = random.nextInt(100) < 65;
        long offset = city.utcOffsetHours() * HOUR_MS;
        long leaveHome =
                (long) (7.25 * HOUR_MS) + random.nextLong((long) (1.75 * HOUR_MS)) - offset;
        long commute = 15 * 60_000L + random.nextLong(45 * 60_000L);
        long leaveWork =
                leaveHome
                        + commute
                        + (long) (7.5 * HOUR_MS)
                        + random.nextLong((long) (1.5 * HOUR_MS));
        b.commuteMillis =
                new long[] {leaveHome, leaveHome + commute, leaveWork, leaveWork + commute};

        b.homeIp =
                random.nextInt(100) < 25 ? Identifiers.ipv6(random) : Identifiers.homeIpv4(random);
        b.workIp =
                random.nextInt(100) < 20 ? Identifiers.ipv6(random) : Identifiers.homeIpv4(random);
        b.mobileIp =
                random.nextInt(100) < 15
                        ? Identifiers.ipv6(random)
                        : Identifiers.mobileIpv4(random);
        b.homeBssid = Identifiers.bssid(random);
        b.workBssid = Identifiers.bssid(random);
        b.mnc = city.mncs().get(random.nextInt(city.mncs().size()));
        b.homeLac = 1000 + random.nextInt(60_000);
        b.homeCid = 10_000 + random.nextLong(200_000_000L);
        b.workLac = random.nextInt(3) == 0 ? b.homeLac : 1000 + random.nextInt(60_000);
        b.workCid = 10_000 + random.nextLong(200_000_000L);
        b.batteryDrainPerHour = 2.5 + random.nextDouble() * 4.5;
        return new Subject(b);
    }

    private void pickContacts(Subject s, List<Subject> everyone) {
        int wanted = 2 + random.nextInt(7);
        for (int i = 0; i < wanted * 3 && s.contacts.size() < wanted; i++) {
            Subject peer = everyone.get(random.nextInt(everyone.size()));
            if (peer != s && !s.contacts.contains(peer.userId)) {
                s.contacts.add(peer.userId);
            }
        }
        int phoneContacts = 1 + random.nextInt(4);
        for (int i = 0; i < phoneContacts; i++) {
            Identifiers.Phone phone = Identifiers.irishMobile(random);
            s.phoneContacts.add(phone);
            rawIdentifiers.add(phone.written());
            rawIdentifiers.add(phone.e164());
        }
    }

    // ---------------------------------------------------------------------------------------------------- consent

    /** One consent change before it is written: times in epoch milliseconds. */
    private record ConsentChange(
            long effectiveMillis,
            String action,
            List<String> purposes,
            Boolean guardian,
            Boolean minor) {}

    private void emitConsent(Subject s) {
        String policy = POLICY_VERSIONS.get(random.nextInt(POLICY_VERSIONS.size()));
        List<ConsentChange> changes = new ArrayList<>();
        long before = dayStart - 30 * 60_000L - random.nextLong(10 * DAY_MS);
        List<String> full = fullGrant();
        switch (s.scenario) {
            case FULL_GRANT -> changes.add(grant(before, full, null));
            case PARTIAL_GRANT ->
                    changes.add(
                            grant(
                                    before,
                                    random.nextBoolean()
                                            ? List.of("analytics")
                                            : random.nextBoolean()
                                                    ? List.of("analytics", "product_improvement")
                                                    : List.of(
                                                            "analytics",
                                                            "product_improvement",
                                                            "personalisation"),
                                    null));
            case GRANT_THEN_REVOKE -> {
                changes.add(grant(before, full, null));
                List<String> revoked =
                        switch (random.nextInt(3)) {
                            case 0 -> List.of("location");
                            case 1 -> List.of("analytics", "location");
                            default -> List.of("product_improvement");
                        };
                changes.add(new ConsentChange(inDay(s, 7, 21), "revoke", revoked, null, null));
            }
            case REVOKE_THEN_REGRANT -> {
                changes.add(grant(before, full, null));
                long revokeAt = inDay(s, 7, 16);
                changes.add(new ConsentChange(revokeAt, "revoke", BASE_PURPOSES, null, null));
                long regrantAt = revokeAt + 20 * 60_000L + random.nextLong(5 * HOUR_MS);
                changes.add(grant(regrantAt, BASE_PURPOSES, null));
            }
            case ERASURE -> {
                changes.add(grant(before, full, null));
                long eraseAt = inDay(s, 7, 17);
                changes.add(new ConsentChange(eraseAt, "erase", null, null, null));
                // Whatever the activity curve draws, an erased subject has a published event just
                // before the erasure (so there is something to notify) and, after a new grant, one
                // under the new grant (so the new pseudonym shows).
                emitService(
                        s,
                        eraseAt - dayStart - 60_000L - random.nextLong(30 * 60_000L),
                        newSession(),
                        null,
                        "view",
                        false);
                if (random.nextBoolean()) {
                    long regrantAt = eraseAt + 30 * 60_000L + random.nextLong(4 * HOUR_MS);
                    changes.add(
                            grant(
                                    regrantAt,
                                    random.nextBoolean() ? List.of("analytics") : BASE_PURPOSES,
                                    null));
                    emitService(
                            s,
                            regrantAt - dayStart + 60_000L + random.nextLong(HOUR_MS),
                            newSession(),
                            null,
                            "view",
                            false);
                }
            }
            case MINOR_WITH_GUARDIAN, MINOR_WITHOUT_GUARDIAN -> {
                changes.add(new ConsentChange(before, "age_status", null, null, true));
                long grantAt = before + 60_000L + random.nextLong(15 * 60_000L);
                boolean guardian = s.scenario == ConsentScenario.MINOR_WITH_GUARDIAN;
                changes.add(grant(grantAt, BASE_PURPOSES, guardian));
            }
            case NO_CONSENT -> {
                return;
            }
            default -> throw new IllegalStateException("unhandled scenario " + s.scenario);
        }
        for (ConsentChange change : changes) {
            boolean inDay = change.effectiveMillis() >= dayStart;
            long lateness =
                    random.nextDouble() < (inDay ? 0.3 : 0.12)
                            ? 1 + random.nextLong(MAX_LATENESS_MS)
                            : 0;
            boolean newGrant = inDay && change.action().equals("grant");
            writeConsent(s.userId, change, newGrant ? IN_DAY_POLICY_VERSION : policy, lateness);
            if (inDay) {
                emitBoundaryEvents(s, change.effectiveMillis(), lateness);
            }
        }
    }

    private List<String> fullGrant() {
        List<String> purposes = new ArrayList<>(BASE_PURPOSES);
        if (random.nextInt(100) < 40) {
            purposes.add("personalisation");
        }
        if (random.nextInt(100) < 25) {
            purposes.add("ads");
        }
        return purposes;
    }

    private static ConsentChange grant(long at, List<String> purposes, Boolean guardian) {
        return new ConsentChange(at, "grant", purposes, guardian, null);
    }

    /**
     * A random moment between two local hours of the subject's city on the day, epoch milliseconds.
     */
    private long inDay(Subject s, int fromLocalHour, int toLocalHour) {
        long local =
                fromLocalHour * HOUR_MS + random.nextLong((toLocalHour - fromLocalHour) * HOUR_MS);
        return dayStart + local - s.city.utcOffsetHours() * HOUR_MS;
    }

    private ObjectNode consentNode(String userId, ConsentChange change, String policy) {
        ObjectNode node = mapper.createObjectNode();
        node.put("user_id", userId);
        node.put("effective_time", time(change.effectiveMillis()));
        node.put("action", change.action());
        if (change.purposes() != null) {
            ArrayNode purposes = node.putArray("purposes");
            change.purposes().forEach(purposes::add);
        }
        if (change.guardian() != null) {
            node.put("guardian_consent", change.guardian());
        }
        if (change.minor() != null) {
            node.put("minor", change.minor());
        }
        node.put("policy_version", policy);
        return node;
    }

    private void writeConsent(String userId, ConsentChange change, String policy, long lateness) {
        add(
                topics.consent(),
                userId,
                json(consentNode(userId, change, policy)),
                change.effectiveMillis() + lateness,
                "consent",
                lateness > 0);
    }

    /**
     * Service events right at a consent change: one at exactly the effective time (half of the
     * changes), and one between the effective time and the late arrival of the change, so it is
     * sent before the change that governs it.
     */
    private void emitBoundaryEvents(Subject s, long effectiveMillis, long lateness) {
        long dayMillis = effectiveMillis - dayStart;
        if (random.nextBoolean()) {
            emitService(s, dayMillis, newSession(), null, "view", false);
        }
        if (lateness > 1) {
            emitService(
                    s,
                    dayMillis + 1 + random.nextLong(lateness - 1),
                    newSession(),
                    null,
                    "view",
                    false);
        }
    }

    // ---------------------------------------------------------------------------------------------------- locations

    /** A position: latitude and longitude in degrees, and the kind of place. */
    private record Position(double lat, double lon, Subject.Place place) {}

    private Position positionAt(Subject s, long dayMillis) {
        Subject.Place routine = s.routinePlace(dayMillis);
        int localHour = localHour(s, dayMillis);
        if (routine == Subject.Place.COMMUTE) {
            long[] c = s.commuteMillis;
            boolean morning = dayMillis < c[1];
            double f =
                    morning
                            ? (double) (dayMillis - c[0]) / (c[1] - c[0])
                            : (double) (dayMillis - c[2]) / (c[3] - c[2]);
            double fromLat = morning ? s.homeLat : s.workLat;
            double fromLon = morning ? s.homeLon : s.workLon;
            double toLat = morning ? s.workLat : s.homeLat;
            double toLon = morning ? s.workLon : s.homeLon;
            double[] p =
                    jitterKm(fromLat + f * (toLat - fromLat), fromLon + f * (toLon - fromLon), 0.4);
            return new Position(p[0], p[1], Subject.Place.COMMUTE);
        }
        if (routine == Subject.Place.WORK) {
            if (localHour == 13 && random.nextInt(100) < 30) {
                double[] p = jitterKm(s.workLat, s.workLon, 0.6);
                return new Position(p[0], p[1], Subject.Place.OUT);
            }
            return new Position(s.workLat, s.workLon, Subject.Place.WORK);
        }
        boolean outing =
                s.commuter
                        ? localHour >= 18 && localHour < 23 && random.nextInt(100) < 25
                        : localHour >= 9 && localHour < 19 && random.nextInt(100) < 40;
        if (outing) {
            double[] p = jitterKm(s.homeLat, s.homeLon, s.city.radiusKm() * 0.35);
            return new Position(p[0], p[1], Subject.Place.OUT);
        }
        return new Position(s.homeLat, s.homeLon, Subject.Place.HOME);
    }

    private void emitLocations(Subject s) {
        int n = 5 + random.nextInt(36);
        for (int i = 0; i < n; i++) {
            long t = activityMillis(s);
            emitLog(topics.location(), s.userId, locationNode(s, t), dayStart + t, "location");
        }
    }

    private ObjectNode locationNode(Subject s, long dayMillis) {
        Position pos = positionAt(s, dayMillis);
        boolean settled = pos.place() == Subject.Place.HOME || pos.place() == Subject.Place.WORK;
        int pick = random.nextInt(100);
        String source =
                settled
                        ? pick < 30 ? "gps" : pick < 78 ? "wifi" : pick < 90 ? "cell" : "ip"
                        : pick < 62 ? "gps" : pick < 72 ? "wifi" : pick < 92 ? "cell" : "ip";
        double sigmaKm;
        double accuracy;
        switch (source) {
            case "gps" -> {
                sigmaKm = 0.008;
                accuracy = 3 + random.nextDouble() * 22;
            }
            case "wifi" -> {
                sigmaKm = 0.025;
                accuracy = 10 + random.nextDouble() * 50;
            }
            case "cell" -> {
                sigmaKm = 0.4;
                accuracy = 300 + random.nextDouble() * 2700;
            }
            default -> {
                sigmaKm = 2.5;
                accuracy = 2000 + random.nextDouble() * 13_000;
            }
        }
        double[] fix = jitterKm(pos.lat(), pos.lon(), sigmaKm);
        int decimals = source.equals("gps") || random.nextBoolean() ? 6 : 5;

        ObjectNode node = mapper.createObjectNode();
        node.put("event_id", eventId());
        node.put("user_id", s.userId);
        node.put("device_id", s.deviceId);
        node.put("event_time", time(dayStart + dayMillis));
        node.put("lat", coordinate(fix[0], decimals));
        node.put("lon", coordinate(fix[1], decimals));
        node.put("accuracy_m", Math.round(accuracy * 10) / 10.0);
        node.put("source", source);
        switch (source) {
            case "wifi" -> {
                String bssid =
                        pos.place() == Subject.Place.HOME
                                ? s.homeBssid
                                : pos.place() == Subject.Place.WORK
                                        ? s.workBssid
                                        : Identifiers.bssid(random);
                rawIdentifiers.add(bssid);
                node.put("wifi_bssid", bssid);
            }
            case "cell" -> {
                boolean atWork = pos.place() == Subject.Place.WORK;
                boolean known = settled || random.nextInt(100) < 30;
                node.put("cell_mcc", s.city.mcc());
                node.put("cell_mnc", s.mnc);
                node.put(
                        "cell_lac",
                        known ? (atWork ? s.workLac : s.homeLac) : 1000 + random.nextInt(60_000));
                node.put(
                        "cell_cid",
                        known
                                ? (atWork ? s.workCid : s.homeCid)
                                : 10_000 + random.nextLong(200_000_000L));
            }
            case "ip" -> node.put("ip", ipLiteral(wifiIp(s, pos.place())));
            default -> {
                // GPS fixes carry only coordinates and accuracy.
            }
        }
        return node;
    }

    private void emitGpsSubject(Subject s) {
        long grantAt = dayStart - 2 * HOUR_MS - random.nextLong(5 * DAY_MS);
        writeConsent(
                s.userId, grant(grantAt, List.of("analytics", "location"), null), "2026-09", 0);
        List<GpxTrack.Point> track = GpxTrack.load();
        for (GpxTrack.Point p : track) {
            long dayMillis =
                    p.time().toEpochMilli() - p.time().truncatedTo(ChronoUnit.DAYS).toEpochMilli();
            ObjectNode node = mapper.createObjectNode();
            node.put("event_id", eventId());
            node.put("user_id", s.userId);
            node.put("device_id", s.deviceId);
            node.put("event_time", time(dayStart + dayMillis));
            node.put("lat", fileCoordinate(p.lat()));
            node.put("lon", fileCoordinate(p.lon()));
            node.put("accuracy_m", Math.round((3 + random.nextDouble() * 9) * 10) / 10.0);
            node.put("source", "gps");
            emitLog(topics.location(), s.userId, node, dayStart + dayMillis, "location");
        }
        counts.put("gps_trace", track.size());
        emitDevices(s);
        emitServices(s);
    }

    // ---------------------------------------------------------------------------------------------------- devices

    private void emitDevices(Subject s) {
        int n = 2 + random.nextInt(19);
        for (int i = 0; i < n; i++) {
            long t = activityMillis(s);
            emitLog(topics.device(), s.userId, deviceNode(s, t), dayStart + t, "device");
        }
    }

    private ObjectNode deviceNode(Subject s, long dayMillis) {
        Subject.Place place = positionAt(s, dayMillis).place();
        String network = networkType(place);
        boolean wifi = network.equals("wifi");
        ObjectNode node = mapper.createObjectNode();
        node.put("event_id", eventId());
        node.put("user_id", s.userId);
        node.put("device_id", s.deviceId);
        node.put("event_time", time(dayStart + dayMillis));
        node.put("device_model", s.phone.model());
        node.put("os_name", s.phone.osName());
        node.put("os_version", s.phone.osVersion());
        node.put("app_version", s.appVersion);
        node.put("user_agent", s.phone.userAgent());
        node.put("ip", ipLiteral(wifi ? wifiIp(s, place) : s.mobileIp));
        node.put("battery_pct", battery(s, dayMillis));
        node.put("signal_dbm", wifi ? -50 - random.nextInt(36) : -60 - random.nextInt(61));
        node.put("network_type", network);
        return node;
    }

    private String networkType(Subject.Place place) {
        int pick = random.nextInt(100);
        if ((place == Subject.Place.HOME && pick < 85)
                || (place == Subject.Place.WORK && pick < 70)) {
            return "wifi";
        }
        pick = random.nextInt(100);
        return pick < 55
                ? "4g"
                : pick < 85 ? "5g" : pick < 95 ? "3g" : pick < 98 ? "unknown" : "none";
    }

    /**
     * Battery charge in percent: charged overnight, draining through the day, with noise; 0 to 100.
     */
    private int battery(Subject s, long dayMillis) {
        double localHours = localHoursOfDay(s, dayMillis);
        double level =
                localHours < 7
                        ? 92 + random.nextDouble() * 8
                        : 100 - (localHours - 7) * s.batteryDrainPerHour + gaussian() * 4;
        return (int) Math.max(0, Math.min(100, Math.round(level)));
    }

    // ---------------------------------------------------------------------------------------------------- services

    private void emitServices(Subject s) {
        int n = 5 + (int) Math.floor(56 * StrictMath.pow(random.nextDouble(), 1.6));
        long[] times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = activityMillis(s);
        }
        Arrays.sort(times);
        String session = newSession();
        String lastUrl = null;
        for (int i = 0; i < n; i++) {
            if (i > 0 && times[i] - times[i - 1] > 30 * 60_000L) {
                session = newSession();
                lastUrl = null;
            }
            lastUrl = emitService(s, times[i], session, lastUrl, null, true);
        }
    }

    /**
     * Writes one service event.
     *
     * @param dayMillis event time, milliseconds after the day's 00:00 UTC
     * @param previousUrl last page viewed in the session, used as referrer, or null
     * @param action the action, or null to draw one
     * @param allowLate whether the record may arrive late (false: sent at its event time)
     * @return the url viewed, or {@code previousUrl} if the event was not a view
     */
    private String emitService(
            Subject s,
            long dayMillis,
            String session,
            String previousUrl,
            String action,
            boolean allowLate) {
        long eventMillis = dayStart + dayMillis;
        ObjectNode node = serviceNode(s, dayMillis, session, previousUrl, action);
        if (allowLate) {
            emitLog(topics.service(), s.userId, node, eventMillis, "service");
        } else {
            add(topics.service(), s.userId, json(node), eventMillis, "service", false);
            goodLogRecords++;
        }
        return node.has("url") && node.get("action").asText().equals("view")
                ? node.get("url").asText()
                : previousUrl;
    }

    private ObjectNode serviceNode(
            Subject s, long dayMillis, String session, String previousUrl, String fixedAction) {
        String action = fixedAction != null ? fixedAction : drawAction();
        Subject.Place place = positionAt(s, dayMillis).place();
        ObjectNode node = mapper.createObjectNode();
        node.put("event_id", eventId());
        node.put("user_id", s.userId);
        node.put("device_id", s.deviceId);
        node.put("session_id", session);
        node.put("event_time", time(dayStart + dayMillis));
        node.put("action", action);
        switch (action) {
            case "search" ->
                    node.put(
                            "query",
                            String.format(
                                    Locale.ROOT,
                                    QUERIES.get(random.nextInt(QUERIES.size())),
                                    s.city.label().toLowerCase(Locale.ROOT)));
            case "view" -> {
                node.put("url", pageUrl(s));
                String referrer =
                        previousUrl != null && random.nextInt(100) < 60
                                ? previousUrl
                                : random.nextInt(100) < 40 ? "https://www.google.com/" : null;
                if (referrer != null) {
                    node.put("referrer_url", referrer);
                }
                node.put(
                        "duration_ms",
                        (long) (-StrictMath.log(1 - random.nextDouble()) * 40_000) + 500);
            }
            case "fault" -> {
                String endpoint = API_ENDPOINTS.get(random.nextInt(API_ENDPOINTS.size()));
                node.put("url", "https://api.veil-demo.ie/v2/" + endpoint);
                node.put("error_code", ERROR_CODES.get(random.nextInt(ERROR_CODES.size())));
            }
            case "message" ->
                    node.put("peer_account_id", s.contacts.get(random.nextInt(s.contacts.size())));
            case "call" -> {
                node.put(
                        "duration_ms",
                        random.nextInt(100) < 10
                                ? 0
                                : 10_000
                                        + (long)
                                                (-StrictMath.log(1 - random.nextDouble())
                                                        * 180_000));
                if (random.nextInt(100) < 55) {
                    node.put("peer_account_id", s.contacts.get(random.nextInt(s.contacts.size())));
                } else {
                    node.put(
                            "peer_phone",
                            s.phoneContacts.get(random.nextInt(s.phoneContacts.size())).written());
                }
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
        node.put(
                "ip", ipLiteral(networkType(place).equals("wifi") ? wifiIp(s, place) : s.mobileIp));
        return node;
    }

    private String drawAction() {
        int pick = random.nextInt(100);
        return pick < 45
                ? "view"
                : pick < 67 ? "search" : pick < 85 ? "message" : pick < 93 ? "call" : "fault";
    }

    private String pageUrl(Subject s) {
        String city = s.city.label().toLowerCase(Locale.ROOT);
        return switch (random.nextInt(5)) {
            case 0 ->
                    "https://www.rte.ie/news/"
                            + RTE_SECTIONS.get(random.nextInt(RTE_SECTIONS.size()))
                            + "/"
                            + String.format(
                                    Locale.ROOT, "%07d", 1_000_000 + random.nextInt(8_999_999))
                            + "-"
                            + NEWS_SLUGS.get(random.nextInt(NEWS_SLUGS.size()))
                            + "/";
            case 1 -> "https://www.met.ie/weather-forecast/" + city;
            case 2 ->
                    "https://www.buseireann.ie/timetables/"
                            + BUS_ROUTES.get(random.nextInt(BUS_ROUTES.size()));
            case 3 ->
                    "https://shop.veil-demo.ie/p/" + (10_000 + random.nextInt(90_000)) + "?ref=app";
            default ->
                    "https://help.veil-demo.ie/articles/"
                            + (100 + random.nextInt(900))
                            + "-"
                            + List.of(
                                            "reset-password",
                                            "data-usage",
                                            "notifications",
                                            "privacy-settings",
                                            "billing")
                                    .get(random.nextInt(5));
        };
    }

    private String newSession() {
        String session = "sess-" + Identifiers.hex(random, 16);
        rawIdentifiers.add(session);
        return session;
    }

    // ---------------------------------------------------------------------------------------------------- IPs

    /**
     * The address the subject's Wi-Fi traffic comes from at a place: the home or work line, else
     * mobile data.
     */
    private static String wifiIp(Subject s, Subject.Place place) {
        return switch (place) {
            case HOME -> s.homeIp;
            case WORK -> s.workIp;
            default -> s.mobileIp;
        };
    }

    /**
     * The literal written into a record: usually the address itself, sometimes with a port or, for
     * IPv4, in IPv4-mapped IPv6 form. Both the literal and the bare address are raw identifiers.
     */
    private String ipLiteral(String address) {
        rawIdentifiers.add(address);
        boolean v6 = address.indexOf(':') >= 0;
        int pick = random.nextInt(100);
        String literal;
        if (pick < 3) {
            String port = PORTS.get(random.nextInt(PORTS.size()));
            literal = v6 ? "[" + address + "]:" + port : address + ":" + port;
        } else if (pick < 6 && !v6) {
            literal = "::ffff:" + address;
        } else {
            literal = address;
        }
        rawIdentifiers.add(literal);
        return literal;
    }

    // ---------------------------------------------------------------------------------------------------- malformed

    private void emitMalformedLogs() {
        List<MalformedKind> kinds =
                Arrays.stream(MalformedKind.values()).filter(MalformedKind::forLogs).toList();
        int total =
                Math.max((int) Math.round(goodLogRecords * MALFORMED_LOG_SHARE), 3 * kinds.size());
        for (int i = 0; i < total; i++) {
            MalformedKind kind = kinds.get(i % kinds.size());
            Subject s = subjects.get(random.nextInt(subjects.size()));
            long t = activityMillis(s);
            String topic =
                    switch (kind) {
                        case WRONG_TYPE, OUT_OF_RANGE, INVALID_IP -> topics.device();
                        case UNKNOWN_ENUM, INVALID_URL -> topics.service();
                        case INVALID_COORDINATES -> topics.location();
                        default ->
                                List.of(topics.device(), topics.location(), topics.service())
                                        .get(random.nextInt(3));
                    };
            ObjectNode node =
                    topic.equals(topics.device())
                            ? deviceNode(s, t)
                            : topic.equals(topics.location())
                                    ? locationNode(s, t)
                                    : serviceNode(
                                            s,
                                            t,
                                            newSession(),
                                            null,
                                            kind == MalformedKind.INVALID_URL ? "view" : null);
            String value =
                    switch (kind) {
                        case WRONG_TYPE ->
                                json(
                                        node.put(
                                                "battery_pct",
                                                random.nextBoolean() ? "full" : "charging"));
                        case OUT_OF_RANGE ->
                                json(
                                        node.put(
                                                "battery_pct",
                                                List.of(150, 101, -5).get(random.nextInt(3))));
                        case UNKNOWN_ENUM -> json(node.put("action", "teleport"));
                        case INVALID_IP ->
                                json(
                                        node.put(
                                                "ip",
                                                INVALID_IPS.get(
                                                        random.nextInt(INVALID_IPS.size()))));
                        case INVALID_URL ->
                                json(
                                        node.put(
                                                "url",
                                                INVALID_URLS.get(
                                                        random.nextInt(INVALID_URLS.size()))));
                        case INVALID_COORDINATES ->
                                json(
                                        random.nextBoolean()
                                                ? node.put(
                                                        "lat",
                                                        new BigDecimal(
                                                                random.nextBoolean()
                                                                        ? "95.5"
                                                                        : "-120.25"))
                                                : node.put(
                                                        "lon",
                                                        new BigDecimal(
                                                                random.nextBoolean()
                                                                        ? "-181.0"
                                                                        : "200.125")));
                        default -> breakJson(kind, node, s.userId, "event_time");
                    };
            addMalformed(kind, topic, s.userId, value, dayStart + t);
        }
    }

    private void emitMalformedConsent(int subjectCount) {
        List<MalformedKind> kinds =
                Arrays.stream(MalformedKind.values()).filter(MalformedKind::forConsent).toList();
        int total = kinds.size() + subjectCount / 1000;
        for (int i = 0; i < total; i++) {
            MalformedKind kind = kinds.get(i % kinds.size());
            Subject s = subjects.get(random.nextInt(subjects.size()));
            long at = inDay(s, 6, 22);
            ObjectNode node = consentNode(s.userId, grant(at, BASE_PURPOSES, null), "2026-09");
            String value =
                    switch (kind) {
                        case UNKNOWN_ENUM ->
                                random.nextBoolean()
                                        ? json(node.put("action", "pause"))
                                        : json(
                                                node.set(
                                                        "purposes",
                                                        mapper.createArrayNode()
                                                                .add("analytics")
                                                                .add("marketing")));
                        case MISSING_PURPOSES -> {
                            node.remove("purposes");
                            yield json(
                                    node.put("action", random.nextBoolean() ? "grant" : "revoke"));
                        }
                        default -> breakJson(kind, node, s.userId, "effective_time");
                    };
            addMalformed(kind, topics.consent(), s.userId, value, at);
        }
    }

    /** Text of the kinds that break a whole document or drop a required field. */
    private String breakJson(
            MalformedKind kind, ObjectNode node, String userId, String requiredTime) {
        return switch (kind) {
            case NOT_JSON -> NOT_JSON.get(random.nextInt(NOT_JSON.size())).replace("%s", userId);
            case TRUNCATED_JSON -> {
                String text = json(node);
                yield text.substring(0, (int) (text.length() * (0.3 + 0.6 * random.nextDouble())));
            }
            case JSON_ARRAY -> "[" + json(node) + "]";
            case MISSING_REQUIRED -> {
                node.remove(requiredTime);
                yield json(node);
            }
            default -> throw new IllegalStateException("not a document-level kind: " + kind);
        };
    }

    private void addMalformed(
            MalformedKind kind, String topic, String key, String value, long timestamp) {
        records.add(new SampleRecord(topic, key, value, timestamp));
        counts.merge(kind.category().key(), 1, Integer::sum);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /** Adds a well-formed log record; about 2% arrive up to 20 s late. */
    private void emitLog(
            String topic, String key, ObjectNode node, long eventMillis, String countKey) {
        boolean late = random.nextDouble() < LATE_LOG_SHARE;
        long timestamp = late ? eventMillis + 1 + random.nextLong(MAX_LATENESS_MS) : eventMillis;
        add(topic, key, json(node), timestamp, countKey, late);
        goodLogRecords++;
    }

    private void add(
            String topic, String key, String value, long timestamp, String countKey, boolean late) {
        records.add(new SampleRecord(topic, key, value, timestamp));
        counts.merge(countKey, 1, Integer::sum);
        if (late) {
            counts.merge("late_arrivals", 1, Integer::sum);
        }
    }

    private String json(ObjectNode node) {
        try {
            return mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private String eventId() {
        String id = Identifiers.uuid(random);
        rawIdentifiers.add(id);
        return id;
    }

    private static String time(long epochMillis) {
        return RFC3339_MILLIS.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * A moment of the day drawn from the activity curve in the subject's local time: milliseconds
     * after 00:00 UTC, in {@code [0, 24 h)}.
     */
    private long activityMillis(Subject s) {
        double total = 0;
        for (double w : HOURLY_ACTIVITY) {
            total += w;
        }
        double pick = random.nextDouble() * total;
        int hour = 0;
        while (hour < 23 && pick >= HOURLY_ACTIVITY[hour]) {
            pick -= HOURLY_ACTIVITY[hour];
            hour++;
        }
        long local = hour * HOUR_MS + random.nextLong(HOUR_MS);
        return Math.floorMod(local - s.city.utcOffsetHours() * HOUR_MS, DAY_MS);
    }

    private static int localHour(Subject s, long dayMillis) {
        return (int)
                (Math.floorMod(dayMillis + s.city.utcOffsetHours() * HOUR_MS, DAY_MS) / HOUR_MS);
    }

    private static double localHoursOfDay(Subject s, long dayMillis) {
        return Math.floorMod(dayMillis + s.city.utcOffsetHours() * HOUR_MS, DAY_MS)
                / (double) HOUR_MS;
    }

    /**
     * A point near (lat, lon), moved by a 2-D Gaussian with standard deviation {@code sigmaKm} per
     * axis.
     */
    private double[] jitterKm(double lat, double lon, double sigmaKm) {
        double north = gaussian() * sigmaKm;
        double east = gaussian() * sigmaKm;
        return new double[] {
            lat + north / KM_PER_DEGREE,
            lon + east / (KM_PER_DEGREE * StrictMath.cos(StrictMath.toRadians(lat)))
        };
    }

    /** Standard normal value by the Box-Muller transform (stable across JDK versions). */
    private double gaussian() {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
    }

    /**
     * A synthetic coordinate with exactly {@code decimals} decimals and a non-zero last digit (so
     * its JSON text is also its shortest form); registered as a raw identifier.
     */
    private BigDecimal coordinate(double value, int decimals) {
        BigDecimal d = BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP);
        if (d.unscaledValue().mod(BigInteger.TEN).signum() == 0) {
            d = d.add(BigDecimal.ONE.movePointLeft(decimals));
        }
        rawIdentifiers.add(d.toPlainString());
        return d;
    }

    /**
     * A coordinate exactly as written in the GPX file; registered as a raw identifier as written
     * and, if it has trailing zeros, also without them when at least five decimals remain.
     */
    private BigDecimal fileCoordinate(String text) {
        BigDecimal d = new BigDecimal(text);
        rawIdentifiers.add(d.toPlainString());
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() >= 5) {
            rawIdentifiers.add(stripped.toPlainString());
        }
        return d;
    }
}
