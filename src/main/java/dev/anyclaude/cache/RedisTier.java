package dev.anyclaude.cache;

import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.time.Clock;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier: answers kept in Redis so that several gateway instances serve each other's hits.
 *
 * <p>Redis is an optimisation and must never slow or fail a request. Lookups wait at most the configured
 * timeout; writes run on their own virtual threads, at most {@value #MAX_PENDING_WRITES} at a time. Lettuce's
 * own reconnect and command queueing are off, so a lost connection fails commands at once instead of
 * holding them. The first failure (error, timeout, dropped connection) marks the tier down and is logged
 * once; while down, the tier is skipped without a network call until the retry interval, measured on the
 * injected clock, has passed; then the next operation starts a connection attempt in the background and
 * carries on without Redis. Recovery is logged once too.
 */
final class RedisTier implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisTier.class);
    static final int MAX_PENDING_WRITES = 64;
    private static final int SCAN_BATCH = 500;

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final byte[] prefix;
    private final long ttlMillis;
    private final long timeoutNanos;
    private final long retryNanos;
    private final int maxPlainBytes;
    private final Clock clock;

    private final AtomicReference<ResponseCacheStats.RedisState> state =
            new AtomicReference<>(ResponseCacheStats.RedisState.CONNECTING);
    private volatile @Nullable StatefulRedisConnection<byte[], byte[]> connection;
    private volatile long retryAtNanos;
    private volatile @Nullable String lastError;
    /** Set by the first failure of an outage, so that it is logged once however many threads see it. */
    private final AtomicBoolean outageLogged = new AtomicBoolean();

    private volatile boolean closed;
    private final Semaphore writePermits = new Semaphore(MAX_PENDING_WRITES);

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final LongAdder writesDropped = new LongAdder();

    RedisTier(ResponseCacheConfig config, Clock clock) {
        this.uri = ResponseCacheConfig.parseRedisUri(
                Objects.requireNonNull(config.redisUri(), "a Redis tier is made only for a redis URI"));
        // The URI timeout bounds the connection handshake, which runs in the background; commands have
        // their own bounds below.
        this.uri.setTimeout(
                config.redisTimeout().compareTo(Duration.ofSeconds(1)) > 0
                        ? config.redisTimeout()
                        : Duration.ofSeconds(1));
        this.prefix = config.redisKeyPrefix().getBytes(StandardCharsets.UTF_8);
        this.ttlMillis = config.ttl().toMillis();
        this.timeoutNanos = config.redisTimeout().toNanos();
        this.retryNanos = config.redisRetryInterval().toNanos();
        this.maxPlainBytes = (int) Math.min(Integer.MAX_VALUE - 64L, 2 * config.maxEntryBytes() + 4096);
        this.clock = clock;
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofMillis(
                                Math.max(1000, config.redisTimeout().toMillis())))
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofNanos(10 * timeoutNanos)))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                if (handler == connection) {
                    markDown("connection lost");
                }
            }
        });
        connect();
    }

    /**
     * Looks an answer up; empty when absent, unreadable, for another request, or when Redis is down or too
     * slow. The returned entry carries the request's own canonical bytes and the TTL Redis has left.
     */
    Optional<StoredResponse> get(CacheKey key) {
        try {
            return fetch(key);
        } catch (RuntimeException e) {
            // Whatever the client library throws, a request must not fail because of the shared tier.
            failed("lookup failed", e);
            return Optional.empty();
        }
    }

    private Optional<StoredResponse> fetch(CacheKey key) {
        StatefulRedisConnection<byte[], byte[]> c = available();
        if (c == null) {
            return Optional.empty();
        }
        byte[] k = redisKey(key);
        RedisAsyncCommands<byte[], byte[]> commands = c.async();
        RedisFuture<byte[]> value = commands.get(k);
        RedisFuture<Long> ttl = commands.pttl(k);
        long deadline = clock.nanoTime() + timeoutNanos;
        byte[] stored;
        Long leftMillis;
        try {
            stored = value.get(timeoutNanos, TimeUnit.NANOSECONDS);
            leftMillis = ttl.get(Math.max(0, deadline - clock.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            value.cancel(true);
            ttl.cancel(true);
            failed("lookup timed out after " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms", null);
            return Optional.empty();
        } catch (ExecutionException e) {
            failed("lookup failed", e.getCause());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        if (stored == null || leftMillis == null || leftMillis == -2) {
            misses.increment();
            return Optional.empty();
        }
        EntryCodec.Decoded decoded;
        try {
            decoded = EntryCodec.decode(stored, maxPlainBytes);
        } catch (IllegalArgumentException e) {
            errors.increment();
            lastError = "unreadable entry " + key.hex() + ": " + e.getMessage();
            log.debug("ignoring shared cache entry {}: {}", key.hex(), e.getMessage());
            return Optional.empty();
        }
        if (!key.matches(decoded.canonical())) {
            misses.increment();
            log.warn(
                    "shared cache entry {} answers a different request (hash collision or foreign writer); ignored",
                    key.hex());
            return Optional.empty();
        }
        hits.increment();
        long left = leftMillis < 0 ? ttlMillis : Math.min(ttlMillis, leftMillis);
        return Optional.of(
                StoredResponse.of(key.canonical(), decoded.events(), TimeUnit.MILLISECONDS.toNanos(Math.max(1, left))));
    }

    /** Writes an answer in the background; never blocks and never fails the caller. */
    void put(CacheKey key, List<StreamEvent> events) {
        StatefulRedisConnection<byte[], byte[]> c;
        try {
            c = available();
        } catch (RuntimeException e) {
            failed("write failed", e);
            return;
        }
        if (c == null) {
            return;
        }
        if (!writePermits.tryAcquire()) {
            writesDropped.increment();
            return;
        }
        try {
            Thread.ofVirtual().name("l2-redis-write").start(() -> write(c, key, events));
        } catch (RuntimeException e) {
            writePermits.release();
            failed("write failed", e);
        }
    }

    private void write(StatefulRedisConnection<byte[], byte[]> c, CacheKey key, List<StreamEvent> events) {
        try {
            byte[] value = EntryCodec.encode(key.canonical(), events);
            c.async()
                    .set(redisKey(key), value, SetArgs.Builder.px(ttlMillis))
                    .get(10 * timeoutNanos, TimeUnit.NANOSECONDS);
            writes.increment();
        } catch (TimeoutException e) {
            failed("write timed out", null);
        } catch (ExecutionException e) {
            failed("write failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed("write failed", e);
        } finally {
            writePermits.release();
        }
    }

    /**
     * Deletes every key under the namespace prefix, walking them with SCAN (never KEYS or FLUSHDB, which
     * would block Redis or wipe other users' data). Returns how many were deleted, or -1 when Redis is not
     * available.
     */
    long clear() {
        long deleted = 0;
        long wait = Math.max(TimeUnit.SECONDS.toNanos(2), 10 * timeoutNanos);
        try {
            StatefulRedisConnection<byte[], byte[]> c = available();
            if (c == null) {
                return -1;
            }
            RedisAsyncCommands<byte[], byte[]> commands = c.async();
            ScanArgs args = ScanArgs.Builder.matches(globPrefix()).limit(SCAN_BATCH);
            KeyScanCursor<byte[]> cursor = commands.scan(args).get(wait, TimeUnit.NANOSECONDS);
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    deleted += commands.unlink(cursor.getKeys().toArray(byte[][]::new))
                            .get(wait, TimeUnit.NANOSECONDS);
                }
                if (cursor.isFinished()) {
                    return deleted;
                }
                cursor = commands.scan(cursor, args).get(wait, TimeUnit.NANOSECONDS);
            }
        } catch (TimeoutException e) {
            failed("clear timed out", null);
        } catch (ExecutionException e) {
            failed("clear failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failed("clear failed", e);
        }
        return -1;
    }

    ResponseCacheStats.Redis stats() {
        return new ResponseCacheStats.Redis(
                state.get(), lastError, hits.sum(), misses.sum(), errors.sum(), writes.sum(), writesDropped.sum());
    }

    /** Waits until background writes have finished, at most {@code timeout}; true when none are left. */
    boolean awaitWrites(Duration timeout) {
        try {
            if (writePermits.tryAcquire(MAX_PENDING_WRITES, timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                writePermits.release(MAX_PENDING_WRITES);
                return true;
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        awaitWrites(Duration.ofSeconds(1));
        closed = true;
        StatefulRedisConnection<byte[], byte[]> c = connection;
        connection = null;
        if (c != null && c.isOpen()) {
            c.closeAsync();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** The open connection, or null while down (starting a reconnect in the background when it is time). */
    private @Nullable StatefulRedisConnection<byte[], byte[]> available() {
        if (closed) {
            return null;
        }
        ResponseCacheStats.RedisState s = state.get();
        if (s == ResponseCacheStats.RedisState.UP) {
            StatefulRedisConnection<byte[], byte[]> c = connection;
            if (c != null && c.isOpen()) {
                return c;
            }
            markDown("connection lost");
            return null;
        }
        if (s == ResponseCacheStats.RedisState.DOWN
                && clock.nanoTime() - retryAtNanos >= 0
                && state.compareAndSet(ResponseCacheStats.RedisState.DOWN, ResponseCacheStats.RedisState.CONNECTING)) {
            connect();
        }
        return null;
    }

    private void connect() {
        log.debug("connecting to Redis at {}:{}", uri.getHost(), uri.getPort());
        client.connectAsync(ByteArrayCodec.INSTANCE, uri).whenComplete((c, error) -> {
            if (error != null) {
                markDown(describe("connect failed", error));
                return;
            }
            connection = c;
            if (closed
                    || !state.compareAndSet(
                            ResponseCacheStats.RedisState.CONNECTING, ResponseCacheStats.RedisState.UP)) {
                if (connection == c) {
                    connection = null;
                }
                c.closeAsync();
            } else {
                if (outageLogged.compareAndSet(true, false)) {
                    log.info("Redis tier at {}:{} is up again; sharing cached answers", uri.getHost(), uri.getPort());
                }
            }
        });
    }

    private void failed(String what, @Nullable Throwable cause) {
        errors.increment();
        markDown(describe(what, cause));
    }

    private void markDown(String reason) {
        lastError = reason;
        retryAtNanos = clock.nanoTime() + retryNanos;
        ResponseCacheStats.RedisState previous = state.getAndSet(ResponseCacheStats.RedisState.DOWN);
        StatefulRedisConnection<byte[], byte[]> c = connection;
        connection = null;
        if (c != null && c.isOpen()) {
            c.closeAsync();
        }
        if (closed) {
            return;
        }
        if (outageLogged.compareAndSet(false, true)) {
            log.warn(
                    "Redis tier at {}:{} is down ({}); serving from memory, retrying every {} s",
                    uri.getHost(),
                    uri.getPort(),
                    reason,
                    TimeUnit.NANOSECONDS.toSeconds(retryNanos));
        } else if (previous != ResponseCacheStats.RedisState.DOWN) {
            log.debug("Redis tier still down: {}", reason);
        }
    }

    private static String describe(String what, @Nullable Throwable cause) {
        if (cause == null) {
            return what;
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return what + ": " + message;
    }

    private byte[] redisKey(CacheKey key) {
        byte[] hex = key.hex().getBytes(StandardCharsets.US_ASCII);
        byte[] k = new byte[prefix.length + hex.length];
        System.arraycopy(prefix, 0, k, 0, prefix.length);
        System.arraycopy(hex, 0, k, prefix.length, hex.length);
        return k;
    }

    /** The prefix as a SCAN MATCH pattern: glob characters escaped, then {@code *}. */
    private byte[] globPrefix() {
        byte[] out = new byte[2 * prefix.length + 1];
        int n = 0;
        for (byte b : prefix) {
            if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
                out[n++] = '\\';
            }
            out[n++] = b;
        }
        out[n++] = '*';
        return java.util.Arrays.copyOf(out, n);
    }
}
