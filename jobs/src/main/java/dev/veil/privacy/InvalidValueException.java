package dev.veil.privacy;

import java.util.Objects;

/**
 * A field value that a generaliser or normaliser cannot process, for example an IP literal that is
 * not a single address or coordinates outside the WGS 84 range.
 *
 * <p>The {@linkplain #reason() reason} is a short, stable, machine-readable code (for example
 * {@code "invalid_ip"}, {@code "no_client_ip"}, {@code "invalid_coordinates"}, {@code
 * "invalid_phone"}, {@code "invalid_url"}, {@code "invalid_number"}, {@code "invalid_cell"}, {@code
 * "empty_id"}) meant for dead-letter records and metrics. The message is a human-readable detail.
 * Neither ever contains the rejected value: values are personal data and must not leak into logs,
 * metrics or dead-letter topics.
 *
 * <p>This exception is raised on the per-record hot path, so it does not capture a stack trace
 * ({@link #fillInStackTrace()} returns {@code this}) and never has a cause (causes from libraries
 * often quote the input).
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class InvalidValueException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * @serial the machine code, never null.
     */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param reason short machine code such as {@code "invalid_ip"}; must not be null
     * @param detail human-readable explanation; must not contain the rejected value or any key
     *     material
     * @throws NullPointerException if {@code reason} is null
     */
    public InvalidValueException(String reason, String detail) {
        super(detail);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns the machine code of the failure, for example {@code "invalid_ip"}.
     *
     * @return the reason code given at construction, never null
     */
    public String reason() {
        return reason;
    }

    /**
     * Does not capture a stack trace: the exception describes bad input, not a bug, and is created
     * per record.
     *
     * @return this exception, unchanged
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
