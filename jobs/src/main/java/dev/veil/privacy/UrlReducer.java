package dev.veil.privacy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Reduces an http or https URL to its origin without port, {@code scheme://host}, dropping user
 * information, port, path, query and fragment (which often carry identifiers, tokens or search
 * terms).
 *
 * <p>Parsed with {@link URI} (RFC 2396 with the RFC 2732 IPv6 extension). The URL must be absolute
 * and hierarchical, with scheme {@code http} or {@code https} (any case) and a non-empty
 * server-based host: a registered name (internationalised names in their ASCII {@code xn--} form),
 * an IPv4 literal, or an IPv6 literal, which keeps its brackets. Scheme and host are lower-cased
 * with {@link Locale#ROOT}. Surrounding white space is stripped.
 *
 * <p>Stateless and thread-safe.
 */
public final class UrlReducer {

    private static final String REASON = "invalid_url";

    /** Creates a reducer; it has no configuration. */
    public UrlReducer() {}

    /**
     * Reduces a URL to {@code scheme://host}.
     *
     * @param url the URL; may be null (rejected)
     * @return for example {@code "https://example.com"} or {@code "http://[2001:db8::1]"}
     * @throws InvalidValueException reason {@code "invalid_url"} if the input is not a parseable
     *     absolute http(s) URL with a host; the message never contains the input
     */
    public String reduce(String url) throws InvalidValueException {
        if (url == null) {
            throw new InvalidValueException(REASON, "URL is missing");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            // The exception quotes the input: report a fixed detail only.
            throw new InvalidValueException(REASON, "URL cannot be parsed");
        }
        if (!uri.isAbsolute() || uri.isOpaque()) {
            throw new InvalidValueException(REASON, "URL is not absolute and hierarchical");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidValueException(REASON, "URL scheme is not http or https");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new InvalidValueException(REASON, "URL has no server-based host");
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT);
    }
}
