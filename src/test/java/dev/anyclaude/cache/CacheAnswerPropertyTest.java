package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.time.ManualClock;
import java.io.IOException;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;

/** End to end through {@link ResponseCache}: which requests share an answer. */
class CacheAnswerPropertyTest {
    private final ResponseCache cache =
            new ResponseCache(ResponseCacheConfig.defaults().withPolicy(CachePolicy.ALWAYS), new ManualClock());

    @AfterProperty
    void close() {
        cache.close();
    }

    @Property(tries = 1500, edgeCases = EdgeCasesMode.NONE)
    void aStoredAnswerIsServedOnlyToRequestsWithTheSameKeyedContent(
            @ForAll("nearPairs") Tuple.Tuple2<MessagesRequest, MessagesRequest> pair) throws IOException {
        MessagesRequest a = pair.get1();
        MessagesRequest b = pair.get2();
        cache.clear();
        String answer = "answer for " + System.identityHashCode(a);
        Lookup first = cache.lookup(a, CacheDirectives.NONE);
        assertThat(first).isInstanceOf(Lookup.Miss.class);
        Samples.answerMiss(cache, first, Samples.textAnswer(answer));

        Lookup other = cache.lookup(b, CacheDirectives.NONE);

        boolean sameKeyedContent = RequestArbitraries.keyedContent(a).equals(RequestArbitraries.keyedContent(b));
        if (sameKeyedContent) {
            assertThat(other).isInstanceOf(Lookup.Hit.class);
            assertThat(Samples.text(((Lookup.Hit) other).events())).isEqualTo(answer);
        } else {
            assertThat(other).isInstanceOf(Lookup.Miss.class);
        }
    }

    @Provide
    Arbitrary<Tuple.Tuple2<MessagesRequest, MessagesRequest>> nearPairs() {
        return RequestArbitraries.nearPairs();
    }
}
