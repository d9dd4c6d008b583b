package dev.veil.aggregate;

import dev.veil.config.ConfigException;
import dev.veil.config.ConfigNode;
import dev.veil.config.YamlDocument;
import dev.veil.privacy.TimeGrid;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The privacy ledger ({@code config/privacy-ledger.yaml}): every deployment that publishes
 * aggregates about the same people, and a cap on what one data subject can spend on all of them per
 * period. Read and checked when an aggregate configuration that names it ({@code privacy.ledger})
 * is loaded, so a job over the cap never starts.
 *
 * <p><b>Per data subject, charged for every window.</b> Each release of each window is charged to
 * every data subject, whether or not they were active in it: whether someone was active is itself
 * what the releases protect, so a charge that followed the data, or a release refused because one
 * person's budget ran out, would leak it. What one person can spend per period is therefore the
 * same for everyone and known before the job starts: n windows per period (period / window) times
 * the window's releases. Every subject's ledger is that one.
 *
 * <p><b>Accounting.</b> Each release is δ-approximately ρ-zCDP ({@link ReleaseSpec#rho()}); ρ and δ
 * add up over releases, windows and deployments (Bun and Steinke 2016); the total is converted to
 * (ε, δ<sub>cap</sub>) by {@link PrivacySpend#epsilonAt}, or taken by basic composition when that
 * is smaller (pure ε releases only). The cap holds when that ε is at most the cap's.
 *
 * <p>File format:
 *
 * <pre>
 * period: P1D                  # whole days
 * cap: {epsilon: 75, delta: 1.0e-5}
 * deployments:
 *   - config: aggregates.yaml  # a Veil aggregate configuration, relative to this file
 *   - name: research-export    # anything else that publishes about the same people, per period
 *     per_period: {rho: 0.5, delta: 1.0e-7}
 * </pre>
 *
 * Errors name the file, the line and what is wrong. Immutable.
 */
public final class PrivacyLedger implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The ledger file as the configuration names it. */
    public final String file;

    /** The period the cap applies to, whole days. */
    public final Duration period;

    public final double capEpsilon;
    public final double capDelta;

    /** Spend per period, by deployment (config path as written, or name), in file order. */
    public final Map<String, PrivacySpend> perPeriod;

    /** The key in {@link #perPeriod} of the deployment that loaded this ledger. */
    public final String self;

    private PrivacyLedger(
            String file,
            Duration period,
            double capEpsilon,
            double capDelta,
            Map<String, PrivacySpend> perPeriod,
            String self) {
        this.file = file;
        this.period = period;
        this.capEpsilon = capEpsilon;
        this.capDelta = capDelta;
        this.perPeriod = perPeriod;
        this.self = self;
    }

    /**
     * Reads the ledger that {@code reference} names and checks the cap.
     *
     * @param reference the {@code privacy.ledger} node of the loading configuration; its path is
     *     relative to that configuration's file
     * @param selfFile the loading configuration's file
     * @param selfReleases the loading configuration's releases, each as spent in one window
     * @param selfWindows its windows
     * @param loader reads another deployment's aggregate configuration without its ledger
     * @throws ConfigException naming the ledger's file and line: unreadable, not listing the
     *     loading configuration, or over the cap (the message states what each deployment and each
     *     of this one's releases spends)
     */
    static PrivacyLedger load(
            ConfigNode reference,
            Path selfFile,
            Map<String, PrivacySpend> selfReleases,
            TimeGrid selfWindows,
            Function<Path, AggregatesConfig> loader) {
        Path ledgerPath = resolve(selfFile, reference.asText());
        YamlDocument doc;
        try {
            doc = YamlDocument.read(ledgerPath);
        } catch (ConfigException e) {
            throw reference.error("cannot read the privacy ledger: " + e.getMessage());
        }
        ConfigNode root = doc.root().allowOnly("period", "cap", "deployments");
        ConfigNode periodNode = root.child("period");
        Duration period = periodNode.asDuration(Duration.ofDays(1), Duration.ofDays(366));
        if (period.toMillis() % Duration.ofDays(1).toMillis() != 0) {
            throw periodNode.error("must be whole days (P1D, P7D, P30D ...), was " + period);
        }
        ConfigNode cap = root.child("cap").allowOnly("epsilon", "delta");
        double capEpsilon = cap.child("epsilon").asDouble(0.001, 1000);
        double capDelta = cap.child("delta").asDouble(1e-15, 0.01);

        Path selfNormal = selfFile.toAbsolutePath().normalize();
        Map<String, PrivacySpend> spends = new LinkedHashMap<>();
        Set<Path> listed = new HashSet<>();
        String self = null;
        for (ConfigNode d : root.child("deployments").items()) {
            if (d.has("config")) {
                d.allowOnly("config");
                String written = d.child("config").asText();
                Path path = resolve(ledgerPath, written);
                if (!listed.add(path.toAbsolutePath().normalize())) {
                    throw d.error("deployment " + written + " is listed twice");
                }
                PrivacySpend spend;
                if (path.toAbsolutePath().normalize().equals(selfNormal)) {
                    self = written;
                    spend = perPeriod(selfReleases.values(), selfWindows, period);
                } else {
                    AggregatesConfig other;
                    try {
                        other = loader.apply(path);
                    } catch (ConfigException e) {
                        throw d.child("config")
                                .error("cannot read this deployment: " + e.getMessage());
                    }
                    List<PrivacySpend> releases = new ArrayList<>();
                    other.allReleases().forEach(r -> releases.add(PrivacySpend.of(r)));
                    spend = perPeriod(releases, other.windows, period);
                }
                if (spends.put(written, spend) != null) {
                    throw d.error("deployment " + written + " is listed twice");
                }
            } else {
                d.allowOnly("name", "per_period");
                String name = d.child("name").asText();
                ConfigNode pp = d.child("per_period").allowOnly("rho", "delta");
                PrivacySpend spend =
                        new PrivacySpend(
                                pp.child("rho").asDouble(0, 1e6),
                                pp.child("delta").asDouble(0, 0.01),
                                null);
                if (spends.put(name, spend) != null) {
                    throw d.error("deployment " + name + " is listed twice");
                }
            }
        }
        if (self == null) {
            throw reference.error(
                    "this configuration is not among the deployments of the privacy ledger "
                            + ledgerPath
                            + ": add '- config: <its path relative to the ledger>' there, so that what it"
                            + " publishes is counted against the cap");
        }
        PrivacyLedger ledger =
                new PrivacyLedger(reference.asText(), period, capEpsilon, capDelta, spends, self);
        PrivacySpend total = ledger.total();
        double epsilon = total.epsilonAt(capDelta);
        if (epsilon > capEpsilon) {
            throw cap.error(
                    String.format(
                            Locale.ROOT,
                            "over the cap of ε %s at δ %s per %s per data subject: the deployments of"
                                    + " this ledger spend ε %s (%s, %s). %s. Lower an epsilon or rho,"
                                    + " lengthen time.window, remove a release or a deployment, or raise"
                                    + " the cap (docs/aggregates.md, privacy ledger)",
                            fmt(capEpsilon),
                            fmt(capDelta),
                            ledger.periodText(),
                            Double.isInfinite(epsilon)
                                    ? "without bound: the thresholds' δ "
                                            + fmt(total.delta())
                                            + " is at least the cap's δ (lower privacy.delta or raise"
                                            + " cap.delta)"
                                    : fmt(epsilon),
                            total.methodAt(capDelta),
                            total.describe(),
                            ledger.breakdown(selfReleases, selfWindows)));
        }
        return ledger;
    }

    /** The spend per period of these windows with these releases in each. */
    static PrivacySpend perPeriod(
            Iterable<PrivacySpend> releases, TimeGrid windows, Duration period) {
        PrivacySpend perWindow = PrivacySpend.NONE;
        for (PrivacySpend r : releases) {
            perWindow = perWindow.plus(r);
        }
        return perWindow.times(windowsPerPeriod(windows, period));
    }

    /**
     * The most windows one period can overlap. UTC windows divide a day and periods are whole UTC
     * days, so a period holds exactly period / window of them. Windows in a zone are aligned to its
     * midnight, not UTC's: a period can overlap one more at its edges. A clock change moves the
     * local boundaries; only a change forward can shorten a window and let one more in, and the
     * zones that changed forward and back within days (America/Recife 2000, 6 days apart) paired
     * each skipped stretch with a repeated one. The charge adds one window for every started 28
     * days of the period on top; {@code PrivacyLedgerTest} counts the windows that really overlap
     * each period over the history of such zones and finds none above it.
     */
    public static long windowsPerPeriod(TimeGrid windows, Duration period) {
        long aligned = period.toMillis() / windows.length().toMillis();
        return windows.zone().isPresent() ? aligned + 1 + period.toDays() / 28 + 1 : aligned;
    }

    /**
     * How many windows of the period holding {@code windowStart} start at or before it, this one
     * included: its place in the period, for the running total. UTC windows by arithmetic; in a
     * zone, by stepping through the windows from the one holding the period's start. A function of
     * the window and the configuration only.
     */
    public long windowsSoFar(TimeGrid windows, long windowStart) {
        long periodStart = periodStart(windowStart);
        if (windows.zone().isEmpty()) {
            return (windowStart - periodStart) / windows.length().toMillis() + 1;
        }
        long n = 1;
        for (long w = windows.start(periodStart); w < windowStart; w = windows.end(w)) {
            n++;
        }
        return n;
    }

    /** The start of the period holding {@code t}, epoch milliseconds: a multiple of the period. */
    public long periodStart(long t) {
        long p = period.toMillis();
        return Math.floorDiv(t, p) * p;
    }

    /** The period as written in the ledger, in days: {@code "P1D"} (not Duration's "PT24H"). */
    public String periodText() {
        return "P" + period.toDays() + "D";
    }

    /** Everything the ledger's deployments spend per period, together. */
    public PrivacySpend total() {
        PrivacySpend t = PrivacySpend.NONE;
        for (PrivacySpend s : perPeriod.values()) {
            t = t.plus(s);
        }
        return t;
    }

    /** ε of the whole ledger per period at the cap's δ. */
    public double totalEpsilon() {
        return total().epsilonAt(capDelta);
    }

    private String breakdown(Map<String, PrivacySpend> selfReleases, TimeGrid selfWindows) {
        long n = windowsPerPeriod(selfWindows, period);
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, PrivacySpend> e : perPeriod.entrySet()) {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(e.getKey()).append(": ρ ").append(fmt(e.getValue().rho()));
            if (e.getKey().equals(self)) {
                b.append(" (")
                        .append(n)
                        .append(" windows of ")
                        .append(selfWindows.length())
                        .append(" ×");
                selfReleases.forEach(
                        (name, s) -> b.append(' ').append(name).append(" ρ ").append(fmt(s.rho())));
                b.append(')');
            }
        }
        return "Per " + periodText() + ": " + b;
    }

    /** Lines for the startup log: the cap, each deployment's spend, the total. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add(
                "privacy.ledger: "
                        + file
                        + ", cap ε "
                        + fmt(capEpsilon)
                        + " at δ "
                        + fmt(capDelta)
                        + " per "
                        + periodText());
        perPeriod.forEach(
                (name, s) ->
                        lines.add(
                                "  "
                                        + name
                                        + (name.equals(self) ? " (this deployment)" : "")
                                        + ": "
                                        + s.describe()
                                        + " per period"));
        lines.add(
                "  total: ε "
                        + fmt(totalEpsilon())
                        + " at δ "
                        + fmt(capDelta)
                        + " ("
                        + total().methodAt(capDelta)
                        + ")");
        return lines;
    }

    private static Path resolve(Path from, String relative) {
        Path parent = from.toAbsolutePath().getParent();
        return parent == null ? Path.of(relative) : parent.resolve(relative);
    }

    static String fmt(double v) {
        return BigDecimal.valueOf(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
