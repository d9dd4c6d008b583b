package dev.veil.job.operators;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;

import java.io.Serializable;
import java.util.List;

/**
 * The highest watermark an operator has seen, kept in checkpoints. Flink does not checkpoint
 * watermarks: after a restore an operator's watermark starts again at Long.MIN_VALUE and the
 * sources replay records before their first watermark, so "is this record late?" would be answered
 * wrongly for exactly the records that were late before the failure. Operators that decide lateness
 * (the consent gate, contribution bounding) ask this class instead.
 *
 * <p>Stored as union operator state; on restore every subtask takes the maximum over all subtasks.
 * That can only call a few more records late than before the failure (they go to a late/dead-letter
 * output, nothing is lost), never fewer: deciding an event against consent that moved on, or
 * releasing a window twice, is what it prevents.
 */
public final class DurableWatermark implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient ListState<Long> state;
    private long max = Long.MIN_VALUE;

    /** Restores the value; call from {@code initializeState}. */
    public void initialize(FunctionInitializationContext context) throws Exception {
        state =
                context.getOperatorStateStore()
                        .getUnionListState(new ListStateDescriptor<>("max-watermark", Types.LONG));
        for (Long v : state.get()) {
            max = Math.max(max, v);
        }
    }

    /** Stores the value; call from {@code snapshotState}. */
    public void snapshot() throws Exception {
        state.update(List.of(max));
    }

    /** The highest watermark seen, including before a restore; Long.MIN_VALUE when none. */
    public long current() {
        return max;
    }

    /**
     * The watermark to decide lateness with: the larger of the operator's current watermark and
     * every watermark seen before, including before a restore.
     */
    public long effective(long current) {
        if (current > max) {
            max = current;
        }
        return max;
    }
}
