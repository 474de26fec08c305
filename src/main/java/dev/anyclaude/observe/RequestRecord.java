package dev.anyclaude.observe;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.RequestObserver.RequestInfo;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.time.Instant;
import java.util.List;

/**
 * What one finished request was: who asked for what, how the response cache answered, how long until the
 * first token and the end, the final usage, and how it ended. {@code events} holds the response events
 * only when a listener needs them (bodies in the request log, failure dumps), else it is empty.
 *
 * @param ttftNanos time from the request's start to its first content delta, or -1 when none came
 * @param decodeNanos time from the first to the last content delta (0 with fewer than two)
 */
public record RequestRecord(
        RequestInfo info,
        Instant startedAt,
        String cache,
        long ttftNanos,
        long totalNanos,
        long decodeNanos,
        Usage usage,
        StopReason stopReason,
        GatewayException failure,
        boolean clientLeft,
        List<StreamEvent> events) {
    private static final long MIN_DECODE_NANOS = 10_000_000L;

    /** ok, client_error (the request was at fault), error (the backend or the gateway was) or cancelled. */
    public String outcome() {
        if (failure == null) {
            return "ok";
        }
        if (clientLeft || failure.kind() == ErrorKind.CANCELLED) {
            return "cancelled";
        }
        return failure.kind().status() < 500 && failure.kind() != ErrorKind.RATE_LIMITED ? "client_error" : "error";
    }

    /** The HTTP status the outcome maps to (a stream that failed after it began was 200 with an error event). */
    public int status() {
        return failure == null ? 200 : failure.kind().status();
    }

    /**
     * Output tokens per second while decoding, or -1 when it cannot be told: fewer than two tokens, or
     * deltas that arrived within 10 ms of each other (a whole answer delivered at once, as non-streaming
     * backends and buffering proxies do, would read as an absurd speed).
     */
    public double outputTokensPerSecond() {
        if (usage.outputTokens() < 2 || decodeNanos < MIN_DECODE_NANOS) {
            return -1;
        }
        return (usage.outputTokens() - 1) / (decodeNanos / 1e9);
    }
}
