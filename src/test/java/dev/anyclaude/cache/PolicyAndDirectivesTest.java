package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.time.ManualClock;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyAndDirectivesTest {

    @ParameterizedTest
    @CsvSource(
            nullValues = "null",
            value = {
                "null, false, false",
                "'', false, false",
                "no-cache, true, false",
                "no-store, false, true",
                "'No-Store, NO-CACHE', true, true",
                "'  no-cache  ,private', true, false",
                "max-age=0, true, false",
                "max-age=600, false, false",
                "'max-age = 0', true, false",
                "'no-cache=\"set-cookie, x\", max-stale', true, false",
                "'private=\"no-store\"', false, false",
                "'community=\"UCI\", no-store', false, true",
                "'no-cacheable, x-no-store', false, false",
                "' , ,, ', false, false"
            })
    void parsesCacheControl(String header, boolean noCache, boolean noStore) {
        assertThat(CacheDirectives.parse(header)).isEqualTo(new CacheDirectives(noCache, noStore));
    }

    @Test
    void deterministicPolicyCachesOnlyUnsetOrZeroTemperature() {
        MessagesRequest r = Samples.request("x");
        assertThat(CachePolicy.DETERMINISTIC.admits(r)).isTrue();
        assertThat(CachePolicy.DETERMINISTIC.admits(Samples.withTemperature(r, 0.0)))
                .isTrue();
        assertThat(CachePolicy.DETERMINISTIC.admits(Samples.withTemperature(r, -0.0)))
                .isTrue();
        assertThat(CachePolicy.DETERMINISTIC.admits(Samples.withTemperature(r, 0.7)))
                .isFalse();
        assertThat(CachePolicy.ALWAYS.admits(Samples.withTemperature(r, 0.7))).isTrue();
        assertThat(CachePolicy.OFF.admits(r)).isFalse();
    }

    @Test
    void bypassesTheCacheForAWarmRequestUnderTheDefaultPolicy() throws IOException {
        try (ResponseCache cache = new ResponseCache(ResponseCacheConfig.defaults(), new ManualClock())) {
            MessagesRequest warm = Samples.withTemperature(Samples.request("x"), 1.0);
            Lookup first = cache.lookup(warm, CacheDirectives.NONE);
            assertThat(first).isEqualTo(new Lookup.Miss(Lookup.Reason.POLICY, null));
            assertThat(first.header()).isEqualTo("bypass");
            Samples.answerMiss(cache, first, Samples.textAnswer("random"));

            assertThat(cache.lookup(warm, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
            assertThat(cache.stats().stores()).isZero();
            assertThat(cache.stats().bypassed()).isEqualTo(2);
            assertThat(cache.stats().misses()).isZero();
        }
    }

    @Test
    void alwaysPolicyCachesAWarmRequestAndOffCachesNothing() throws IOException {
        MessagesRequest warm = Samples.withTemperature(Samples.request("x"), 1.0);
        try (ResponseCache always =
                new ResponseCache(ResponseCacheConfig.defaults().withPolicy(CachePolicy.ALWAYS), new ManualClock())) {
            Samples.answerMiss(always, always.lookup(warm, CacheDirectives.NONE), Samples.textAnswer("a"));
            assertThat(always.lookup(warm, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);
        }
        try (ResponseCache off =
                new ResponseCache(ResponseCacheConfig.defaults().withPolicy(CachePolicy.OFF), new ManualClock())) {
            MessagesRequest cold = Samples.request("x");
            Samples.answerMiss(off, off.lookup(cold, CacheDirectives.NONE), Samples.textAnswer("a"));
            assertThat(off.lookup(cold, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
            assertThat(off.stats().policy()).isEqualTo("off");
        }
    }

    @Test
    void parsesPolicyNamesAndRejectsOthersWithTheExpectedValues() {
        assertThat(CachePolicy.parse(" Always ")).isEqualTo(CachePolicy.ALWAYS);
        assertThat(CachePolicy.parse("deterministic")).isEqualTo(CachePolicy.DETERMINISTIC);
        assertThat(CachePolicy.parse("OFF")).isEqualTo(CachePolicy.OFF);
        assertThatThrownBy(() -> CachePolicy.parse("sometimes"))
                .isInstanceOf(GatewayException.class)
                .hasMessage("response-cache: 'sometimes' (expected: deterministic, always or off)")
                .extracting(e -> ((GatewayException) e).kind())
                .isEqualTo(ErrorKind.INVALID_REQUEST);
    }

    @Test
    void rejectsUnusableSettings() {
        ResponseCacheConfig d = ResponseCacheConfig.defaults();
        assertThatThrownBy(() -> d.withMaxBytes(10))
                .isInstanceOf(GatewayException.class)
                .hasMessage("response-cache-bytes: 10 (expected: at least 1024)");
        assertThatThrownBy(() -> d.withTtl(java.time.Duration.ZERO))
                .isInstanceOf(GatewayException.class)
                .hasMessageStartingWith("response-cache-ttl: PT0S (expected: a positive duration)");
        assertThatThrownBy(() -> d.withRedis("localhost:6379"))
                .isInstanceOf(GatewayException.class)
                .hasMessage("redis: 'localhost:6379' (expected: redis://host:port[/db])");
        assertThatThrownBy(() -> d.withRedis("redis://")).isInstanceOf(GatewayException.class);
        assertThat(d.withRedis("redis://127.0.0.1:6390/2").redisUri()).isEqualTo("redis://127.0.0.1:6390/2");
        assertThat(d.withMaxBytes(1 << 20).maxEntryBytes()).isEqualTo(128 * 1024);
    }
}
