package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.time.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class MemoryTierTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void byteBoundHoldsWhileAHundredThousandDistinctAnswersPassThrough() throws IOException {
        long bound = 2L << 20;
        ManualClock ticker = new ManualClock();
        try (ResponseCache cache =
                new ResponseCache(ResponseCacheConfig.defaults().withMaxBytes(bound), ticker)) {
            long maxSeen = 0;
            for (int i = 0; i < 100_000; i++) {
                MessagesRequest r = Samples.request("question " + i);
                Lookup miss = cache.lookup(r, CacheDirectives.NONE);
                assertThat(miss).isInstanceOf(Lookup.Miss.class);
                Samples.answerMiss(cache, miss, Samples.textAnswer("answer number " + i + " ".repeat(i % 700)));
                long bytes = cache.stats().bytes();
                assertThat(bytes).as("weighted size after store %d", i).isLessThanOrEqualTo(bound);
                maxSeen = Math.max(maxSeen, bytes);
            }
            ResponseCacheStats stats = cache.stats();
            assertThat(stats.stores()).isEqualTo(100_000);
            assertThat(stats.evictions()).isGreaterThan(90_000);
            assertThat(stats.entries() + stats.evictions()).isEqualTo(100_000);
            assertThat(stats.droppedBytes()).isGreaterThan(bound);
            assertThat(maxSeen).isGreaterThan(bound * 9 / 10);
            // The most recent answer survives eviction and is served.
            assertThat(cache.lookup(Samples.request("question 99999"), CacheDirectives.NONE))
                    .isInstanceOf(Lookup.Hit.class);
        }
    }

    @Test
    void answersExpireAfterTheirTtl() throws IOException {
        ManualClock ticker = new ManualClock();
        try (ResponseCache cache =
                new ResponseCache(ResponseCacheConfig.defaults().withTtl(Duration.ofMinutes(10)), ticker)) {
            MessagesRequest r = Samples.request("x");
            Samples.answerMiss(cache, cache.lookup(r, CacheDirectives.NONE), Samples.textAnswer("a"));

            ticker.advance(Duration.ofMinutes(9));
            assertThat(cache.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);
            ticker.advance(Duration.ofMinutes(2));
            assertThat(cache.lookup(r, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
            assertThat(cache.stats().expirations()).isEqualTo(1);
            assertThat(cache.stats().entries()).isZero();
        }
    }

    @Test
    void shrinkingTheBoundEvictsAtOnce() throws IOException {
        try (ResponseCache cache =
                new ResponseCache(ResponseCacheConfig.defaults().withMaxBytes(8L << 20), new ManualClock())) {
            for (int i = 0; i < 2000; i++) {
                MessagesRequest r = Samples.request("q" + i);
                Samples.answerMiss(cache, cache.lookup(r, CacheDirectives.NONE), Samples.textAnswer("a".repeat(500)));
            }
            assertThat(cache.stats().bytes()).isGreaterThan(1L << 20);

            cache.resize(256 * 1024);

            assertThat(cache.stats().bytes()).isLessThanOrEqualTo(256 * 1024).isPositive();
            assertThat(cache.stats().maxBytes()).isEqualTo(256 * 1024);
        }
    }

    @Test
    void clearEmptiesTheMemoryTier() throws IOException {
        try (ResponseCache cache = new ResponseCache(ResponseCacheConfig.defaults(), new ManualClock())) {
            for (int i = 0; i < 10; i++) {
                MessagesRequest r = Samples.request("q" + i);
                Samples.answerMiss(cache, cache.lookup(r, CacheDirectives.NONE), Samples.textAnswer("a"));
            }
            assertThat(cache.clear()).isEqualTo(new ResponseCache.Cleared(10, 0));
            assertThat(cache.stats().entries()).isZero();
            assertThat(cache.stats().bytes()).isZero();
            assertThat(cache.lookup(Samples.request("q3"), CacheDirectives.NONE))
                    .isInstanceOf(Lookup.Miss.class);
        }
    }

    @Test
    void weightCountsTheCanonicalRequestAndTheAnswer() {
        byte[] canonical = new byte[10_000];
        StoredResponse small = StoredResponse.of(canonical, Samples.textAnswer("a"), 1);
        StoredResponse big = StoredResponse.of(canonical, Samples.textAnswer("a".repeat(10_000)), 1);
        assertThat(small.weight()).isGreaterThan(10_000);
        assertThat(big.weight() - small.weight()).isGreaterThanOrEqualTo(2 * 9_999);
    }
}
