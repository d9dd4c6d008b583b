package dev.veil.job.operators;

import dev.veil.job.RulesText;
import dev.veil.job.records.ConsentEvent;
import dev.veil.job.records.DeadLetter;
import dev.veil.job.records.LogEvent;
import dev.veil.job.records.OutRecord;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends the dead letters that a source produced to the {@link #DEAD_LETTERS} side output, as
 * dead-letter topic records, and everything else on. (The sources count them, in {@code
 * veil.reason.<r>.dead_lettered}.)
 */
public abstract class DeadLetterSplitter<T> extends ProcessFunction<T, T> {
    private static final long serialVersionUID = 1L;

    /** Side output of dead-letter topic records. */
    public static final OutputTag<OutRecord> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final RulesText rulesText;
    private final String deadLetterTopic;
    private transient String rulesVersion;

    DeadLetterSplitter(RulesText rulesText, String deadLetterTopic) {
        this.rulesText = rulesText;
        this.deadLetterTopic = deadLetterTopic;
    }

    abstract DeadLetter deadLetterOf(T value);

    @Override
    public void open(OpenContext openContext) {
        rulesVersion = rulesText.parse().version();
    }

    @Override
    public void processElement(T value, Context ctx, Collector<T> out) {
        DeadLetter dl = deadLetterOf(value);
        if (dl == null) {
            out.collect(value);
            return;
        }
        ctx.output(DEAD_LETTERS, new OutRecord(deadLetterTopic, null, dl.toJson(rulesVersion)));
    }

    /** For the log source. */
    public static final class ForLogs extends DeadLetterSplitter<LogEvent> {
        private static final long serialVersionUID = 1L;

        public ForLogs(RulesText rulesText, String deadLetterTopic) {
            super(rulesText, deadLetterTopic);
        }

        @Override
        DeadLetter deadLetterOf(LogEvent value) {
            return value.deadLetter;
        }
    }

    /** For the consent source. */
    public static final class ForConsent extends DeadLetterSplitter<ConsentEvent> {
        private static final long serialVersionUID = 1L;

        public ForConsent(RulesText rulesText, String deadLetterTopic) {
            super(rulesText, deadLetterTopic);
        }

        @Override
        DeadLetter deadLetterOf(ConsentEvent value) {
            return value.deadLetter;
        }
    }
}
