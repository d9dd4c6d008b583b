package dev.veil.privacy;

import ua_parser.CachingParser;
import ua_parser.Client;

import java.util.Objects;

/**
 * Reduces a User-Agent header (RFC 9110 section 10.1.5) to coarse families, dropping the full
 * version strings, build ids and device model details that make a User-Agent a fingerprint.
 *
 * <p>Parsing uses uap-java ({@link CachingParser}) with the regexes of the ua-parser/uap-core
 * project bundled in the jar; families are as uap names them, {@code "Other"} when unknown.
 *
 * <p>Thread-safety: {@link CachingParser} is <em>not</em> thread-safe (it creates its cache lazily
 * and its LRU cache, commons-collections {@code LRUMap}, reorders entries on every read), so every
 * parse is synchronised on the one parser. The cache holds up to 1000 recent User-Agents, so
 * repeated agents skip the regexes. Calls from many threads of one JVM serialise on that lock.
 */
public final class UserAgentReducer {

    /**
     * The reduced User-Agent. All components are non-null.
     *
     * @param browserFamily browser family, for example {@code "Chrome Mobile"}, or {@code "Other"}
     * @param browserMajor browser major version, for example {@code "120"}, or {@code ""} if
     *     unknown
     * @param osFamily operating system family, for example {@code "Android"}, or {@code "Other"}
     * @param deviceFamily device family, for example {@code "iPhone"}, or {@code "Other"}
     */
    public record Reduced(
            String browserFamily, String browserMajor, String osFamily, String deviceFamily) {
        /**
         * Creates a value.
         *
         * @param browserFamily browser family; must not be null
         * @param browserMajor browser major version or {@code ""}; must not be null
         * @param osFamily operating system family; must not be null
         * @param deviceFamily device family; must not be null
         * @throws NullPointerException if a component is null
         */
        public Reduced {
            Objects.requireNonNull(browserFamily, "browserFamily");
            Objects.requireNonNull(browserMajor, "browserMajor");
            Objects.requireNonNull(osFamily, "osFamily");
            Objects.requireNonNull(deviceFamily, "deviceFamily");
        }
    }

    private static final String OTHER = "Other";
    private static final Reduced UNKNOWN = new Reduced(OTHER, "", OTHER, OTHER);

    private final CachingParser parser;

    private UserAgentReducer() {
        this.parser = new CachingParser();
    }

    /**
     * Returns the process-wide instance. The first call loads and compiles the uap regexes (slow,
     * some hundred milliseconds); it happens once, lazily and thread-safely.
     *
     * @return the shared reducer
     */
    public static UserAgentReducer shared() {
        return Holder.INSTANCE;
    }

    /**
     * Reduces a User-Agent.
     *
     * @param userAgent the header value; null is treated like an unknown agent
     * @return the families and browser major version; never null
     */
    public Reduced reduce(String userAgent) {
        if (userAgent == null) {
            return UNKNOWN;
        }
        Client client;
        synchronized (parser) {
            client = parser.parse(userAgent);
        }
        return new Reduced(
                orDefault(client.userAgent == null ? null : client.userAgent.family, OTHER),
                orDefault(client.userAgent == null ? null : client.userAgent.major, ""),
                orDefault(client.os == null ? null : client.os.family, OTHER),
                orDefault(client.device == null ? null : client.device.family, OTHER));
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    /**
     * Initialisation-on-demand holder: the JVM builds the parser once, lazily, with safe
     * publication.
     */
    private static final class Holder {
        static final UserAgentReducer INSTANCE = new UserAgentReducer();
    }
}
