package dev.anyclaude.api;

import java.time.Duration;

/**
 * Settings of the HTTP front: limits, keep-alive timing and retry bounds.
 *
 * @param maxBodyBytes largest request body accepted
 * @param commitAfter how long a stream may wait for the backend before {@code message_start} is sent anyway
 * @param pingEvery idle time after which a {@code ping} event keeps the stream alive
 * @param retryAttempts attempts for retryable failures before the first byte (1 = no retry)
 * @param retryBudget total time retries may take
 */
public record GatewayOptions(
        long maxBodyBytes, Duration commitAfter, Duration pingEvery, int retryAttempts, Duration retryBudget) {
    public static GatewayOptions defaults() {
        return new GatewayOptions(32L << 20, Duration.ofMillis(250), Duration.ofSeconds(5), 3, Duration.ofSeconds(15));
    }
}
