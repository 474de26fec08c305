package dev.anyclaude.backend.launch;

import java.time.Duration;

/**
 * When to restart a server that died: after a delay that doubles with each consecutive failure, up to a
 * ceiling; a run that stayed up for {@code stableAfter} resets the count; after {@code maxConsecutive}
 * failures in a row the supervisor gives up (a server that crashes at once every time needs a human).
 */
public record RestartPolicy(Duration initialDelay, Duration maxDelay, Duration stableAfter, int maxConsecutive) {
    public static final RestartPolicy DEFAULT =
            new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2), 8);

    public RestartPolicy {
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0 || maxConsecutive < 1) {
            throw new IllegalArgumentException("restart policy: delays must be ascending and maxConsecutive >= 1");
        }
    }

    /** The delay before restart number {@code failures} (1-based) of a series. */
    public Duration delay(int failures) {
        Duration d = initialDelay;
        for (int i = 1; i < failures && d.compareTo(maxDelay) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
