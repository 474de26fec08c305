package dev.anyclaude.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when a test moves it; wall time and monotonic time move together. */
public final class ManualClock implements Clock {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public Instant instant() {
        return START.plusNanos(nanos.get() - 1_000_000_000L);
    }

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }
}
