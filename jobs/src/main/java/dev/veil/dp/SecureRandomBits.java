package dev.veil.dp;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * Fresh, unpredictable random bits from the platform's cryptographically strong generator, {@link
 * java.security.SecureRandom}.
 *
 * <p><b>Why {@code new SecureRandom()} and not {@link SecureRandom#getInstanceStrong()}:</b> the
 * no-argument constructor selects the platform's default, non-blocking CSPRNG (on Linux with the
 * default {@code java.security} configuration, {@code NativePRNG}, which reads {@code
 * /dev/urandom}). {@code getInstanceStrong()} selects the algorithm named by the {@code
 * securerandom.strongAlgorithms} security property, on Linux {@code NativePRNGBlocking}, which
 * reads {@code /dev/random} and may block for an unbounded time waiting for entropy. A blocking
 * call inside a stream operator would stall the pipeline and its checkpoints, and buys no practical
 * security for noise generation: the kernel's urandom output is cryptographically secure once the
 * pool has been initialised at boot. See the JDK {@code SecureRandom} class documentation and the
 * "SecureRandom Implementation" section of the JDK Security Developer's Guide.
 *
 * <p><b>Thread-safety:</b> thread-safe; {@code SecureRandom} is documented as safe for use by
 * multiple concurrent threads, and this class holds no other state. Not {@link
 * java.io.Serializable}: create one per operator instance.
 */
public final class SecureRandomBits implements RandomBits {

    private final SecureRandom random;

    /**
     * Creates a source over a new platform-default {@link SecureRandom} (self-seeding,
     * non-blocking).
     */
    public SecureRandomBits() {
        this(new SecureRandom());
    }

    /**
     * Creates a source over a caller-supplied {@link SecureRandom}, for platforms that configure a
     * specific algorithm or provider.
     *
     * @param random the generator to draw from; must not be null; it is used, not copied
     * @throws NullPointerException if {@code random} is null
     */
    public SecureRandomBits(SecureRandom random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    /**
     * Returns the next 64 bits of {@link SecureRandom#nextLong()}.
     *
     * @return 64 uniformly random bits
     */
    @Override
    public long nextLong() {
        return random.nextLong();
    }

    /**
     * The name of the underlying generator's algorithm, for logs and audit records.
     *
     * @return {@link SecureRandom#getAlgorithm()}, e.g. {@code "NativePRNG"} on Linux; never null
     */
    public String algorithm() {
        return random.getAlgorithm();
    }

    /** The underlying generator; package-private so that tests can check its type. */
    SecureRandom secureRandom() {
        return random;
    }

    /**
     * Names the algorithm; never any generator state.
     *
     * @return {@code "SecureRandomBits[<algorithm>]"}
     */
    @Override
    public String toString() {
        return "SecureRandomBits[" + algorithm() + "]";
    }
}
