package dev.anyclaude.cache;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exact response cache (L2): answers a request that was answered before, byte for byte the same
 * prompt and settings, without asking a model.
 *
 * <p>One request's path through it:
 *
 * <pre>{@code
 * Lookup lookup = cache.lookup(request, CacheDirectives.parse(cacheControlHeader));
 * response.header("anyclaude-cache", lookup.header());
 * switch (lookup) {
 *     case Lookup.Hit hit -> { for (StreamEvent e : hit.events()) out.accept(e); }
 *     case Lookup.Miss miss -> {
 *         try (ResponseRecorder recorder = cache.recorder(miss, out)) {
 *             backend.generate(backendRequest, recorder);
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>The request must already be normalized (billing header dropped). A hit is found by the SHA-256 of
 * the canonical request and confirmed by comparing the canonical bytes themselves, so no collision can
 * serve another request's answer. The memory tier keeps the canonical bytes uncompressed: confirming a hit
 * is then one vectorized array comparison, where a compressed copy would cost an inflate on every hit and
 * a second hash would trade the guarantee for a probability; the price, the request's size per entry, is
 * counted in the byte bound like everything else. The shared tier (Redis, optional) holds the same entry
 * compressed; a hit there is promoted to memory. Thread-safe.
 */
public final class ResponseCache implements AutoCloseable, StatsSection {
    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);

    private final ResponseCacheConfig config;
    private final MemoryTier memory;
    private final @Nullable RedisTier redis;
    private final Ids ids;
    private final long ttlNanos;

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder bypassed = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder rejectedTooBig = new LongAdder();
    private final LongAdder rejectedNotClean = new LongAdder();

    public ResponseCache(ResponseCacheConfig config) {
        this(config, Clock.SYSTEM);
    }

    /** A cache whose TTLs and Redis retry schedule follow {@code clock} (tests drive time with it). */
    public ResponseCache(ResponseCacheConfig config, Clock clock) {
        this(config, clock, Ids.DEFAULT);
    }

    ResponseCache(ResponseCacheConfig config, Clock clock, Ids ids) {
        this.config = config;
        this.ids = ids;
        this.ttlNanos = config.ttl().toNanos();
        this.memory = new MemoryTier(config.maxBytes(), clock);
        this.redis = config.redisUri() == null ? null : new RedisTier(config, clock);
    }

    public ResponseCacheConfig config() {
        return config;
    }

    /**
     * Looks a request up, honouring the policy and the client's directives. A hit's events are new for
     * every call (fresh ids); a miss says whether its answer may be stored.
     */
    public Lookup lookup(MessagesRequest request, CacheDirectives directives) {
        if (!config.policy().admits(request)) {
            bypassed.increment();
            return new Lookup.Miss(Lookup.Reason.POLICY, null);
        }
        CacheKey key = CacheKey.of(request);
        CacheKey storeKey = directives.noStore() ? null : key;
        if (directives.noCache()) {
            bypassed.increment();
            return new Lookup.Miss(Lookup.Reason.NO_CACHE, storeKey);
        }
        StoredResponse found = memory.get(key.digest());
        Lookup.Tier tier = Lookup.Tier.MEMORY;
        if (found != null && !key.matches(found.canonical())) {
            log.warn("response cache: SHA-256 {} names two different requests; not answering from cache", key.hex());
            found = null;
        }
        if (found == null && redis != null) {
            Optional<StoredResponse> shared = redis.get(key);
            if (shared.isPresent()) {
                found = shared.get();
                tier = Lookup.Tier.REDIS;
                if (found.weight() <= config.maxEntryBytes()) {
                    memory.put(key.digest(), found);
                }
            }
        }
        if (found == null) {
            misses.increment();
            return new Lookup.Miss(Lookup.Reason.NOT_FOUND, storeKey);
        }
        hits.increment();
        return new Lookup.Hit(ResponseReplay.events(found.events(), request.model(), ids), tier);
    }

    /**
     * A sink for the backend's events on a miss: it forwards everything to {@code downstream} and stores
     * the answer if the response ends cleanly and the miss allows storing.
     */
    public ResponseRecorder recorder(Lookup.Miss miss, EventSink downstream) {
        return new ResponseRecorder(this, miss.key(), downstream, config.maxEntryBytes());
    }

    void store(CacheKey key, List<StreamEvent> events) {
        StoredResponse entry = StoredResponse.of(key.canonical(), events, ttlNanos);
        if (entry.weight() > config.maxEntryBytes()) {
            rejected(true);
            return;
        }
        memory.put(key.digest(), entry);
        stores.increment();
        if (redis != null) {
            redis.put(key, entry.events());
        }
    }

    void rejected(boolean tooBig) {
        (tooBig ? rejectedTooBig : rejectedNotClean).increment();
    }

    /** Empties the memory tier and, when connected, the shared tier's keys under this cache's prefix. */
    public Cleared clear() {
        long memoryEntries = memory.clear();
        long sharedEntries = redis == null ? 0 : redis.clear();
        return new Cleared(memoryEntries, sharedEntries);
    }

    /**
     * What {@link #clear} removed.
     *
     * @param sharedEntries keys deleted from Redis; -1 when Redis is configured but was not reachable
     */
    public record Cleared(long memoryEntries, long sharedEntries) {}

    /** Changes the memory tier's byte bound at run time, evicting at once when it shrinks. */
    public void resize(long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: a positive number)");
        }
        memory.resize(maxBytes);
    }

    public ResponseCacheStats stats() {
        long h = hits.sum();
        long m = misses.sum();
        return new ResponseCacheStats(
                config.policy().wire(),
                memory.entries(),
                memory.bytes(),
                memory.maxBytes(),
                h,
                m,
                h + m == 0 ? 0 : (double) h / (h + m),
                bypassed.sum(),
                memory.evictions(),
                memory.expirations(),
                memory.droppedBytes(),
                stores.sum(),
                rejectedTooBig.sum(),
                rejectedNotClean.sum(),
                redis == null ? ResponseCacheStats.Redis.DISABLED : redis.stats());
    }

    /** Waits for background writes to the shared tier, at most {@code timeout}; true when none are left. */
    boolean awaitSharedWrites(Duration timeout) {
        return redis == null || redis.awaitWrites(timeout);
    }

    @Override
    public String name() {
        return "l2";
    }

    @Override
    public Object snapshot() {
        return stats();
    }

    /** Finishes pending shared-tier writes (briefly) and closes the Redis connection. */
    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
