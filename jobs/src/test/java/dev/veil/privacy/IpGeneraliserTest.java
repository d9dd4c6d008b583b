package dev.veil.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpGeneraliserTest {

    private final IpGeneraliser slash24And48 = new IpGeneraliser(24, 48);

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // IPv4
                "203.0.113.77                    | 203.0.113.0/24",
                "0.0.0.0                         | 0.0.0.0/24",
                "255.255.255.255                 | 255.255.255.0/24",
                "10.1.2.3                        | 10.1.2.0/24",
                // IPv6, output RFC 5952
                "2001:db8:85a3::8a2e:370:7334    | 2001:db8:85a3::/48",
                "2001:DB8:85A3:0:0:8A2E:370:7334 | 2001:db8:85a3::/48",
                "2001:0db8:85a3::1               | 2001:db8:85a3::/48",
                "::1                             | ::/48",
                "::                              | ::/48",
                // IPv4-mapped IPv6, every spelling, gives IPv4
                "::ffff:1.2.3.4                  | 1.2.3.0/24",
                "::FFFF:0102:0304                | 1.2.3.0/24",
                "::ffff:102:304                  | 1.2.3.0/24",
                "0:0:0:0:0:ffff:1.2.3.4          | 1.2.3.0/24",
                "0000:0000:0000:0000:0000:FFFF:0102:0304 | 1.2.3.0/24",
                "[::ffff:1.2.3.4]:443            | 1.2.3.0/24",
                "[::ffff:1.2.3.4]                | 1.2.3.0/24",
                // IPv4-compatible (deprecated) and other embeddings are not mapped: stay IPv6
                "::1.2.3.4                       | ::/48",
                "64:ff9b::1.2.3.4                | 64:ff9b::/48",
                // ports
                "1.2.3.4:8080                    | 1.2.3.0/24",
                "1.2.3.4:0                       | 1.2.3.0/24",
                "1.2.3.4:65535                   | 1.2.3.0/24",
                "[2001:db8::1]:443               | 2001:db8::/48",
                "[2001:db8::1]                   | 2001:db8::/48",
                // a bare IPv6 keeps its last group
                "2001:db8:1:2:3:4:5:443          | 2001:db8:1::/48",
                // zone ids
                "fe80::1%eth0                    | fe80::/48",
                "fe80::1%25eth0                  | fe80::/48",
                "[fe80::1%eth0]:8080             | fe80::/48",
                // surrounding white space
                "' 1.2.3.4 '                     | 1.2.3.0/24",
            })
    void generalise_validLiteral_returnsCanonicalPrefix(String literal, String expected)
            throws Exception {
        assertThat(slash24And48.generalise(literal)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "",
                " ",
                "*",
                "*.*.*.*",
                "1.2.*.4",
                "1.2.3.0-255",
                "localhost",
                "example.com",
                "host.example.com:80",
                "127.1",
                "0x7f.0.0.1",
                "2130706433",
                "0177.0.0.1",
                "017700000001",
                "0x7f000001",
                "01.2.3.4",
                "1.2.3.04",
                "::ffff:01.2.3.4",
                "1.2.3.256",
                "1.2.3",
                "1.2.3.4.5",
                "1.2.3.0/24",
                "2001:db8::/32",
                "1.2.3.4/255.255.255.0",
                "::ffff:1.2.3.4/120",
                "1.2.3.4:",
                "1.2.3.4:65536",
                "1.2.3.4:123456",
                "1.2.3.4:80a",
                "1.2.3.4:-1",
                ":80",
                "[2001:db8::1",
                "[2001:db8::1]:",
                "[2001:db8::1]:99999",
                "[2001:db8::1]x",
                "[1.2.3.4]",
                "[1.2.3.4]:80",
                "2001:db8::1:2:3:4:5:6:7",
                "1:2:3:4:5:6:7:8:9",
                "2001:db8:::1",
                "00000::1",
                "fe80::1%",
                "1.2.3.4%eth0",
                "1.2.3.4 5.6.7.8",
                "1.2.3.4,5.6.7.8",
                "0b1.2.3.4",
                "2001:db8::g"
            })
    void generalise_invalidLiteral_throwsInvalidIpWithoutLiteral(String literal) {
        assertThatThrownBy(() -> slash24And48.generalise(literal))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> {
                            assertThat(e.reason()).isEqualTo("invalid_ip");
                            assertThat(e.getCause()).isNull();
                            if (!literal.isBlank()) {
                                assertThat(e.getMessage()).doesNotContain(literal.strip());
                                assertThat(e.toString()).doesNotContain(literal.strip());
                            }
                        });
    }

    @ParameterizedTest(name = "[{0}] -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "192.0.2.77                   | 192.0.2.0",
                "192.0.2.77:8080              | 192.0.2.0",
                "::ffff:192.0.2.77            | 192.0.2.0",
                "2001:db8:85a3:1:2:3:4:5      | 2001:db8:85a3::",
                "[2001:DB8:85A3::1]:443       | 2001:db8:85a3::",
                "2001:db8:0:1::1              | 2001:db8::",
            })
    void generalise_addressForm_returnsNetworkAddressWithoutLength(String literal, String expected)
            throws Exception {
        IpGeneraliser address = new IpGeneraliser(24, 48, IpGeneraliser.Form.ADDRESS);

        assertThat(address.generalise(literal)).isEqualTo(expected);
    }

    @Test
    void generalise_addressFormPrefixZero_returnsUnspecifiedAddress() throws Exception {
        IpGeneraliser zero = new IpGeneraliser(0, 0, IpGeneraliser.Form.ADDRESS);

        assertThat(zero.generalise("192.0.2.7")).isEqualTo("0.0.0.0");
        assertThat(zero.generalise("2001:db8::7")).isEqualTo("::");
    }

    @Test
    void generalise_null_throwsInvalidIp() {
        assertThatThrownBy(() -> slash24And48.generalise(null))
                .isInstanceOfSatisfying(
                        InvalidValueException.class,
                        e -> assertThat(e.reason()).isEqualTo("invalid_ip"));
    }

    @Test
    void generalise_prefixZero_returnsWholeSpace() throws Exception {
        IpGeneraliser zero = new IpGeneraliser(0, 0);

        assertThat(zero.generalise("203.0.113.7")).isEqualTo("0.0.0.0/0");
        assertThat(zero.generalise("2001:db8::1")).isEqualTo("::/0");
        assertThat(zero.generalise("::ffff:203.0.113.7")).isEqualTo("0.0.0.0/0");
    }

    @Test
    void generalise_fullPrefix_returnsSingleAddress() throws Exception {
        IpGeneraliser full = new IpGeneraliser(32, 128);

        assertThat(full.generalise("203.0.113.7")).isEqualTo("203.0.113.7/32");
        assertThat(full.generalise("2001:DB8:0:0:0:0:0:1")).isEqualTo("2001:db8::1/128");
        assertThat(full.generalise("::ffff:203.0.113.7")).isEqualTo("203.0.113.7/32");
    }

    @Test
    void generalise_unalignedPrefix_clearsHostBits() throws Exception {
        IpGeneraliser odd = new IpGeneraliser(20, 36);

        assertThat(odd.generalise("203.0.127.255")).isEqualTo("203.0.112.0/20");
        assertThat(odd.generalise("2001:db8:ffff::1")).isEqualTo("2001:db8:f000::/36");
    }

    @ParameterizedTest
    @CsvSource({"-1, 48", "33, 48", "24, -1", "24, 129"})
    void constructor_prefixOutOfRange_throwsQuotingIt(int v4, int v6) {
        int bad = (v4 < 0 || v4 > 32) ? v4 : v6;

        assertThatThrownBy(() -> new IpGeneraliser(v4, v6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + bad);
    }

    @Test
    void dottedQuadFastPath_givesTheLibrarysCanonicalPrefixBlock_forEveryPrefixLength()
            throws Exception {
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            String ip =
                    r.nextInt(256)
                            + "."
                            + r.nextInt(256)
                            + "."
                            + r.nextInt(256)
                            + "."
                            + r.nextInt(256);
            int prefix = i % 33;
            String expected =
                    new inet.ipaddr.IPAddressString(ip)
                            .getAddress()
                            .toPrefixBlock(prefix)
                            .toCanonicalString();
            org.assertj.core.api.Assertions.assertThat(new IpGeneraliser(prefix, 48).generalise(ip))
                    .as(ip + "/" + prefix)
                    .isEqualTo(expected);
            org.assertj.core.api.Assertions.assertThat(
                            new IpGeneraliser(prefix, 48).generalise(ip + ":443"))
                    .isEqualTo(expected);
        }
    }
}
