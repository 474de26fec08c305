package dev.anyclaude.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.anyclaude.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The in-process tier: a Caffeine cache bounded by the estimated bytes of its entries, each entry living
 * for its own TTL. Maintenance (eviction, expiry) runs on the writing thread rather than a shared pool, so
 * the bound holds when a write returns and no background thread is needed.
 */
final class MemoryTier {
    private final Cache<CacheKey.Digest, StoredResponse> cache;
    private final Policy.Eviction<CacheKey.Digest, StoredResponse> eviction;
    private final LongAdder evictions = new LongAdder();
    private final LongAdder expirations = new LongAdder();

    MemoryTier(long maxBytes, Clock clock) {
        cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((CacheKey.Digest k, StoredResponse v) -> v.weight())
                .expireAfter(new Expiry<CacheKey.Digest, StoredResponse>() {
                    @Override
                    public long expireAfterCreate(CacheKey.Digest k, StoredResponse v, long now) {
                        return v.ttlNanos();
                    }

                    @Override
                    public long expireAfterUpdate(CacheKey.Digest k, StoredResponse v, long now, long left) {
                        return v.ttlNanos();
                    }

                    @Override
                    public long expireAfterRead(CacheKey.Digest k, StoredResponse v, long now, long left) {
                        return left;
                    }
                })
                .evictionListener((CacheKey.@Nullable Digest k, @Nullable StoredResponse v, RemovalCause cause) -> {
                    if (cause == RemovalCause.EXPIRED) {
                        expirations.increment();
                    } else if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .ticker(clock.caffeine())
                .executor(Runnable::run)
                .recordStats()
                .build();
        eviction = cache.policy().eviction().orElseThrow();
    }

    @Nullable
    StoredResponse get(CacheKey.Digest key) {
        return cache.getIfPresent(key);
    }

    void put(CacheKey.Digest key, StoredResponse value) {
        cache.put(key, value);
    }

    /** Drops every entry; returns how many there were. */
    long clear() {
        long n = cache.estimatedSize();
        cache.invalidateAll();
        cache.cleanUp();
        return n;
    }

    /** Changes the byte bound, evicting at once when it shrinks (the memory monitor's lever). */
    void resize(long maxBytes) {
        eviction.setMaximum(maxBytes);
        cache.cleanUp();
    }

    long entries() {
        return cache.estimatedSize();
    }

    long bytes() {
        return eviction.weightedSize().orElse(0);
    }

    long maxBytes() {
        return eviction.getMaximum();
    }

    long evictions() {
        return evictions.sum();
    }

    long expirations() {
        return expirations.sum();
    }

    /** Estimated bytes of all entries dropped by eviction or expiry so far. */
    long droppedBytes() {
        return cache.stats().evictionWeight();
    }
}
