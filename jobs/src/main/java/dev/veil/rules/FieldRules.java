package dev.veil.rules;

import dev.veil.privacy.ForwardedForGeneraliser;
import dev.veil.privacy.IdKind;
import dev.veil.privacy.IdNormaliser;
import dev.veil.privacy.IdentifierScope;
import dev.veil.privacy.InvalidValueException;
import dev.veil.privacy.IpGeneraliser;
import dev.veil.privacy.IsoInstant;
import dev.veil.privacy.LocationGeneraliser;
import dev.veil.privacy.Masker;
import dev.veil.privacy.NumberBucketer;
import dev.veil.privacy.TimeTruncator;
import dev.veil.privacy.UrlReducer;
import dev.veil.privacy.UserAgentReducer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * The field rule kinds. Each is a thin adapter from a JSON value to a generaliser of {@code
 * dev.veil.privacy}.
 */
final class FieldRules {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private FieldRules() {}

    /** Copies the value unchanged. */
    static final class Keep extends FieldRule {
        private final String source;

        Keep(String target, String source) {
            super(target, "keep");
            this.source = source;
        }

        @Override
        public List<String> sources() {
            return List.of(source);
        }

        @Override
        public JsonNode apply(JsonNode record, RuleContext ctx) {
            JsonNode v = record.get(source);
            return v == null || v.isNull() ? null : v;
        }
    }

    /** Base for rules that read one text field. */
    abstract static class TextRule extends FieldRule {
        final String source;

        TextRule(String target, String kind, String source) {
            super(target, kind);
            this.source = source;
        }

        @Override
        public final List<String> sources() {
            return List.of(source);
        }

        @Override
        public final JsonNode apply(JsonNode record, RuleContext ctx) throws InvalidValueException {
            JsonNode v = record.get(source);
            if (v == null || v.isNull()) {
                return null;
            }
            return applyText(v.asText(), ctx);
        }

        abstract JsonNode applyText(String value, RuleContext ctx) throws InvalidValueException;
    }

    /** Base for rules that read one number field. */
    abstract static class NumberRule extends FieldRule {
        final String source;

        NumberRule(String target, String kind, String source) {
            super(target, kind);
            this.source = source;
        }

        @Override
        public final List<String> sources() {
            return List.of(source);
        }

        @Override
        public final JsonNode apply(JsonNode record, RuleContext ctx) throws InvalidValueException {
            JsonNode v = record.get(source);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isNumber()) {
                throw new InvalidValueException(
                        "invalid_number", "field '" + source + "' is not a number");
            }
            return applyNumber(v.asDouble());
        }

        abstract JsonNode applyNumber(double value) throws InvalidValueException;
    }

    /**
     * Keyed HMAC-SHA256 (RFC 2104) of the normalised identifier under the key of its scope and key
     * epoch; 64 hex chars (see {@link RuleContext} for the subject and record scopes).
     */
    static final class Pseudonymise extends TextRule {
        private final IdKind idKind;
        private final String region;
        private final IdentifierScope scope;

        Pseudonymise(
                String target, String source, IdKind idKind, String region, IdentifierScope scope) {
            super(target, "pseudonymise", source);
            this.idKind = idKind;
            this.region = region;
            this.scope = scope;
        }

        IdentifierScope scope() {
            return scope;
        }

        @Override
        JsonNode applyText(String value, RuleContext ctx) throws InvalidValueException {
            return F.textNode(ctx.pseudonym(IdNormaliser.normalise(value, idKind, region), scope));
        }
    }

    /**
     * IP address, or the client hop of an X-Forwarded-For value ({@link ForwardedForGeneraliser}),
     * to its network prefix in CIDR notation or as the bare network address.
     */
    static final class GeneraliseIp extends TextRule {
        private final IpGeneraliser generaliser;
        private final ForwardedForGeneraliser forwardedFor;

        /**
         * @param trustedProxies null: the value is one IP literal; otherwise it is an
         *     X-Forwarded-For value and these are the trusted proxy ranges (possibly none)
         */
        GeneraliseIp(
                String target,
                String source,
                int v4,
                int v6,
                IpGeneraliser.Form form,
                List<String> trustedProxies) {
            super(target, "generalise_ip", source);
            this.generaliser = new IpGeneraliser(v4, v6, form);
            this.forwardedFor =
                    trustedProxies == null
                            ? null
                            : new ForwardedForGeneraliser(generaliser, trustedProxies);
        }

        @Override
        JsonNode applyText(String value, RuleContext ctx) throws InvalidValueException {
            return F.textNode(
                    forwardedFor == null
                            ? generaliser.generalise(value)
                            : forwardedFor.generalise(value));
        }
    }

    /**
     * Time truncated to a granularity aligned to UTC or to a zone's local midnight ({@link
     * TimeTruncator}), as an RFC 3339 UTC instant.
     */
    static final class TruncateTime extends TextRule {
        private final TimeTruncator truncator;

        TruncateTime(String target, String source, Duration granularity, Optional<ZoneId> zone) {
            super(target, "truncate_time", source);
            this.truncator = new TimeTruncator(granularity, zone);
        }

        @Override
        JsonNode applyText(String value, RuleContext ctx) throws InvalidValueException {
            long millis;
            try {
                millis = IsoInstant.parseMillis(value);
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new InvalidValueException(
                        "invalid_time", "field '" + source + "' is not an RFC 3339 time");
            }
            return F.textNode(IsoInstant.format(truncator.truncate(millis)));
        }
    }

    /** Keeps the last N characters, masks the rest. */
    static final class Mask extends TextRule {
        private final Masker masker;

        Mask(String target, String source, int keepLast, char maskChar) {
            super(target, "mask", source);
            this.masker = new Masker(keepLast, maskChar);
        }

        @Override
        JsonNode applyText(String value, RuleContext ctx) {
            return F.textNode(masker.mask(value));
        }
    }

    /** URL reduced to scheme://host. */
    static final class ReduceUrl extends TextRule {
        private final UrlReducer reducer = new UrlReducer();

        ReduceUrl(String target, String source) {
            super(target, "reduce_url", source);
        }

        @Override
        JsonNode applyText(String value, RuleContext ctx) throws InvalidValueException {
            return F.textNode(reducer.reduce(value));
        }
    }

    /** User agent reduced to browser family and major version, OS family and device family. */
    static final class ReduceUserAgent extends TextRule {
        ReduceUserAgent(String target, String source) {
            super(target, "reduce_user_agent", source);
        }

        @Override
        JsonNode applyText(String value, RuleContext ctx) {
            UserAgentReducer.Reduced r = UserAgentReducer.shared().reduce(value);
            ObjectNode o = F.objectNode();
            o.put("browser_family", r.browserFamily());
            o.put("browser_major", r.browserMajor());
            o.put("os_family", r.osFamily());
            o.put("device_family", r.deviceFamily());
            return o;
        }
    }

    /** Number to the lower bound of its bucket. */
    static final class Bucket extends NumberRule {
        /** 2^53: the largest magnitude up to which doubles represent every integer. */
        static final double MAX_EXACT = 9_007_199_254_740_992d;

        private final NumberBucketer bucketer;
        private final boolean integral;

        Bucket(String target, String source, double width, double origin) {
            super(target, "bucket", source);
            this.bucketer = new NumberBucketer(width, origin);
            this.integral = width == Math.rint(width) && origin == Math.rint(origin);
        }

        @Override
        JsonNode applyNumber(double value) throws InvalidValueException {
            if (Math.abs(value) > MAX_EXACT) {
                // Beyond 2^53 a double no longer holds every integer: the bound would not be a true
                // bucket edge.
                throw new InvalidValueException(
                        "invalid_number", "field '" + source + "' is too large to bucket");
            }
            double lower = bucketer.lowerBound(value);
            return integral ? F.numberNode((long) lower) : F.numberNode(lower);
        }
    }

    /** Latitude and longitude to an H3 cell (Uber H3, hexagonal hierarchical index). */
    static final class GeneraliseLocation extends FieldRule {
        private final String latField;
        private final String lonField;
        private final LocationGeneraliser generaliser;

        GeneraliseLocation(String target, String latField, String lonField, int resolution) {
            super(target, "generalise_location");
            this.latField = latField;
            this.lonField = lonField;
            this.generaliser = new LocationGeneraliser(resolution);
        }

        @Override
        public List<String> sources() {
            return List.of(latField, lonField);
        }

        @Override
        public JsonNode apply(JsonNode record, RuleContext ctx) throws InvalidValueException {
            JsonNode lat = record.get(latField);
            JsonNode lon = record.get(lonField);
            boolean hasLat = lat != null && !lat.isNull();
            boolean hasLon = lon != null && !lon.isNull();
            if (!hasLat && !hasLon) {
                return null;
            }
            if (!hasLat || !hasLon || !lat.isNumber() || !lon.isNumber()) {
                throw new InvalidValueException(
                        "invalid_coordinates",
                        "fields '" + latField + "' and '" + lonField + "' must both be numbers");
            }
            return F.textNode(generaliser.cell(lat.asDouble(), lon.asDouble()));
        }
    }
}
