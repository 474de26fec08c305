package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.ManualClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseRecorderTest {
    private final ResponseCache cache = new ResponseCache(ResponseCacheConfig.defaults(), new ManualClock());
    private final MessagesRequest request = Samples.request("say hi");

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    void storesACleanResponseAndAnswersTheSameRequestFromIt() throws IOException {
        Lookup first = cache.lookup(request, CacheDirectives.NONE);
        assertThat(first).isInstanceOf(Lookup.Miss.class);
        assertThat(first.header()).isEqualTo("miss");

        List<StreamEvent> client = Samples.answerMiss(cache, first, Samples.textAnswer("Hi there!"));
        assertThat(client).isEqualTo(Samples.textAnswer("Hi there!"));

        Lookup second = cache.lookup(request, CacheDirectives.NONE);
        assertThat(second).isInstanceOf(Lookup.Hit.class);
        assertThat(second.header()).isEqualTo("hit");
        assertThat(Samples.text(((Lookup.Hit) second).events())).isEqualTo("Hi there!");
        assertThat(cache.stats().stores()).isEqualTo(1);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
        assertThat(cache.stats().hitRatio()).isEqualTo(0.5);
    }

    @Test
    void aStreamedAnswerServesTheSameRequestAskedAsJson() throws IOException {
        Samples.answerMiss(
                cache,
                cache.lookup(Samples.withStream(request, true), CacheDirectives.NONE),
                Samples.textAnswer("Hi there!"));
        assertThat(cache.lookup(Samples.withStream(request, false), CacheDirectives.NONE))
                .isInstanceOf(Lookup.Hit.class);
    }

    @Test
    void neverStoresAResponseThatCarriesAnErrorEvent() throws IOException {
        List<StreamEvent> failed = new ArrayList<>(Samples.textAnswer("Hi").subList(0, 4));
        failed.add(new StreamEvent.Error(ErrorKind.BACKEND_TIMEOUT, "upstream timed out"));
        Samples.answerMiss(cache, cache.lookup(request, CacheDirectives.NONE), failed);

        assertThat(cache.lookup(request, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(cache.stats().rejectedNotClean()).isEqualTo(1);
        assertThat(cache.stats().stores()).isZero();
    }

    @Test
    void neverStoresAStreamCutShortBeforeMessageStop() throws IOException {
        List<StreamEvent> answer = Samples.textAnswer("Hi there!");
        List<StreamEvent> client = Samples.answerMiss(
                cache, cache.lookup(request, CacheDirectives.NONE), answer.subList(0, answer.size() - 1));

        assertThat(client).hasSize(answer.size() - 1);
        assertThat(cache.lookup(request, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(cache.stats().rejectedNotClean()).isEqualTo(1);
    }

    @Test
    void neverStoresWhenTheClientLeavesMidStream() {
        Lookup.Miss miss = (Lookup.Miss) cache.lookup(request, CacheDirectives.NONE);
        List<StreamEvent> received = new ArrayList<>();
        ResponseRecorder recorder = cache.recorder(miss, e -> {
            if (received.size() == 3) {
                throw new IOException("client closed the connection");
            }
            received.add(e);
        });

        assertThatThrownBy(() -> Samples.play(Samples.textAnswer("Hi there!"), recorder))
                .isInstanceOf(IOException.class);
        recorder.close();

        assertThat(recorder.recording()).isFalse();
        assertThat(cache.lookup(request, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(cache.stats().rejectedNotClean()).isEqualTo(1);
    }

    @Test
    void storesACompleteAnswerEvenWhenTheClientLeftWhileItsLastEventWasSent() {
        Lookup.Miss miss = (Lookup.Miss) cache.lookup(request, CacheDirectives.NONE);
        ResponseRecorder recorder = cache.recorder(miss, e -> {
            if (e instanceof StreamEvent.MessageStop) {
                throw new IOException("client closed the connection");
            }
        });

        assertThatThrownBy(() -> Samples.play(Samples.textAnswer("Hi there!"), recorder))
                .isInstanceOf(IOException.class);

        assertThat(cache.lookup(request, CacheDirectives.NONE)).isInstanceOf(Lookup.Hit.class);
    }

    @Test
    void neverStoresAStreamThatBreaksTheEventOrder() throws IOException {
        List<List<StreamEvent>> broken = List.of(
                // delta for a block that is not open
                List.of(
                        start(),
                        new StreamEvent.BlockStart(0, new StreamEvent.TextBlock()),
                        new StreamEvent.BlockDelta(1, new StreamEvent.TextDelta("x")),
                        new StreamEvent.BlockStop(0),
                        end(),
                        StreamEvent.MESSAGE_STOP),
                // block never stopped
                List.of(
                        start(),
                        new StreamEvent.BlockStart(0, new StreamEvent.TextBlock()),
                        end(),
                        StreamEvent.MESSAGE_STOP),
                // indices out of order
                List.of(
                        start(),
                        new StreamEvent.BlockStart(1, new StreamEvent.TextBlock()),
                        new StreamEvent.BlockStop(1),
                        end(),
                        StreamEvent.MESSAGE_STOP),
                // no message_delta
                List.of(start(), StreamEvent.MESSAGE_STOP),
                // no message_start
                List.of(end(), StreamEvent.MESSAGE_STOP),
                // two message_starts
                List.of(start(), start(), end(), StreamEvent.MESSAGE_STOP));
        for (int i = 0; i < broken.size(); i++) {
            MessagesRequest r = Samples.request("broken " + i);
            Samples.answerMiss(cache, cache.lookup(r, CacheDirectives.NONE), broken.get(i));
            assertThat(cache.lookup(r, CacheDirectives.NONE)).as("case %d", i).isInstanceOf(Lookup.Miss.class);
        }
        assertThat(cache.stats().rejectedNotClean()).isEqualTo(broken.size());
    }

    @Test
    void forwardsATooBigAnswerInFullButDoesNotStoreIt() throws IOException {
        ResponseCache small =
                new ResponseCache(ResponseCacheConfig.defaults().withMaxEntryBytes(64 * 1024), new ManualClock());
        List<StreamEvent> huge = Samples.textAnswer("x".repeat(100_000));

        List<StreamEvent> client = Samples.answerMiss(small, small.lookup(request, CacheDirectives.NONE), huge);

        assertThat(client).isEqualTo(huge);
        assertThat(small.lookup(request, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(small.stats().rejectedTooBig()).isEqualTo(1);
        assertThat(small.stats().rejectedNotClean()).isZero();
        small.close();
    }

    @Test
    void pingsReachTheClientButAreNotReplayed() throws IOException {
        List<StreamEvent> client =
                Samples.answerMiss(cache, cache.lookup(request, CacheDirectives.NONE), Samples.textAnswer("Hi there!"));
        assertThat(client).contains(StreamEvent.PING);

        Lookup.Hit hit = (Lookup.Hit) cache.lookup(request, CacheDirectives.NONE);
        assertThat(hit.events()).doesNotContain(StreamEvent.PING).hasSize(client.size() - 1);
    }

    @Test
    void noStoreForwardsTheAnswerWithoutStoringIt() throws IOException {
        CacheDirectives noStore = CacheDirectives.parse("no-store");
        Lookup lookup = cache.lookup(request, noStore);
        List<StreamEvent> client = Samples.answerMiss(cache, lookup, Samples.textAnswer("Hi there!"));

        assertThat(client).isEqualTo(Samples.textAnswer("Hi there!"));
        assertThat(cache.lookup(request, CacheDirectives.NONE)).isInstanceOf(Lookup.Miss.class);
        assertThat(cache.stats().stores()).isZero();
        assertThat(cache.stats().rejectedNotClean()).isZero();
    }

    @Test
    void noCacheSkipsTheStoredAnswerAndReplacesItWithTheFreshOne() throws IOException {
        Samples.answerMiss(cache, cache.lookup(request, CacheDirectives.NONE), Samples.textAnswer("old answer"));

        Lookup refresh = cache.lookup(request, CacheDirectives.parse("no-cache"));
        assertThat(refresh).isInstanceOf(Lookup.Miss.class);
        assertThat(refresh.header()).isEqualTo("bypass");
        Samples.answerMiss(cache, refresh, Samples.textAnswer("new answer"));

        Lookup.Hit hit = (Lookup.Hit) cache.lookup(request, CacheDirectives.NONE);
        assertThat(Samples.text(hit.events())).isEqualTo("new answer");
        assertThat(cache.stats().bypassed()).isEqualTo(1);
    }

    private static StreamEvent start() {
        return new StreamEvent.MessageStart("msg_1", "m", new Usage(1, 1, 0, 0));
    }

    private static StreamEvent end() {
        return new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(1, 2, 0, 0));
    }
}
