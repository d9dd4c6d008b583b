package dev.veil.tools.sample;

import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Makers of realistic raw identifier values from a seeded random generator: user ids, UUIDs,
 * IMEI-like ids, IP addresses, Wi-Fi BSSIDs and Irish phone numbers. All methods are pure functions
 * of the generator's state.
 */
final class Identifiers {

    private static final String ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String HEX = "0123456789abcdef";

    /** Type allocation codes (first 8 IMEI digits) of common handsets. */
    private static final List<String> TACS =
            List.of(
                    "35332509",
                    "35391108",
                    "35875209",
                    "35161508",
                    "86891103",
                    "86769204",
                    "35420910",
                    "35699311");

    /** Public IPv4 /16 prefixes of broadband and mobile networks, plus the documentation ranges. */
    private static final List<String> PUBLIC_V4 =
            List.of(
                    "86.40", "86.43", "86.46", "89.100", "89.101", "37.228", "109.76", "109.78",
                    "78.16", "87.198", "81.2", "91.64", "83.45", "188.141");

    private static final List<String> DOC_V4 = List.of("192.0.2", "198.51.100", "203.0.113");

    /** IPv6 /32 prefixes: documentation and home broadband networks. */
    private static final List<int[]> V6_PREFIXES =
            List.of(
                    new int[] {0x2001, 0x0db8},
                    new int[] {0x2a02, 0x8084},
                    new int[] {0x2a02, 0x8086},
                    new int[] {0x2a00, 0x23c5},
                    new int[] {0x2a01, 0x0598},
                    new int[] {0x2a0c, 0x5a80});

    /** Organisationally unique identifiers of common access-point vendors. */
    private static final List<String> OUIS =
            List.of(
                    "a4:2b:b0",
                    "f4:f2:6d",
                    "00:1d:aa",
                    "3c:a6:2f",
                    "e4:8d:8c",
                    "c0:25:e9",
                    "70:4f:57",
                    "b0:be:76",
                    "dc:a6:32",
                    "44:d9:e7");

    /** Irish mobile network prefixes (national, without the leading 0). */
    private static final List<String> MOBILE_PREFIXES = List.of("83", "85", "86", "87", "89");

    private Identifiers() {}

    /** A user id "u-" followed by 10 lower-case letters and digits. */
    static String userId(SplittableRandom r) {
        StringBuilder b = new StringBuilder("u-");
        for (int i = 0; i < 10; i++) {
            b.append(ALNUM.charAt(r.nextInt(ALNUM.length())));
        }
        return b.toString();
    }

    /**
     * A version-4 UUID in canonical lower-case form, derived from the generator (never from a
     * system source).
     */
    static String uuid(SplittableRandom r) {
        long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb).toString();
    }

    /** A lower-case hex string of {@code length} characters. */
    static String hex(SplittableRandom r, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(HEX.charAt(r.nextInt(16)));
        }
        return b.toString();
    }

    /**
     * A 15-digit IMEI: a real-looking type allocation code, a 6-digit serial and the Luhn check
     * digit.
     */
    static String imei(SplittableRandom r) {
        StringBuilder b = new StringBuilder(TACS.get(r.nextInt(TACS.size())));
        for (int i = 0; i < 6; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.append(luhnDigit(b)).toString();
    }

    private static char luhnDigit(CharSequence digits) {
        int sum = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digits.charAt(digits.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        return (char) ('0' + (10 - sum % 10) % 10);
    }

    /**
     * A public-looking IPv4 address of a home broadband line (some in the documentation ranges).
     */
    static String homeIpv4(SplittableRandom r) {
        if (r.nextInt(4) == 0) {
            return DOC_V4.get(r.nextInt(DOC_V4.size())) + "." + (1 + r.nextInt(254));
        }
        return PUBLIC_V4.get(r.nextInt(PUBLIC_V4.size()))
                + "."
                + r.nextInt(256)
                + "."
                + (1 + r.nextInt(254));
    }

    /**
     * An IPv4 address as seen from a mobile network: carrier-grade NAT (100.64/10), private 10/8 or
     * public.
     */
    static String mobileIpv4(SplittableRandom r) {
        int pick = r.nextInt(10);
        if (pick < 5) {
            return "100."
                    + (64 + r.nextInt(64))
                    + "."
                    + r.nextInt(256)
                    + "."
                    + (1 + r.nextInt(254));
        }
        if (pick < 8) {
            return "10." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
        }
        return homeIpv4(r);
    }

    /** A global IPv6 address in RFC 5952 text form (lower case, longest zero run compressed). */
    static String ipv6(SplittableRandom r) {
        int[] groups = new int[8];
        int[] prefix = V6_PREFIXES.get(r.nextInt(V6_PREFIXES.size()));
        groups[0] = prefix[0];
        groups[1] = prefix[1];
        groups[2] = r.nextInt(0x10000);
        groups[3] = r.nextInt(4) == 0 ? 0 : r.nextInt(0x10000);
        boolean sparse = r.nextInt(3) == 0;
        for (int i = 4; i < 8; i++) {
            groups[i] = sparse && i < 7 ? 0 : r.nextInt(0x10000);
        }
        return formatIpv6(groups);
    }

    /** RFC 5952 text of eight 16-bit groups. */
    static String formatIpv6(int[] groups) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(groups[i]));
        }
        return b.toString();
    }

    /**
     * A Wi-Fi access point BSSID: a vendor OUI and three random bytes, lower-case colon-separated
     * hex.
     */
    static String bssid(SplittableRandom r) {
        StringBuilder b = new StringBuilder(OUIS.get(r.nextInt(OUIS.size())));
        for (int i = 0; i < 3; i++) {
            b.append(':').append(HEX.charAt(r.nextInt(16))).append(HEX.charAt(r.nextInt(16)));
        }
        return b.toString();
    }

    /**
     * An Irish mobile number in one of the forms people and apps write: "+353 87 123 4567", "087
     * 1234567" or "+353871234567".
     *
     * @return the number as written, and its E.164 form
     */
    static Phone irishMobile(SplittableRandom r) {
        String prefix = MOBILE_PREFIXES.get(r.nextInt(MOBILE_PREFIXES.size()));
        String subscriber = String.format(Locale.ROOT, "%07d", r.nextInt(10_000_000));
        String e164 = "+353" + prefix + subscriber;
        String written =
                switch (r.nextInt(3)) {
                    case 0 ->
                            "+353 "
                                    + prefix
                                    + " "
                                    + subscriber.substring(0, 3)
                                    + " "
                                    + subscriber.substring(3);
                    case 1 -> "0" + prefix + " " + subscriber;
                    default -> e164;
                };
        return new Phone(written, e164);
    }

    /**
     * A phone number.
     *
     * @param written the number as it appears in a record
     * @param e164 the same number in E.164 form, for example "+353871234567"
     */
    record Phone(String written, String e164) {}
}
