package dev.veil.privacy;

import inet.ipaddr.AddressStringParameters.RangeParameters;
import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;

import java.util.Objects;

/**
 * Generalises an IP address literal to its network prefix in CIDR notation (RFC 4632 for IPv4, RFC
 * 4291 section 2.3 for IPv6), for example {@code "203.0.113.77"} to {@code "203.0.113.0/24"}.
 *
 * <p>Accepted input, after {@link String#strip()}:
 *
 * <ul>
 *   <li>an IPv4 address in dotted-decimal quad form, each octet 0 to 255 without leading zeros
 *       ({@code "203.0.113.7"}), optionally followed by {@code ":port"};
 *   <li>an IPv6 address in any RFC 4291 section 2.2 text form (including the mixed form with a
 *       trailing dotted quad), optionally with a zone id ({@code "fe80::1%eth0"}, or the RFC 6874
 *       URI form {@code "fe80::1%25eth0"}) that is discarded, optionally in brackets ({@code
 *       "[2001:db8::1]"}), and with a port only in brackets ({@code "[2001:db8::1]:443"}), as in
 *       RFC 3986 section 3.2.2. A bare IPv6 literal never loses its last group as a "port";
 *   <li>a port is 1 to 5 decimal digits, at most 65535, and is discarded.
 * </ul>
 *
 * IPv4-mapped IPv6 addresses ({@code ::ffff:0:0/96}, RFC 4291 section 2.5.5.2), in every spelling,
 * are treated as the embedded IPv4 address: the IPv4 prefix length applies and the result is in
 * IPv4 notation, so that one client seen through a dual-stack socket and a plain IPv4 socket gives
 * one value.
 *
 * <p>Rejected: host names (no DNS lookup is ever made), {@code inet_aton} forms ({@code "127.1"},
 * {@code "0x7f.0.0.1"}, {@code "2130706433"}, octal), leading-zero octets, binary, IPv6 base 85,
 * prefixes or masks ({@code "1.2.3.0/24"}), ranges, wildcards ({@code "*"}, {@code "1.2.*.4"}), the
 * empty string, and anything else that is not exactly one address.
 *
 * <p>Output is canonical: IPv4 dotted decimal, IPv6 RFC 5952 (lower case, longest zero run
 * compressed), for example {@code "2001:db8:85a3::/48"}; prefix length 32 or 128 gives the single
 * address with {@code /32} or {@code /128}. In the {@link Form#ADDRESS} form the {@code /length} is
 * left out and only the network address is written ({@code "203.0.113.0"}, {@code
 * "2001:db8:85a3::"}): the prefix length is then known from the rule, not from the value.
 *
 * <p>Parsing uses the IPAddress library ({@code inet.ipaddr}). Immutable and thread-safe.
 */
public final class IpGeneraliser {

    private static final String REASON = "invalid_ip";

    /** Literal addresses only: every lenient or multi-address form of the library switched off. */
    private static final IPAddressStringParameters STRICT = strictParameters();

    /** How a generalised address is written. */
    public enum Form {
        /** Network address and prefix length, RFC 4632 / RFC 4291 section 2.3: "203.0.113.0/24". */
        CIDR,
        /** The network address alone (all host bits zero): "203.0.113.0", "2001:db8::". */
        ADDRESS
    }

    private final int ipv4PrefixLength;
    private final int ipv6PrefixLength;
    private final Form form;

    /**
     * Creates a generaliser that writes {@link Form#CIDR}.
     *
     * @param ipv4PrefixLength prefix length in bits kept of IPv4 addresses, 0 to 32
     * @param ipv6PrefixLength prefix length in bits kept of IPv6 addresses, 0 to 128
     * @throws IllegalArgumentException if a length is out of range; the message quotes it
     */
    public IpGeneraliser(int ipv4PrefixLength, int ipv6PrefixLength) {
        this(ipv4PrefixLength, ipv6PrefixLength, Form.CIDR);
    }

    /**
     * Creates a generaliser.
     *
     * @param ipv4PrefixLength prefix length in bits kept of IPv4 addresses, 0 to 32 (24 keeps a /24
     *     network)
     * @param ipv6PrefixLength prefix length in bits kept of IPv6 addresses, 0 to 128 (48 keeps a
     *     site prefix)
     * @param form how the result is written
     * @throws IllegalArgumentException if a length is out of range; the message quotes it
     * @throws NullPointerException if {@code form} is null
     */
    public IpGeneraliser(int ipv4PrefixLength, int ipv6PrefixLength, Form form) {
        if (ipv4PrefixLength < 0 || ipv4PrefixLength > 32) {
            throw new IllegalArgumentException(
                    "ipv4PrefixLength must be between 0 and 32, was " + ipv4PrefixLength);
        }
        if (ipv6PrefixLength < 0 || ipv6PrefixLength > 128) {
            throw new IllegalArgumentException(
                    "ipv6PrefixLength must be between 0 and 128, was " + ipv6PrefixLength);
        }
        this.ipv4PrefixLength = ipv4PrefixLength;
        this.ipv6PrefixLength = ipv6PrefixLength;
        this.form = Objects.requireNonNull(form, "form");
    }

    /**
     * Returns the network prefix of an address literal in canonical form.
     *
     * @param literal an IPv4 or IPv6 address literal as described in the class comment; may be null
     *     (rejected)
     * @return for example {@code "203.0.113.0/24"} or {@code "2001:db8:85a3::/48"} ({@link
     *     Form#CIDR}), {@code "203.0.113.0"} or {@code "2001:db8:85a3::"} ({@link Form#ADDRESS})
     * @throws InvalidValueException reason {@code "invalid_ip"} if the input is not exactly one
     *     address literal; the message never contains the input
     */
    public String generalise(String literal) throws InvalidValueException {
        if (literal == null) {
            throw new InvalidValueException(REASON, "IP literal is missing");
        }
        String s = literal.strip();
        String fast = generaliseDottedQuad(s);
        if (fast != null) {
            return fast;
        }
        return generaliseAddress(address(s));
    }

    /**
     * The network prefix of an address from {@link #address(String)}, in this generaliser's form.
     */
    String generaliseAddress(IPAddress address) {
        int prefix = address.isIPv4() ? ipv4PrefixLength : ipv6PrefixLength;
        IPAddress block = address.toPrefixBlock(prefix);
        return form == Form.CIDR
                ? block.toCanonicalString()
                : block.getLower().withoutPrefixLength().toCanonicalString();
    }

    /**
     * Parses one address literal as the class comment defines it, without generalising it; an
     * IPv4-mapped IPv6 address comes back as IPv4. Never a DNS lookup.
     *
     * @param literal the literal, already stripped
     * @throws InvalidValueException reason {@code "invalid_ip"}; the message never quotes the input
     */
    static IPAddress address(String literal) throws InvalidValueException {
        IPAddress address = parse(literal);
        if (address.isIPv6() && address.isIPv4Convertible()) {
            // The default converter converts exactly the IPv4-mapped range ::ffff:0:0/96.
            address = address.toIPv4();
        }
        return address;
    }

    /**
     * The common case without the library: a plain dotted quad, optionally with ":port", as the
     * class comment defines them. Null for anything else (the library then decides, rejections
     * included). The result is the library's canonical prefix block: the network address, "/", the
     * prefix length.
     */
    private String generaliseDottedQuad(String s) {
        int end = s.length();
        int colon = s.indexOf(':');
        if (colon >= 0) {
            if (colon != s.lastIndexOf(':') || !isPort(s.substring(colon + 1))) {
                return null;
            }
            end = colon;
        }
        int address = 0;
        int octets = 0;
        int i = 0;
        while (i < end) {
            int start = i;
            int v = 0;
            while (i < end && i - start < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            int len = i - start;
            if (len == 0
                    || len > 3
                    || v > 255
                    || (len > 1 && s.charAt(start) == '0')
                    || ++octets > 4) {
                return null;
            }
            address = (address << 8) | v;
            if (i < end) {
                if (s.charAt(i) != '.' || i + 1 == end) {
                    return null;
                }
                i++;
            }
        }
        if (octets != 4) {
            return null;
        }
        int network = ipv4PrefixLength == 0 ? 0 : address & (-1 << (32 - ipv4PrefixLength));
        return ((network >>> 24) & 0xFF)
                + "."
                + ((network >>> 16) & 0xFF)
                + "."
                + ((network >>> 8) & 0xFF)
                + "."
                + (network & 0xFF)
                + (form == Form.CIDR ? "/" + ipv4PrefixLength : "");
    }

    private static IPAddress parse(String s) throws InvalidValueException {
        String host;
        boolean mustBeIpv6 = false;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new InvalidValueException(REASON, "IP literal has an unclosed bracket");
            }
            String rest = s.substring(close + 1);
            if (!rest.isEmpty() && !(rest.charAt(0) == ':' && isPort(rest.substring(1)))) {
                throw new InvalidValueException(
                        REASON, "IP literal has text after the bracket that is not a port");
            }
            host = stripZone(s.substring(1, close));
            mustBeIpv6 = true;
        } else {
            int firstColon = s.indexOf(':');
            if (firstColon >= 0 && firstColon == s.lastIndexOf(':')) {
                // Exactly one colon cannot be IPv6 (that needs at least two): it is "ipv4:port".
                if (!isPort(s.substring(firstColon + 1))) {
                    throw new InvalidValueException(REASON, "IP literal has an invalid port");
                }
                host = s.substring(0, firstColon);
            } else {
                host = firstColon >= 0 ? stripZone(s) : s;
            }
        }
        IPAddress address = new IPAddressString(host, STRICT).getAddress();
        if (address == null) {
            // The library's exception message quotes the input, so only a fixed detail is reported.
            throw new InvalidValueException(REASON, "not a single IPv4 or IPv6 address literal");
        }
        if (mustBeIpv6 && !address.isIPv6()) {
            throw new InvalidValueException(
                    REASON, "brackets are only allowed around IPv6 literals");
        }
        return address;
    }

    private static String stripZone(String ipv6) throws InvalidValueException {
        int percent = ipv6.indexOf('%');
        if (percent < 0) {
            return ipv6;
        }
        if (percent == ipv6.length() - 1) {
            throw new InvalidValueException(REASON, "IPv6 literal has an empty zone id");
        }
        return ipv6.substring(0, percent);
    }

    private static boolean isPort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return Integer.parseInt(s) <= 65535;
    }

    private static IPAddressStringParameters strictParameters() {
        IPAddressStringParameters.Builder builder =
                new IPAddressStringParameters.Builder()
                        .allowEmpty(false)
                        .allowAll(false)
                        .allowSingleSegment(false)
                        .allowPrefix(false)
                        .allowMask(false)
                        .allowPrefixOnly(false)
                        .allowWildcardedSeparator(false)
                        .setRangeOptions(RangeParameters.NO_RANGE)
                        .allow_inet_aton(false);
        builder.getIPv4AddressParametersBuilder()
                .allowLeadingZeros(false)
                .allowUnlimitedLeadingZeros(false)
                .allowBinary(false);
        builder.getIPv6AddressParametersBuilder()
                .allowZone(false)
                .allowBase85(false)
                .allowBinary(false)
                .allowUnlimitedLeadingZeros(false)
                .allowMixed(true)
                .allow_mixed_inet_aton(false)
                .getEmbeddedIPv4AddressParametersBuilder()
                .allow_inet_aton(false)
                .allowLeadingZeros(false)
                .allowUnlimitedLeadingZeros(false)
                .allowBinary(false);
        return builder.toParams();
    }
}
