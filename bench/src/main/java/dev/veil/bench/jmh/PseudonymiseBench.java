package dev.veil.bench.jmh;

import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.Pseudonymiser;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Identifier pseudonymisation: {@link IdNormaliser#normalise} (NFC, strip, then lower-casing or
 * libphonenumber E.164) followed by {@link Pseudonymiser#pseudonymise} (HMAC-SHA256, hex) with a
 * fixed 32-byte key. Three inputs per kind, rotated.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PseudonymiseBench {

    private static final String[] USER_IDS = {
        "  Alice-Secret@Example.COM ", "bob.murphy@example.ie", "CAOIMHE_OBRIEN",
    };
    private static final String[] PHONES = {
        "087 123 4567", "+353 86 555 0199", "(01) 234 5678",
    };

    private Pseudonymiser pseudonymiser;
    private int i;

    @Setup
    public void setup() throws InvalidValueException {
        pseudonymiser = new Pseudonymiser(Fixtures.KEY);
        for (String p : PHONES) {
            IdNormaliser.normalise(
                    p, IdKind.PHONE, "IE"); // fails setup if a fixture is not a possible number
        }
    }

    private int next() {
        int k = i + 1;
        i = k == 3 ? 0 : k;
        return i;
    }

    @Benchmark
    public String userIdCaseInsensitive() throws InvalidValueException {
        return pseudonymiser.pseudonymise(
                IdNormaliser.normalise(USER_IDS[next()], IdKind.CASE_INSENSITIVE, null));
    }

    @Benchmark
    public String phoneIE() throws InvalidValueException {
        return pseudonymiser.pseudonymise(
                IdNormaliser.normalise(PHONES[next()], IdKind.PHONE, "IE"));
    }
}
