package dev.veil.dp;

/**
 * A source of uniformly random bits, 64 at a time. Everything in {@code dev.veil.dp} draws its
 * randomness through this interface, so that the same sampling code can run on a fresh
 * cryptographic stream ({@link SecureRandomBits}) or on a reproducible keyed stream ({@link
 * KeyedRandomBits}).
 *
 * <p>Only integer operations are defined here: there is deliberately no {@code nextDouble}.
 * Sampling noise through floating point leaks information about the input (Mironov 2012, "On
 * Significance of the Least Significant Bits for Differential Privacy", ACM CCS 2012); {@link
 * DiscreteLaplace} needs only exact uniform integers.
 *
 * <p><b>Thread-safety</b> is a property of the implementation: {@link SecureRandomBits} is
 * thread-safe, {@link KeyedRandomBits} is not.
 */
public interface RandomBits {

    /**
     * Returns the next 64 random bits.
     *
     * @return a long whose 64 bits are independent and uniformly distributed (every one of the 2^64
     *     values equally likely)
     */
    long nextLong();

    /**
     * Returns an exactly uniform integer in {@code [0, bound)}.
     *
     * <p>Method: rejection sampling on bits. Let {@code w} be the bit length of {@code bound - 1};
     * draw {@link #nextLong()}, keep its low {@code w} bits (a uniform integer in {@code [0,
     * 2^w)}), and return it if it is below {@code bound}, otherwise draw again. Every accepted
     * value has probability exactly {@code 1/bound}: there is no modulo bias and no floating point.
     * Since {@code 2^w < 2 * bound}, each draw is accepted with probability above 1/2, so the
     * expected number of {@code nextLong()} calls is below 2. For {@code bound == 1} the result is
     * 0 and no bits are consumed.
     *
     * @param bound the exclusive upper bound; must be at least 1
     * @return a uniform integer {@code x} with {@code 0 <= x < bound}
     * @throws IllegalArgumentException if {@code bound < 1} (the message quotes the value)
     */
    default long uniform(long bound) {
        if (bound < 1) {
            throw new IllegalArgumentException("bound must be at least 1, but was " + bound);
        }
        if (bound == 1) {
            return 0L;
        }
        // bound - 1 >= 1, so numberOfLeadingZeros is at most 63 and the shift is well defined.
        long mask = -1L >>> Long.numberOfLeadingZeros(bound - 1);
        while (true) {
            long candidate = nextLong() & mask;
            if (candidate < bound) {
                return candidate;
            }
        }
    }

    /**
     * Tells whether a bit source is one Veil accepts for producing released noise: a {@link
     * SecureRandomBits} (platform CSPRNG) or a {@link KeyedRandomBits} (HMAC-SHA256 in counter
     * mode). Anything else, for instance a lambda over {@link java.util.Random}, is predictable and
     * must not be used for differential privacy.
     *
     * <p>Both accepted classes are {@code final}, so the check cannot be passed by a subclass.
     *
     * @param bits the source to check; may be null
     * @return true exactly if {@code bits} is a {@link SecureRandomBits} or a {@link
     *     KeyedRandomBits}; false for null and for every other implementation
     */
    static boolean isCryptographicallySecure(RandomBits bits) {
        return bits instanceof SecureRandomBits || bits instanceof KeyedRandomBits;
    }
}
