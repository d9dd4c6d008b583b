package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client selection from X-Forwarded-For values. Addresses are from the documentation ranges (RFC
 * 5737, RFC 3849): the trusted proxies are 198.51.100.0/24 and 2001:db8:ffff::/48, clients are in
 * 192.0.2.0/24, 203.0.113.0/24 and 2001:db8:1::/48.
 */
class ForwardedForGeneraliserTest {

    private static final List<String> PROXIES = List.of("198.51.100.0/24", "2001:db8:ffff::/48");

    private final ForwardedForGeneraliser cidr =
            new ForwardedForGeneraliser(new IpGeneraliser(24, 48), PROXIES);
    private final ForwardedForGeneraliser address =
            new ForwardedForGeneraliser(
                    new IpGeneraliser(24, 48, IpGeneraliser.Form.ADDRESS), PROXIES);

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // the rightmost hop that is not a trusted proxy
                "203.0.113.77, 198.51.100.2, 198.51.100.3     | 203.0.113.0/24",
                "203.0.113.77                                 | 203.0.113.0/24",
                // a spoofed leftmost hop, written by the client, is ignored
                "192.0.2.66, 203.0.113.77, 198.51.100.2       | 203.0.113.0/24",
                // an untrusted rightmost hop is taken even with trusted ones to its left
                "198.51.100.2, 203.0.113.77                   | 203.0.113.0/24",
                // unknown, obfuscated (RFC 7239 section 6.3), names, garbage, empty hops skipped
                "203.0.113.77, unknown, 198.51.100.2          | 203.0.113.0/24",
                "203.0.113.77, _hidden, _SEVKISEK             | 203.0.113.0/24",
                "203.0.113.77, example.com, 198.51.100.2      | 203.0.113.0/24",
                "203.0.113.77,, ,198.51.100.2,                | 203.0.113.0/24",
                "203.0.113.77, 1.2.3, 0x7f.0.0.1, 999.1.1.1   | 203.0.113.0/24",
                "203.0.113.77, 192.0.2.0/24, 192.0.2.*        | 203.0.113.0/24",
                // ports; bracketed IPv6 with port (RFC 3986 section 3.2.2); zone ids
                "203.0.113.77:51234, 198.51.100.2:443         | 203.0.113.0/24",
                "[2001:db8:1::7]:51234, [2001:db8:ffff::2]:443 | 2001:db8:1::/48",
                "[2001:db8:1::7], 2001:db8:ffff::2            | 2001:db8:1::/48",
                "fe80::1%eth0, 198.51.100.2                   | fe80::/48",
                // IPv4-mapped IPv6 is IPv4, for trust too
                "203.0.113.77, ::ffff:198.51.100.2            | 203.0.113.0/24",
                "[::ffff:203.0.113.77]:443                    | 203.0.113.0/24",
                // no white space, tabs
                "203.0.113.77,198.51.100.2                    | 203.0.113.0/24",
                "'\t203.0.113.77 ,\t198.51.100.2 '            | 203.0.113.0/24",
            })
    void generalise_header_returnsRightmostUntrustedHopsNetwork(String header, String expected)
            throws Exception {
        assertThat(cidr.generalise(header)).isEqualTo(expected);
    }

    @Test
    void generalise_everyHopTrusted_returnsLeftmostAddressHop() throws Exception {
        assertThat(cidr.generalise("unknown, 198.51.100.9, 198.51.100.2, 2001:db8:ffff::1"))
                .isEqualTo("198.51.100.0/24");
        assertThat(cidr.generalise("[2001:db8:ffff::9]:80, 198.51.100.2"))
                .isEqualTo("2001:db8:ffff::/48");
    }

    @Test
    void generalise_noTrustedProxies_returnsRightmostAddressHop() throws Exception {
        ForwardedForGeneraliser none =
                new ForwardedForGeneraliser(new IpGeneraliser(24, 48), List.of());

        assertThat(none.generalise("192.0.2.66, 203.0.113.77, unknown"))
                .isEqualTo("203.0.113.0/24");
    }

    @Test
    void generalise_addressForm_returnsBareNetworkAddress() throws Exception {
        assertThat(address.generalise("192.0.2.66, 203.0.113.77:4711, 198.51.100.2"))
                .isEqualTo("203.0.113.0");
        assertThat(address.generalise("[2001:DB8:1:0:0:0:0:7]:51234, [2001:db8:ffff::2]:443"))
                .isEqualTo("2001:db8:1::");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                ",,",
                "unknown",
                "unknown, _hidden",
                "example.com, localhost",
                "[2001:db8::1",
                "for=192.0.2.43"
            })
    void generalise_noAddressHop_throwsNoClientIpWithoutTheValue(String header) {
        assertThatThrownBy(() -> cidr.generalise(header))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("no_client_ip");
                            if (!header.isBlank()) {
                                assertThat(e.getMessage()).doesNotContain(header.strip());
                            }
                        });
        assertThatThrownBy(() -> cidr.generalise(null)).isInstanceOf(InvalidValueException.class);
    }

    /**
     * "localhost" resolves on every machine without a network (the hosts file): if a hop were ever
     * looked up it would be the rightmost untrusted address and the result would be 127.0.0.0/24.
     */
    @Test
    void generalise_hostNameHop_isSkippedNotResolved() throws Exception {
        assertThat(cidr.generalise("203.0.113.77, localhost")).isEqualTo("203.0.113.0/24");
        assertThat(cidr.generalise("203.0.113.77, localhost:8080, 198.51.100.2"))
                .isEqualTo("203.0.113.0/24");
    }

    @Test
    void generalise_anyHeader_outputIsTheNetworkOnlyNeverAHop() throws Exception {
        String header = "192.0.2.66, 203.0.113.77:51234, [2001:db8:1::7]:443, 198.51.100.23";

        String out = cidr.generalise(header);

        assertThat(out).isEqualTo("2001:db8:1::/48");
        for (String hop : header.split(",")) {
            assertThat(out).doesNotContain(hop.strip()).doesNotContain("7");
        }
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.0/8           | 10.0.0.0/8",
                "198.51.100.7         | 198.51.100.7/32",
                "2001:DB8:FFFF::/48   | 2001:db8:ffff::/48",
                "2001:db8::1          | 2001:db8::1/128",
                "0.0.0.0/0            | 0.0.0.0/0",
            })
    void trustedRange_cidrOrAddress_isThePrefixBlock(String cidr, String expected) {
        assertThat(ForwardedForGeneraliser.trustedRange(cidr).toCanonicalString())
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "10.0.0.1/8           | has host bits set; did you mean 10.0.0.0/8?",
                "2001:db8::1/32       | has host bits set; did you mean 2001:db8::/32?",
                "10.0.0.0/33          | is not an IP range in CIDR notation",
                "proxy.example.com    | is not an IP range in CIDR notation",
                "10.0.0.0/255.0.0.0   | is not an IP range in CIDR notation",
                "10.*.*.*             | is not an IP range in CIDR notation",
                "fe80::/10%eth0       | is not an IP range in CIDR notation",
                "::ffff:10.0.0.0/104  | is an IPv4-mapped IPv6 range; write it as IPv4",
            })
    void trustedRange_invalid_isRefusedQuotingIt(String cidr, String problem) {
        assertThatThrownBy(() -> ForwardedForGeneraliser.trustedRange(cidr))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + cidr + "'")
                .hasMessageContaining(problem);
    }

    @Test
    void aChainOfJunkHops_isCutAtMaxHops_withoutReadingTheRest() throws Exception {
        String thirtyOne = "unknown, ".repeat(ForwardedForGeneraliser.MAX_HOPS - 1);
        assertThat(
                        cidr.generalise(
                                "203.0.113.77, " + thirtyOne.substring(0, thirtyOne.length() - 2)))
                .as(
                        "the client %d hops from the right is still read",
                        ForwardedForGeneraliser.MAX_HOPS)
                .isEqualTo("203.0.113.0/24");
        String many = "203.0.113.77, " + "unknown, ".repeat(5000) + "198.51.100.2";
        assertThatThrownBy(() -> cidr.generalise(many))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageContaining("more than " + ForwardedForGeneraliser.MAX_HOPS + " hops")
                .hasMessageNotContaining("203.0.113");
    }
}
