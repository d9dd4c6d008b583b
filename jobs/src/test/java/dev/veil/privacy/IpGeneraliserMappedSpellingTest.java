package dev.veil.privacy;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** Randomised (seeded, so repeatable) check over many IPv4 addresses and prefix lengths. */
class IpGeneraliserMappedSpellingTest {

    @Test
    void generalise_ipv4AndEveryMappedSpelling_agreeAndContainAddress() throws Exception {
        SplittableRandom random = new SplittableRandom(20240607L);
        for (int i = 0; i < 2000; i++) {
            int a = random.nextInt(256);
            int b = random.nextInt(256);
            int c = random.nextInt(256);
            int d = random.nextInt(256);
            int prefix = random.nextInt(33);
            int port = random.nextInt(65536);
            IpGeneraliser generaliser = new IpGeneraliser(prefix, 64);
            String dotted = a + "." + b + "." + c + "." + d;
            String hex = Integer.toHexString(a << 8 | b) + ":" + Integer.toHexString(c << 8 | d);

            String expected = generaliser.generalise(dotted);

            assertThat(generaliser.generalise("::ffff:" + dotted)).isEqualTo(expected);
            assertThat(generaliser.generalise("::FFFF:" + hex.toUpperCase())).isEqualTo(expected);
            assertThat(generaliser.generalise("0:0:0:0:0:ffff:" + dotted)).isEqualTo(expected);
            assertThat(generaliser.generalise("[::ffff:" + dotted + "]:" + port))
                    .isEqualTo(expected);
            assertThat(generaliser.generalise(dotted + ":" + port)).isEqualTo(expected);

            IPAddress network = new IPAddressString(expected).getAddress();
            assertThat(network.getNetworkPrefixLength()).isEqualTo(prefix);
            assertThat(network.contains(new IPAddressString(dotted).getAddress())).isTrue();
        }
    }
}
