package dev.anyclaude.backend.launch;

import java.time.Duration;

/** Waits; the supervisor's only way to pass time, so tests can shorten backoff delays. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = d -> Thread.sleep(d);

    void sleep(Duration d) throws InterruptedException;
}
