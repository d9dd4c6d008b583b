package dev.veil.privacy;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import inet.ipaddr.IPAddressStringParameters;

import java.util.List;
import java.util.Objects;

/**
 * Picks the client address out of an {@code X-Forwarded-For} header value and generalises it with
 * an {@link IpGeneraliser}, for example {@code "198.51.100.9, 203.0.113.77, 10.0.0.5"} with the
 * trusted proxy range {@code 10.0.0.0/8} to {@code "203.0.113.0/24"}.
 *
 * <p>The header is a comma-separated list of hops (the de-facto form that RFC 7239 section 1
 * describes and standardises as {@code Forwarded}); each proxy appends the address it received the
 * request from. Only the hops that the trusted proxies appended can be believed, so the client is
 * chosen as MDN ("X-Forwarded-For", Selecting an IP address) and the OWASP guidance advise for
 * anything that must not be chosen by the client:
 *
 * <ol>
 *   <li>the value is split on commas and each hop is stripped of white space;
 *   <li>a hop that is not one address literal as {@link IpGeneraliser} accepts it (IPv4, IPv4 with
 *       {@code :port}, IPv6, {@code [IPv6]}, {@code [IPv6]:port} as in RFC 3986 section 3.2.2, zone
 *       ids stripped) is skipped: {@code unknown} and obfuscated identifiers such as {@code
 *       _hidden} (RFC 7239 section 6.3), host names, empty hops and garbage. No DNS lookup is ever
 *       made: the parser reads literals only;
 *   <li>walking from the right, the first address outside every trusted range is the client; the
 *       leftmost hop is whatever the client wrote and is used only when every hop to its right is
 *       trusted or skipped;
 *   <li>if every address is trusted, the leftmost address is the client (the request came from
 *       inside the trusted network);
 *   <li>if no hop is an address, {@link InvalidValueException} with reason {@code "no_client_ip"}:
 *       the output field is left out, the record is published.
 * </ol>
 *
 * An IPv4-mapped IPv6 hop ({@code ::ffff:192.0.2.1}, RFC 4291 section 2.5.5.2) is treated as the
 * IPv4 address, both when it is matched against the trusted ranges and when it is generalised.
 * Skipping an unparseable hop means that a proxy writing {@code unknown} lets the hop to its left
 * be taken; the result is then a network the client may have chosen, which is still only a
 * generalised network, never more than the rule allows.
 *
 * <p>The result is only ever the generaliser's network prefix, never a hop of the list. Immutable
 * and thread-safe.
 */
public final class ForwardedForGeneraliser {
    /**
     * The most hops read, from the right: real chains have a handful; a client can write thousands
     * of junk hops, and each would be parsed.
     */
    static final int MAX_HOPS = 32;

    private static final String REASON = "no_client_ip";

    /** A trusted range is a prefix or one address, written as a literal: never a host name. */
    private static final IPAddressStringParameters RANGE =
            new IPAddressStringParameters.Builder()
                    .allowEmpty(false)
                    .allowAll(false)
                    .allowSingleSegment(false)
                    .allowMask(false)
                    .allowPrefixOnly(false)
                    .allowWildcardedSeparator(false)
                    .setRangeOptions(IPAddressStringParameters.RangeParameters.NO_RANGE)
                    .allow_inet_aton(false)
                    .getIPv4AddressParametersBuilder()
                    .allowLeadingZeros(false)
                    .allowUnlimitedLeadingZeros(false)
                    .allowBinary(false)
                    .getParentBuilder()
                    .getIPv6AddressParametersBuilder()
                    .allowZone(false)
                    .allowBase85(false)
                    .allowBinary(false)
                    .getParentBuilder()
                    .toParams();

    private final IpGeneraliser generaliser;
    private final List<IPAddress> trusted;

    /**
     * Creates a generaliser.
     *
     * @param generaliser generalises the chosen client address
     * @param trustedProxies ranges as {@link #trustedRange(String)} parses them; may be empty (the
     *     rightmost address is then the client)
     * @throws IllegalArgumentException if a range is not valid; the message quotes it
     */
    public ForwardedForGeneraliser(IpGeneraliser generaliser, List<String> trustedProxies) {
        this.generaliser = Objects.requireNonNull(generaliser, "generaliser");
        this.trusted = trustedProxies.stream().map(ForwardedForGeneraliser::trustedRange).toList();
    }

    /**
     * Parses one trusted proxy range: CIDR ({@code "10.0.0.0/8"}, {@code "2001:db8:ffff::/48"}) or
     * one address ({@code "192.0.2.10"}, taken as /32 or /128). Host bits must be zero, so that a
     * typo such as {@code 10.0.0.1/8} is not silently widened. IPv4-mapped IPv6 ranges are refused:
     * mapped hops are matched as IPv4, so the range must be written in IPv4.
     *
     * @param cidr the range as written in config
     * @return the range as a prefix block
     * @throws IllegalArgumentException naming what is wrong; the message quotes {@code cidr} (a
     *     config value, not personal data)
     */
    public static IPAddress trustedRange(String cidr) {
        IPAddressString text = new IPAddressString(cidr.strip(), RANGE);
        IPAddress host = text.getHostAddress();
        if (host == null) {
            throw new IllegalArgumentException(
                    "'"
                            + cidr
                            + "' is not an IP range in CIDR notation such as 10.0.0.0/8 or"
                            + " 2001:db8::/32, nor one address");
        }
        if (host.isIPv6() && host.isIPv4Convertible()) {
            throw new IllegalArgumentException(
                    "'"
                            + cidr
                            + "' is an IPv4-mapped IPv6 range; write it as IPv4 (mapped hops are"
                            + " matched as IPv4)");
        }
        Integer prefix = text.getNetworkPrefixLength();
        IPAddress block = host.toPrefixBlock(prefix == null ? host.getBitCount() : prefix);
        // The host address as written, not the library's subnet, so that set host bits are seen.
        if (!block.getLower().withoutPrefixLength().equals(host.withoutPrefixLength())) {
            throw new IllegalArgumentException(
                    "'"
                            + cidr
                            + "' has host bits set; did you mean "
                            + block.toCanonicalString()
                            + "?");
        }
        return block;
    }

    /**
     * Returns the generalised client address of an {@code X-Forwarded-For} value.
     *
     * @param header the header value as received; may be null (rejected)
     * @return the network prefix of the client address in the generaliser's form, for example
     *     {@code "203.0.113.0/24"}
     * @throws InvalidValueException reason {@code "no_client_ip"} if no hop is an address literal;
     *     the message never contains the input
     */
    public String generalise(String header) throws InvalidValueException {
        if (header == null) {
            throw new InvalidValueException(REASON, "X-Forwarded-For value is missing");
        }
        IPAddress leftmostTrusted = null;
        int end = header.length();
        int hops = 0;
        while (end >= 0) {
            if (++hops > MAX_HOPS) {
                // a chain this long is no real proxy path; its hops need not all be parsed
                throw new InvalidValueException(
                        REASON, "X-Forwarded-For value has more than " + MAX_HOPS + " hops");
            }
            int comma = header.lastIndexOf(',', end - 1);
            String hop = header.substring(comma + 1, end).strip();
            end = comma;
            IPAddress address = literal(hop);
            if (address == null) {
                continue;
            }
            if (!isTrusted(address)) {
                return generaliser.generaliseAddress(address);
            }
            leftmostTrusted = address;
        }
        if (leftmostTrusted != null) {
            return generaliser.generaliseAddress(leftmostTrusted);
        }
        throw new InvalidValueException(REASON, "X-Forwarded-For value has no IP literal hop");
    }

    private boolean isTrusted(IPAddress address) {
        for (IPAddress range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The hop as an address, or null if it is not one literal (unknown, _hidden, a name...). */
    private static IPAddress literal(String hop) {
        if (hop.isEmpty()) {
            return null;
        }
        try {
            return IpGeneraliser.address(hop);
        } catch (InvalidValueException notAnAddress) {
            return null;
        }
    }
}
