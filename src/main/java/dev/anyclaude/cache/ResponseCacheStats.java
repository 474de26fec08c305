package dev.anyclaude.cache;

import org.jspecify.annotations.Nullable;

/**
 * A snapshot of the response cache for {@code GET /cache/stats}.
 *
 * @param entries answers in the memory tier
 * @param bytes their estimated heap bytes, never above {@code maxBytes} for long
 * @param hits lookups answered, from either tier
 * @param misses lookups not answered
 * @param hitRatio hits over lookups, 0 before the first lookup
 * @param bypassed requests not looked up (policy or {@code no-cache})
 * @param evictions answers dropped from memory to respect the byte bound
 * @param expirations answers dropped from memory because their TTL passed
 * @param droppedBytes estimated bytes of all answers evicted or expired so far
 * @param stores answers stored
 * @param rejectedTooBig answers not stored because they exceeded the entry limit
 * @param rejectedNotClean answers not stored because the stream failed, was cut short or broke protocol
 */
public record ResponseCacheStats(
        String policy,
        long entries,
        long bytes,
        long maxBytes,
        long hits,
        long misses,
        double hitRatio,
        long bypassed,
        long evictions,
        long expirations,
        long droppedBytes,
        long stores,
        long rejectedTooBig,
        long rejectedNotClean,
        Redis redis) {

    /** State of the shared tier. */
    public enum RedisState {
        DISABLED,
        CONNECTING,
        UP,
        DOWN
    }

    /**
     * The shared tier: its state, the last error seen, and its own lookup counts.
     *
     * @param hits lookups answered from Redis (also counted in the cache's hits)
     * @param errors failed or timed-out operations and unreadable entries
     * @param writesDropped answers not written because too many writes were still pending
     */
    public record Redis(
            RedisState state,
            @Nullable String lastError,
            long hits,
            long misses,
            long errors,
            long writes,
            long writesDropped) {
        static final Redis DISABLED = new Redis(RedisState.DISABLED, null, 0, 0, 0, 0, 0);
    }
}
