package dev.veil.tools.rules;

import dev.veil.config.YamlDocument;
import dev.veil.record.Json;
import dev.veil.rules.OutputRules;
import dev.veil.rules.RuleSet;
import dev.veil.rules.RuleSetLoader;
import dev.veil.tools.cli.Cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ./veil rules preview FILE [--sample N | --input records.jsonl]}. */
@Command(
        name = "preview",
        mixinStandardHelpOptions = true,
        description = {
            "Runs a rules file on raw records and prints each record in and out, side by side, per"
                    + " output: the job's own code (field rules, pseudonyms over placeholders, the"
                    + " minors policy), without Kafka, Flink or a real key.",
            "Records: N per stream from the demo's generator (synthetic, fixed seed; the last of"
                    + " them a minor's when N >= 2), or your own with --input.",
            "Consent is not checked: every purpose counts as granted, for a minor with a"
                    + " guardian's consent, so the minors policy decides about a minor's record."
                    + " Pseudonyms come from a throwaway random key made for this run: they differ"
                    + " on every run and agree within one.",
            "Exit 0; 2 when the rules file or the input is invalid (file:line: what is wrong)."
        })
final class PreviewCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Rules file")
    Path file;

    @Option(
            names = "--sample",
            paramLabel = "N",
            defaultValue = "3",
            description = "Synthetic records per stream (default: ${DEFAULT-VALUE})")
    int sample;

    @Option(
            names = "--input",
            paramLabel = "FILE",
            description =
                    "Raw records instead, one JSON object per line; each names its stream in a"
                            + " \"stream\" field (removed before the rules run) unless --stream"
                            + " is given")
    Path input;

    @Option(
            names = "--stream",
            paramLabel = "STREAM",
            description = "The stream of every record of --input: device, location or service")
    String stream;

    @Option(
            names = "--minor",
            paramLabel = "USER_ID",
            description = "With --input: treat this user_id as a minor's (repeatable)")
    List<String> minors = new ArrayList<>();

    @Option(names = "--json", description = "One JSON object per record and output instead")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((stream != null || !minors.isEmpty()) && input == null) {
            err.println("--stream and --minor go with --input");
            err.flush();
            return Cli.USER_ERROR;
        }
        RuleSet rules = RuleSetLoader.load(YamlDocument.read(file));
        List<PreviewEngine.Input> inputs =
                input == null
                        ? PreviewSamples.synthetic(sample)
                        : PreviewSamples.fromFile(input, stream, new HashSet<>(minors));
        PreviewEngine.ThrowawayKeys keys = new PreviewEngine.ThrowawayKeys();
        PreviewEngine engine = new PreviewEngine(rules, keys);
        PreviewEngine.wipe(keys);
        List<PreviewEngine.Result> results = new ArrayList<>();
        for (PreviewEngine.Input in : inputs) {
            results.add(engine.run(in));
        }
        PrintWriter notes = json ? err : out;
        for (String line : header(rules)) {
            notes.println(line);
        }
        notes.flush();
        for (OutputRules o : rules.outputs().values()) {
            if (!json) {
                out.println();
                out.println(PreviewTable.heading(o));
            }
            for (PreviewEngine.Result r : results) {
                for (PreviewEngine.Outcome oc : r.outcomes()) {
                    if (oc.output() != o) {
                        continue;
                    }
                    if (json) {
                        out.println(toJson(PreviewTable.json(r, oc)));
                    } else {
                        PreviewTable.print(
                                out,
                                r,
                                oc,
                                input == null ? "in (synthetic raw record)" : "in (raw record)");
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    private List<String> header(RuleSet rules) {
        List<String> lines = new ArrayList<>();
        lines.add("Preview of " + file + " (rules version " + rules.version() + ")");
        lines.add(
                input == null
                        ? "  in:  "
                                + sample
                                + " synthetic raw record(s) per stream from the demo's generator"
                                + " (seed "
                                + PreviewSamples.SEED
                                + "), no real person's"
                        : "  in:  raw records of " + input + ", as written there");
        lines.add(
                "  out: the job's own code, with a throwaway random key made for this run (never"
                        + " shown)");
        lines.add("       pseudonyms agree within this run only; --json shows them whole");
        lines.add(
                "  consent is not checked: every purpose counts as granted (a minor's with a"
                        + " guardian's consent); minors policy applied");
        return lines;
    }

    private static String toJson(Object o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
