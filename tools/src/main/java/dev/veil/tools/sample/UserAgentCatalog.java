package dev.veil.tools.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The phones subjects use: real user-agent strings with their device brand and model, read from the
 * uap-core test file subset {@code sample/test_device-subset.yaml}, with the operating system and
 * its version taken from the user agent.
 */
final class UserAgentCatalog {

    /** Classpath location of the user-agent file. */
    static final String RESOURCE = "/sample/test_device-subset.yaml";

    private static final Pattern ANDROID = Pattern.compile("Android (\\d+(?:\\.\\d+)*);");
    private static final Pattern IOS = Pattern.compile("iPhone OS (\\d+(?:_\\d+)*) like");

    /**
     * One phone profile.
     *
     * @param model marketing model name, for example "Samsung SM-G900F"
     * @param osName "Android" or "iOS"
     * @param osVersion operating system version, for example "4.4.2" or "9.3.2"
     * @param userAgent the real user-agent string
     */
    record Phone(String model, String osName, String osVersion, String userAgent) {}

    private final List<Phone> android;
    private final List<Phone> ios;

    private UserAgentCatalog(List<Phone> android, List<Phone> ios) {
        this.android = List.copyOf(android);
        this.ios = List.copyOf(ios);
    }

    /**
     * Reads the catalog from the classpath; fails if the file is missing or holds no phone of
     * either OS.
     */
    static UserAgentCatalog load() {
        try (InputStream in = UserAgentCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /**
     * Parses the uap-core test-file layout: entries starting with {@code - user_agent_string:
     * '...'} followed by {@code family:}, {@code brand:} and {@code model:} lines with
     * single-quoted values.
     */
    private static UserAgentCatalog parse(BufferedReader reader) throws IOException {
        List<Phone> android = new ArrayList<>();
        List<Phone> ios = new ArrayList<>();
        String ua = null;
        String family = null;
        String brand = null;
        String line;
        while ((line = reader.readLine()) != null) {
            String trimmed = line.strip();
            if (trimmed.startsWith("- user_agent_string:")) {
                ua = quoted(trimmed.substring("- user_agent_string:".length()));
                family = null;
                brand = null;
            } else if (trimmed.startsWith("family:")) {
                family = quoted(trimmed.substring("family:".length()));
            } else if (trimmed.startsWith("brand:")) {
                brand = quoted(trimmed.substring("brand:".length()));
            } else if (trimmed.startsWith("model:") && ua != null) {
                String model = quoted(trimmed.substring("model:".length()));
                addPhone(ua, family, brand, model, android, ios);
                ua = null;
            }
        }
        if (android.isEmpty() || ios.isEmpty()) {
            throw new IllegalStateException(RESOURCE + " must hold Android and iOS user agents");
        }
        return new UserAgentCatalog(android, ios);
    }

    private static void addPhone(
            String ua,
            String family,
            String brand,
            String model,
            List<Phone> android,
            List<Phone> ios) {
        if (brand == null || model == null) {
            return;
        }
        String marketing =
                family != null && family.startsWith(brand) ? family : brand + " " + model;
        Matcher a = ANDROID.matcher(ua);
        Matcher i = IOS.matcher(ua);
        if (i.find()) {
            ios.add(new Phone(marketing, "iOS", i.group(1).replace('_', '.'), ua));
        } else if (a.find()) {
            android.add(new Phone(marketing, "Android", a.group(1), ua));
        }
    }

    /**
     * Value of a YAML scalar written in single quotes ({@code ''} is a quote); an empty value is
     * null.
     */
    private static String quoted(String raw) {
        String s = raw.strip();
        if (s.isEmpty()) {
            return null;
        }
        if (s.length() >= 2 && s.startsWith("'") && s.endsWith("'")) {
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        return s;
    }

    /** Android phones, in file order. */
    List<Phone> android() {
        return android;
    }

    /** iPhones, in file order. */
    List<Phone> ios() {
        return ios;
    }
}
