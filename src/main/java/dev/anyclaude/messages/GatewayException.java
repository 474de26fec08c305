package dev.anyclaude.messages;

import org.jspecify.annotations.Nullable;

/** The one unchecked exception of the gateway: a classified failure with a client-facing message. */
public final class GatewayException extends RuntimeException {
    private final ErrorKind kind;
    private final long retryAfterSeconds;

    public GatewayException(ErrorKind kind, String message) {
        this(kind, message, null, -1);
    }

    public GatewayException(ErrorKind kind, String message, @Nullable Throwable cause) {
        this(kind, message, cause, -1);
    }

    public GatewayException(ErrorKind kind, String message, @Nullable Throwable cause, long retryAfterSeconds) {
        super(message, cause);
        this.kind = kind;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static GatewayException invalid(String message) {
        return new GatewayException(ErrorKind.INVALID_REQUEST, message);
    }

    public static GatewayException contextOverflow(long promptTokens, long maxTokens) {
        return new GatewayException(
                ErrorKind.CONTEXT_OVERFLOW,
                "prompt is too long: " + promptTokens + " tokens > " + maxTokens + " maximum");
    }

    public ErrorKind kind() {
        return kind;
    }

    /** Seconds a client should wait before retrying, or -1 when unknown. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
