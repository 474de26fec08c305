package dev.anyclaude.observe;

import java.util.function.LongSupplier;

/**
 * Something that can give memory back when the {@link MemoryMonitor} asks: shrink the response cache,
 * drop saved KV states, erase idle slots. It reports what it held before and after, for the log, the
 * metrics and {@code /cache/stats}.
 */
@FunctionalInterface
public interface Relief {

    Freed relieve();

    /** Bytes the component held before and after giving memory back, and a short note (entries, slots). */
    record Freed(long heldBefore, long heldAfter, String detail) {
        public long freed() {
            return Math.max(0, heldBefore - heldAfter);
        }
    }

    /** A relief from an action and a way to measure what the component holds (read before and after). */
    static Relief measured(LongSupplier heldBytes, Runnable action) {
        return () -> {
            long before = heldBytes.getAsLong();
            action.run();
            return new Freed(before, heldBytes.getAsLong(), "");
        };
    }
}
