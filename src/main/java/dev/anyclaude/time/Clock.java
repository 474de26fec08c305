package dev.anyclaude.time;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * The gateway's one clock, handed to every class that measures or stamps time through its constructor, so that
 * cool-downs, TTLs, idle limits, deadlines and sample ages are tested by moving a manual clock instead of sleeping.
 * {@link #nanoTime()} is monotonic and only differences of it mean anything (durations, deadlines, timeouts);
 * {@link #instant()} is wall time (timestamps people read, log lines, dates in prompts). As an {@link InstantSource}
 * it also serves the classes that want wall time only.
 *
 * <p>It lives in a package of its own below everything that keeps time, so any package may import it; the packages
 * that stand on the JDK alone ({@code template}, {@code toolcall}) take a {@link InstantSource} instead, which a
 * {@code Clock} is.
 */
public interface Clock extends InstantSource {
    /** The JVM's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
    Clock SYSTEM = new SystemClock();

    /** Monotonic nanoseconds, as {@link System#nanoTime()}: only the difference of two readings means anything. */
    long nanoTime();

    /** Wall time. */
    @Override
    Instant instant();

    /** This clock as Caffeine's {@link Ticker}, for caches whose entries expire and refresh on it. */
    default Ticker caffeine() {
        return this::nanoTime;
    }

    /** A clock of two given sources: monotonic nanoseconds and wall time. */
    static Clock of(LongSupplier nanoTime, InstantSource wall) {
        return new Clock() {
            @Override
            public long nanoTime() {
                return nanoTime.getAsLong();
            }

            @Override
            public Instant instant() {
                return wall.instant();
            }
        };
    }
}
