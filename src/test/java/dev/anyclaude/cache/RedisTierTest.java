package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.testing.RedisServerProcess;
import dev.anyclaude.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The shared tier against a real redis-server on a loopback port. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisTierTest {
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ManualClock ticker = new ManualClock();
    private RedisServerProcess redis;
    private ListAppender<ILoggingEvent> logs;

    @BeforeEach
    void startRedis() throws IOException {
        redis = RedisServerProcess.start();
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(RedisTier.class)).addAppender(logs);
    }

    @AfterEach
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(RedisTier.class)).detachAppender(logs);
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        redis.close();
    }

    @Test
    void twoInstancesShareAnAnswerAndTheReaderPromotesItToMemory() throws Exception {
        ResponseCache a = cache();
        ResponseCache b = cache();
        MessagesRequest r = Samples.request("what is 2+2?");

        Samples.answerMiss(a, a.lookup(r, CacheDirectives.NONE), Samples.toolAnswer());
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();

        Lookup fromRedis = b.lookup(r, CacheDirectives.NONE);
        assertThat(fromRedis).isInstanceOf(Lookup.Hit.class);
        assertThat(((Lookup.Hit) fromRedis).tier()).isEqualTo(Lookup.Tier.REDIS);
        assertThat(Samples.text(((Lookup.Hit) fromRedis).events())).isEqualTo(Samples.text(Samples.toolAnswer()));
        assertThat(((Lookup.Hit) b.lookup(r, CacheDirectives.NONE)).tier()).isEqualTo(Lookup.Tier.MEMORY);

        ResponseCacheStats.Redis stats = b.stats().redis();
        assertThat(stats.state()).isEqualTo(ResponseCacheStats.RedisState.UP);
        assertThat(stats.hits()).isEqualTo(1);
        assertThat(b.stats().hits()).isEqualTo(2);
        assertThat(a.stats().redis().writes()).isEqualTo(1);
    }

    @Test
    void storesCompressedEntriesUnderTheNamespaceWithTheTtl() throws Exception {
        ResponseCache a = cache();
        MessagesRequest r = Samples.request("long prompt " + "lorem ipsum dolor sit amet ".repeat(2000));
        Samples.answerMiss(a, a.lookup(r, CacheDirectives.NONE), Samples.textAnswer("ok"));
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();

        String key = "anyclaude:l2:v1:" + CacheKey.of(r).hex();
        long size = Long.parseLong(redis.command("STRLEN", key).substring(1));
        long ttl = Long.parseLong(redis.command("PTTL", key).substring(1));
        assertThat(size).isPositive().isLessThan(CacheKey.of(r).canonical().length / 10);
        assertThat(ttl).isPositive().isLessThanOrEqualTo(Duration.ofHours(1).toMillis());
    }

    @Test
    void aPromotedEntryKeepsOnlyTheTtlRedisHasLeft() throws Exception {
        ResponseCache a = cache();
        ResponseCache b = cache();
        MessagesRequest r = Samples.request("expiring");
        Samples.answerMiss(a, a.lookup(r, CacheDirectives.NONE), Samples.textAnswer("ok"));
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();
        redis.command("PEXPIRE", "anyclaude:l2:v1:" + CacheKey.of(r).hex(), "60000");

        assertThat(b.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);
        ticker.advance(Duration.ofSeconds(61));
        redis.kill(); // from here on only b's memory tier could answer

        assertThat(b.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
    }

    @Test
    void redisDyingMidTestFailsNoLookupOrStoreAndTheTierRecoversAfterRestart() throws Exception {
        ResponseCache a = cache();
        ResponseCache b = cache();
        MessagesRequest before = Samples.request("asked before the outage");
        Samples.answerMiss(a, a.lookup(before, CacheDirectives.NONE), Samples.textAnswer("before"));
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();

        redis.kill();

        // Memory still answers, misses are misses, stores succeed locally; nothing throws.
        assertThat(a.lookup(before, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);
        for (int i = 0; i < 5; i++) {
            MessagesRequest during = Samples.request("asked during the outage " + i);
            assertThat(b.lookup(during, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
            Samples.answerMiss(b, b.lookup(during, CacheDirectives.NONE), Samples.textAnswer("during " + i));
            assertThat(b.lookup(during, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);
        }
        assertThat(b.lookup(before, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        eventually(() -> a.stats().redis().state() == ResponseCacheStats.RedisState.DOWN);
        eventually(() -> b.stats().redis().state() == ResponseCacheStats.RedisState.DOWN);
        assertThat(b.stats().redis().lastError()).isNotBlank();
        assertThat(b.stats().stores()).isEqualTo(5);

        // Logged once per instance, however many operations ran during the outage.
        assertThat(warnings()).hasSize(2).allMatch(m -> m.contains("is down"));

        redis.restart();
        // Before the retry interval has passed the tier does not even try.
        b.lookup(Samples.request("probe"), CacheDirectives.NONE);
        assertThat(b.stats().redis().state()).isEqualTo(ResponseCacheStats.RedisState.DOWN);

        ticker.advance(RETRY);
        a.lookup(Samples.request("probe"), CacheDirectives.NONE);
        b.lookup(Samples.request("probe"), CacheDirectives.NONE);
        eventually(() -> a.stats().redis().state() == ResponseCacheStats.RedisState.UP);
        eventually(() -> b.stats().redis().state() == ResponseCacheStats.RedisState.UP);

        MessagesRequest after = Samples.request("asked after recovery");
        Samples.answerMiss(a, a.lookup(after, CacheDirectives.NONE), Samples.textAnswer("after"));
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();
        Lookup shared = b.lookup(after, CacheDirectives.NONE);
        assertThat(shared).isInstanceOf(Lookup.Hit.class);
        assertThat(((Lookup.Hit) shared).tier()).isEqualTo(Lookup.Tier.REDIS);
        assertThat(logs.list)
                .filteredOn(e -> e.getLevel() == Level.INFO)
                .extracting(ILoggingEvent::getFormattedMessage)
                .allMatch(m -> m.contains("up again"))
                .hasSize(2);
    }

    @Test
    void aFrozenRedisCostsOneBoundedWaitThenIsSkipped() throws Exception {
        ResponseCache a = cache();
        MessagesRequest r = Samples.request("x");
        assertThat(a.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(a.stats().redis().state()).isEqualTo(ResponseCacheStats.RedisState.UP);

        redis.freeze();
        try {
            assertThat(a.lookup(Samples.request("y"), CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
            assertThat(a.stats().redis().state()).isEqualTo(ResponseCacheStats.RedisState.DOWN);
            assertThat(a.stats().redis().lastError()).contains("timed out");
            long errors = a.stats().redis().errors();
            // Down: later lookups do not touch Redis at all.
            assertThat(a.lookup(Samples.request("z"), CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
            assertThat(a.stats().redis().errors()).isEqualTo(errors);
        } finally {
            redis.thaw();
        }
        ticker.advance(RETRY);
        a.lookup(Samples.request("probe"), CacheDirectives.NONE);
        eventually(() -> a.stats().redis().state() == ResponseCacheStats.RedisState.UP);
    }

    @Test
    void clearDeletesOnlyKeysUnderTheNamespace() throws Exception {
        ResponseCache a = cache();
        ResponseCache b = cache();
        for (int i = 0; i < 3; i++) {
            MessagesRequest r = Samples.request("q" + i);
            Samples.answerMiss(a, a.lookup(r, CacheDirectives.NONE), Samples.textAnswer("a" + i));
        }
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();
        redis.command("SET", "someone-else:key", "keep me");
        redis.command("SET", "anyclaude:l2:v2:other-version", "keep me too");

        assertThat(a.clear()).isEqualTo(new ResponseCache.Cleared(3, 3));

        assertThat(redis.command("EXISTS", "someone-else:key")).isEqualTo(":1");
        assertThat(redis.command("EXISTS", "anyclaude:l2:v2:other-version")).isEqualTo(":1");
        assertThat(redis.command("DBSIZE")).isEqualTo(":2");
        assertThat(b.lookup(Samples.request("q1"), CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
    }

    @Test
    void anUnreadableSharedEntryIsAMissNotAFailure() throws Exception {
        ResponseCache b = cache();
        MessagesRequest r = Samples.request("x");
        redis.command("SET", "anyclaude:l2:v1:" + CacheKey.of(r).hex(), "ACL2 garbage from elsewhere");

        assertThat(b.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(b.stats().redis().errors()).isEqualTo(1);
        assertThat(b.stats().redis().state()).isEqualTo(ResponseCacheStats.RedisState.UP);
    }

    @Test
    void startsWithoutRedisAndConnectsOnceItAppears() throws Exception {
        redis.kill();
        ResponseCache a = cache();
        eventually(() -> a.stats().redis().state() == ResponseCacheStats.RedisState.DOWN);
        MessagesRequest r = Samples.request("x");
        Samples.answerMiss(a, a.lookup(r, CacheDirectives.NONE), Samples.textAnswer("a"));
        assertThat(a.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);

        redis.restart();
        ticker.advance(RETRY);
        // A memory hit never needs Redis; the next operation that does starts the reconnect.
        a.lookup(Samples.request("y"), CacheDirectives.NONE);
        eventually(() -> a.stats().redis().state() == ResponseCacheStats.RedisState.UP);
        Samples.answerMiss(a, a.lookup(Samples.request("z"), CacheDirectives.NONE), Samples.textAnswer("z"));
        assertThat(a.awaitSharedWrites(Duration.ofSeconds(5))).isTrue();
        assertThat(redis.command("DBSIZE")).isEqualTo(":1");
    }

    private ResponseCache cache() throws Exception {
        // Awaiting UP keeps the tests deterministic; in the gateway nothing waits for Redis.
        // A generous command timeout: these tests check behaviour, and a loaded CI machine must not turn a
        // slow answer into a "Redis down" verdict. The outage tests kill or freeze the server instead.
        ResponseCache c = new ResponseCache(
                ResponseCacheConfig.defaults()
                        .withRedis(redis.uri())
                        .withRedisTimeout(Duration.ofSeconds(2))
                        .withRedisRetryInterval(RETRY),
                ticker);
        toClose.add(c);
        if (redis.alive()) {
            eventually(() -> c.stats().redis().state() == ResponseCacheStats.RedisState.UP);
        }
        return c;
    }

    private List<String> warnings() {
        return logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    /** Waits for something that happens on another thread (a connection event), at most 10 s. */
    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
