package dev.anyclaude.observe;

import java.time.Instant;

/**
 * One thing the memory monitor did, as shown in {@code /cache/stats}: a threshold crossing
 * ({@code crossed-warning}, {@code crossed-critical}, {@code recovered}) or a relief it ran. {@code
 * source} is the memory source that stood highest, with its figures before and after; {@code heldBefore}
 * and {@code heldAfter} are what the relief itself reported (-1 for crossings).
 */
public record MemoryAction(
        Instant at,
        String action,
        PressureLevel level,
        String source,
        long usedBefore,
        long usedAfter,
        long limit,
        long heldBefore,
        long heldAfter,
        String detail) {}
