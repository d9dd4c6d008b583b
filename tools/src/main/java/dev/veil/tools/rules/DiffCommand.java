package dev.veil.tools.rules;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ./veil rules diff OLD NEW [--sample N] [--risk-sample N]}. */
@Command(
        name = "diff",
        mixinStandardHelpOptions = true,
        description = {
            "What changes from one rules file to another: outputs and purposes added or removed,"
                    + " the minors policy, each field whose rule changed; then, on N synthetic"
                    + " records per stream from the demo's generator run through both files with"
                    + " one throwaway key, which output fields appear, disappear or change form.",
            "Changes that weaken privacy come first, under \"Weakens privacy\", each at its line"
                    + " in NEW: a new output, a purpose no longer required, minors newly published"
                    + " or a field no longer dropped for them, a field newly published or now kept"
                    + " as it is, a longer IP prefix, a finer H3 resolution or time granularity, a"
                    + " narrower bucket, a mask that shows more, a pseudonym of a wider scope.",
            "Then the re-identification risk each file would give, per output, on every record of"
                    + " the generator's day for N synthetic subjects: records, the share unique on"
                    + " their quasi-identifiers and the share in groups smaller than k (10), per"
                    + " hour of published event_time (the job windows by the events' own time: the same"
                    + " records whenever the time truncation divides the hour). A rise is shown, not"
                    + " counted as weakening: the rule changes that cause it are flagged above.",
            "Exit 0: no change; 1: changes, none weakening; 3: a change weakens privacy; 2: a file"
                    + " is invalid (file:line: what is wrong)."
        })
final class DiffCommand implements Callable<Integer> {
    /** Exit code when the files are the same in effect. */
    static final int SAME = 0;

    /** Exit code when something changes and nothing of it weakens privacy. */
    static final int CHANGED = 1;

    /** Exit code when a change weakens privacy: a CI gate can require a reviewer for it. */
    static final int WEAKENS = 3;

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OLD", description = "The rules file as it is")
    Path before;

    @Parameters(index = "1", paramLabel = "NEW", description = "The rules file as proposed")
    Path after;

    @Option(
            names = "--sample",
            paramLabel = "N",
            defaultValue = "3",
            description = "Synthetic records per stream (default: ${DEFAULT-VALUE}); 0: no sample")
    int sample;

    @Option(
            names = "--risk-sample",
            paramLabel = "N",
            defaultValue = "300",
            description =
                    "Synthetic subjects whose whole day the risk figures are measured on (default:"
                            + " ${DEFAULT-VALUE}); 0: no risk figures")
    int riskSample;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        RulesDiff.Rules o = RulesDiff.Rules.load(before);
        RulesDiff.Rules n = RulesDiff.Rules.load(after);
        List<RulesDiff.Finding> findings = RulesDiff.compare(o, n);
        List<SampleDiff.Change> onSample =
                sample < 1
                        ? List.of()
                        : SampleDiff.compare(o.set(), n.set(), PreviewSamples.synthetic(sample));
        List<RiskDiff.Line> risk =
                riskSample < 1
                        ? List.of()
                        : RiskDiff.compare(o.set(), n.set(), PreviewSamples.day(riskSample));
        out.println("Rules diff " + before + " -> " + after);
        long weakening = findings.stream().filter(RulesDiff.Finding::weakens).count();
        if (weakening > 0) {
            out.println();
            out.println("Weakens privacy (" + weakening + "):");
            findings.stream()
                    .filter(RulesDiff.Finding::weakens)
                    .forEach(f -> out.println("  " + f.text()));
        }
        long changes = findings.size() - weakening;
        if (changes > 0) {
            out.println();
            out.println("Changes (" + changes + "):");
            findings.stream().filter(f -> !f.weakens()).forEach(f -> out.println("  " + f.text()));
        }
        if (sample >= 1) {
            out.println();
            out.println(
                    "On sample records ("
                            + sample
                            + " synthetic per stream, seed "
                            + PreviewSamples.SEED
                            + "; one throwaway key for both files; consent not checked, minors"
                            + " policy applied):");
            if (onSample.isEmpty()) {
                out.println("  no output field appears, disappears or changes");
            }
            for (SampleDiff.Change c : onSample) {
                out.println("  " + c.text());
            }
        }
        if (riskSample >= 1) {
            out.println();
            out.println(
                    "Re-identification risk on the sample (every record of "
                            + PreviewSamples.DAY
                            + " for "
                            + riskSample
                            + " synthetic subjects, seed "
                            + PreviewSamples.SEED
                            + "; per "
                            + RiskDiff.WINDOW.toString().substring(2).toLowerCase(Locale.ROOT)
                            + " window of published event_time, k "
                            + RiskDiff.K
                            + "; old -> new):");
            if (risk.isEmpty()) {
                out.println("  no outputs");
            }
            for (RiskDiff.Line l : risk) {
                out.println("  " + l.text() + (l.riskUp() ? "  [risk up]" : ""));
            }
        }
        int exit =
                weakening > 0 ? WEAKENS : findings.isEmpty() && onSample.isEmpty() ? SAME : CHANGED;
        out.println();
        out.println(
                switch (exit) {
                    case SAME -> "No changes (exit 0).";
                    case CHANGED -> "Changes, none weakening privacy (exit 1).";
                    default -> weakening + " change(s) weaken privacy (exit 3).";
                });
        out.flush();
        return exit;
    }
}
