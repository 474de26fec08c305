package dev.anyclaude.messages;

/**
 * The one error taxonomy: every failure the gateway can report is one of these kinds, each with the
 * HTTP status and Anthropic error type a client expects, and whether retrying can help.
 */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error", false),
    AUTHENTICATION(401, "authentication_error", false),
    PERMISSION(403, "permission_error", false),
    NOT_FOUND(404, "not_found_error", false),
    REQUEST_TOO_LARGE(413, "request_too_large", false),
    CONTEXT_OVERFLOW(400, "invalid_request_error", false),
    RATE_LIMITED(429, "rate_limit_error", true),
    BACKEND_UNREACHABLE(529, "overloaded_error", true),
    BACKEND_OVERLOADED(529, "overloaded_error", true),
    BACKEND_TIMEOUT(504, "timeout_error", true),
    BACKEND_BUG(500, "api_error", false),
    PROTOCOL_VIOLATION(502, "api_error", false),
    CANCELLED(499, "api_error", false),
    INTERNAL(500, "api_error", false);

    private final int status;
    private final String type;
    private final boolean retryable;

    ErrorKind(int status, String type, boolean retryable) {
        this.status = status;
        this.type = type;
        this.retryable = retryable;
    }

    public int status() {
        return status;
    }

    /** The Anthropic {@code error.type} string. */
    public String type() {
        return type;
    }

    public boolean retryable() {
        return retryable;
    }

    /** Metric and log label: the lower-case enum name. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
