package dev.veil.bench.jmh;

import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.IpGeneraliser;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * {@link IpGeneraliser#generalise} with {@code IpGeneraliser(24, 48)} (the device output's rule):
 * strict literal parsing with the IPAddress library, prefix, canonical CIDR text. Three literals
 * per form, rotated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IpGeneraliseBench {

    private static final String[] IPV4 = {"203.0.113.77", "198.51.100.23", "192.0.2.200"};
    private static final String[] IPV6 = {
        "2001:db8:85a3:8d3:1319:8a2e:370:7348",
        "2001:DB8:1234:5678::1",
        "2a02:8084:4:1a80:c95:71ff:fe3b:9e5a",
    };
    private static final String[] IPV4_MAPPED_WITH_PORT = {
        "[::ffff:203.0.113.77]:443",
        "[::ffff:c633:6417]:51234",
        "[0:0:0:0:0:ffff:192.0.2.200]:8080",
    };

    private IpGeneraliser generaliser;
    private int i;

    @Setup
    public void setup() throws InvalidValueException {
        generaliser = new IpGeneraliser(24, 48);
        for (String[] set : new String[][] {IPV4, IPV6, IPV4_MAPPED_WITH_PORT}) {
            for (String s : set) {
                generaliser.generalise(s); // fails setup if a fixture is rejected
            }
        }
    }

    private int next() {
        int k = i + 1;
        i = k == 3 ? 0 : k;
        return i;
    }

    @Benchmark
    public String ipv4() throws InvalidValueException {
        return generaliser.generalise(IPV4[next()]);
    }

    @Benchmark
    public String ipv6() throws InvalidValueException {
        return generaliser.generalise(IPV6[next()]);
    }

    @Benchmark
    public String ipv4MappedWithPort() throws InvalidValueException {
        return generaliser.generalise(IPV4_MAPPED_WITH_PORT[next()]);
    }
}
