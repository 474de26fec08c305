package dev.anyclaude.time;

import java.time.Instant;

/** {@link Clock#SYSTEM}: the one place in the gateway that reads the JVM's clocks. */
final class SystemClock implements Clock {
    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public Instant instant() {
        return Instant.now();
    }

    @Override
    public String toString() {
        return "Clock.SYSTEM";
    }
}
