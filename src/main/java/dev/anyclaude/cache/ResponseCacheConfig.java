package dev.anyclaude.cache;

import dev.anyclaude.messages.GatewayException;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Settings of the response cache, validated on construction.
 *
 * @param policy which requests are cached ({@code --response-cache})
 * @param maxBytes bound of the memory tier in estimated heap bytes ({@code --response-cache-bytes})
 * @param maxEntryBytes largest single entry (canonical request plus recorded answer) worth keeping; a
 *     larger answer is passed through and not stored
 * @param ttl how long an answer stays valid, in both tiers
 * @param redisUri the shared tier, {@code redis://host:port[/db]}, or null for none ({@code --redis})
 * @param redisKeyPrefix namespace of the shared tier's keys; {@link #clear} only touches keys under it
 * @param redisTimeout longest a lookup waits for Redis before answering without it
 * @param redisRetryInterval how long the shared tier stays down after a failure before reconnecting
 */
public record ResponseCacheConfig(
        CachePolicy policy,
        long maxBytes,
        long maxEntryBytes,
        Duration ttl,
        @Nullable String redisUri,
        String redisKeyPrefix,
        Duration redisTimeout,
        Duration redisRetryInterval) {

    public static final long DEFAULT_MAX_BYTES = 128L << 20;
    public static final String DEFAULT_REDIS_KEY_PREFIX = "anyclaude:l2:v1:";

    public ResponseCacheConfig {
        if (policy == null) {
            throw GatewayException.invalid("response-cache: missing (expected: deterministic, always or off)");
        }
        if (maxBytes < 1024) {
            throw GatewayException.invalid("response-cache-bytes: " + maxBytes + " (expected: at least 1024)");
        }
        if (maxEntryBytes < 1 || maxEntryBytes > Math.min(maxBytes, Integer.MAX_VALUE)) {
            throw GatewayException.invalid("response-cache-entry-bytes: " + maxEntryBytes + " (expected: between 1 and "
                    + Math.min(maxBytes, Integer.MAX_VALUE) + ")");
        }
        positive("response-cache-ttl", ttl);
        positive("redis-timeout", redisTimeout);
        positive("redis-retry-interval", redisRetryInterval);
        if (redisKeyPrefix == null || redisKeyPrefix.isEmpty()) {
            throw GatewayException.invalid(
                    "redis-key-prefix: empty (expected: a namespace such as " + DEFAULT_REDIS_KEY_PREFIX + ")");
        }
        if (redisUri != null) {
            parseRedisUri(redisUri);
        }
    }

    /** Defaults: deterministic policy, 128 MiB, 1 hour, no Redis, 100 ms Redis timeout, 10 s retry. */
    public static ResponseCacheConfig defaults() {
        return new ResponseCacheConfig(
                CachePolicy.DETERMINISTIC,
                DEFAULT_MAX_BYTES,
                defaultEntryBytes(DEFAULT_MAX_BYTES),
                Duration.ofHours(1),
                null,
                DEFAULT_REDIS_KEY_PREFIX,
                Duration.ofMillis(100),
                Duration.ofSeconds(10));
    }

    /**
     * The default entry limit for a memory bound: an eighth of it, at most 16 MiB, so that one huge answer
     * can never push out most of the cache.
     */
    public static long defaultEntryBytes(long maxBytes) {
        return Math.max(1, Math.min(16L << 20, maxBytes / 8));
    }

    public ResponseCacheConfig withPolicy(CachePolicy p) {
        return new ResponseCacheConfig(
                p, maxBytes, maxEntryBytes, ttl, redisUri, redisKeyPrefix, redisTimeout, redisRetryInterval);
    }

    /** A new memory bound; the entry limit follows it with {@link #defaultEntryBytes}. */
    public ResponseCacheConfig withMaxBytes(long bytes) {
        return new ResponseCacheConfig(
                policy,
                bytes,
                defaultEntryBytes(bytes),
                ttl,
                redisUri,
                redisKeyPrefix,
                redisTimeout,
                redisRetryInterval);
    }

    public ResponseCacheConfig withMaxEntryBytes(long bytes) {
        return new ResponseCacheConfig(
                policy, maxBytes, bytes, ttl, redisUri, redisKeyPrefix, redisTimeout, redisRetryInterval);
    }

    public ResponseCacheConfig withTtl(Duration d) {
        return new ResponseCacheConfig(
                policy, maxBytes, maxEntryBytes, d, redisUri, redisKeyPrefix, redisTimeout, redisRetryInterval);
    }

    public ResponseCacheConfig withRedis(String uri) {
        return new ResponseCacheConfig(
                policy, maxBytes, maxEntryBytes, ttl, uri, redisKeyPrefix, redisTimeout, redisRetryInterval);
    }

    public ResponseCacheConfig withRedisKeyPrefix(String prefix) {
        return new ResponseCacheConfig(
                policy, maxBytes, maxEntryBytes, ttl, redisUri, prefix, redisTimeout, redisRetryInterval);
    }

    public ResponseCacheConfig withRedisTimeout(Duration d) {
        return new ResponseCacheConfig(
                policy, maxBytes, maxEntryBytes, ttl, redisUri, redisKeyPrefix, d, redisRetryInterval);
    }

    public ResponseCacheConfig withRedisRetryInterval(Duration d) {
        return new ResponseCacheConfig(policy, maxBytes, maxEntryBytes, ttl, redisUri, redisKeyPrefix, redisTimeout, d);
    }

    /** Parses {@code redis://host:port[/db]} (or {@code rediss://} for TLS). */
    static RedisURI parseRedisUri(String uri) {
        String scheme =
                uri.contains("://") ? uri.substring(0, uri.indexOf("://")).toLowerCase(Locale.ROOT) : "";
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw badRedisUri(uri, null);
        }
        try {
            RedisURI parsed = RedisURI.create(uri);
            if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
                throw badRedisUri(uri, null);
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw badRedisUri(uri, e);
        }
    }

    private static GatewayException badRedisUri(String uri, @Nullable Throwable cause) {
        return new GatewayException(
                dev.anyclaude.messages.ErrorKind.INVALID_REQUEST,
                "redis: '" + uri + "' (expected: redis://host:port[/db])",
                cause);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw GatewayException.invalid(name + ": " + d + " (expected: a positive duration)");
        }
    }
}
