package dev.veil.tools.sample;

import java.util.ArrayList;
import java.util.List;

/**
 * One data subject of the sample: identity, device, home city, daily routine and contacts. Mutable
 * only while the generator sets it up (contacts are added once all subjects exist).
 */
final class Subject {

    /** Where a subject is at some moment. */
    enum Place {
        /** At home. */
        HOME,
        /** At the work place. */
        WORK,
        /** Travelling between home and work. */
        COMMUTE,
        /** Somewhere else in the city. */
        OUT
    }

    final String userId;
    final String deviceId;
    final City city;
    final UserAgentCatalog.Phone phone;
    final String appVersion;
    final double homeLat;
    final double homeLon;
    final double workLat;
    final double workLon;

    /** Whether the subject commutes to a work place; if false, work coordinates are unused. */
    final boolean commuter;

    /**
     * Leaves home, arrives at work, leaves work, arrives home: milliseconds after the day's 00:00
     * UTC.
     */
    final long[] commuteMillis;

    final String homeIp;
    final String workIp;
    final String mobileIp;
    final String homeBssid;
    final String workBssid;
    final int mnc;
    final long homeLac;
    final long homeCid;
    final long workLac;
    final long workCid;

    /** Battery drain, percent per hour of use. */
    final double batteryDrainPerHour;

    final ConsentScenario scenario;
    final List<String> contacts = new ArrayList<>();
    final List<Identifiers.Phone> phoneContacts = new ArrayList<>();

    Subject(Builder b) {
        this.userId = b.userId;
        this.deviceId = b.deviceId;
        this.city = b.city;
        this.phone = b.phone;
        this.appVersion = b.appVersion;
        this.homeLat = b.homeLat;
        this.homeLon = b.homeLon;
        this.workLat = b.workLat;
        this.workLon = b.workLon;
        this.commuter = b.commuter;
        this.commuteMillis = b.commuteMillis.clone();
        this.homeIp = b.homeIp;
        this.workIp = b.workIp;
        this.mobileIp = b.mobileIp;
        this.homeBssid = b.homeBssid;
        this.workBssid = b.workBssid;
        this.mnc = b.mnc;
        this.homeLac = b.homeLac;
        this.homeCid = b.homeCid;
        this.workLac = b.workLac;
        this.workCid = b.workCid;
        this.batteryDrainPerHour = b.batteryDrainPerHour;
        this.scenario = b.scenario;
    }

    /**
     * Where the subject is at {@code dayMillis} (milliseconds after the day's 00:00 UTC), ignoring
     * detours.
     */
    Place routinePlace(long dayMillis) {
        if (!commuter) {
            return Place.HOME;
        }
        if (dayMillis >= commuteMillis[0] && dayMillis < commuteMillis[1]) {
            return Place.COMMUTE;
        }
        if (dayMillis >= commuteMillis[1] && dayMillis < commuteMillis[2]) {
            return Place.WORK;
        }
        if (dayMillis >= commuteMillis[2] && dayMillis < commuteMillis[3]) {
            return Place.COMMUTE;
        }
        return Place.HOME;
    }

    /** Fields of a {@link Subject}, set one by one by the generator. */
    static final class Builder {
        String userId;
        String deviceId;
        City city;
        UserAgentCatalog.Phone phone;
        String appVersion;
        double homeLat;
        double homeLon;
        double workLat;
        double workLon;
        boolean commuter;
        long[] commuteMillis = new long[4];
        String homeIp;
        String workIp;
        String mobileIp;
        String homeBssid;
        String workBssid;
        int mnc;
        long homeLac;
        long homeCid;
        long workLac;
        long workCid;
        double batteryDrainPerHour;
        ConsentScenario scenario;
    }
}
