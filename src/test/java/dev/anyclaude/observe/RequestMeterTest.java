package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.RequestObserver;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the meter measures of one exchange, on a clock the test moves. */
class RequestMeterTest {
    private long now;
    private final List<RequestRecord> finished = new ArrayList<>();
    private final List<String> seen = new ArrayList<>();
    private final RequestListener listener = new RequestListener() {
        @Override
        public void started(RequestObserver.RequestInfo info) {
            seen.add("started");
        }

        @Override
        public void cache(RequestObserver.RequestInfo info, String outcome) {
            seen.add("cache " + outcome);
        }

        @Override
        public void finished(RequestRecord record) {
            finished.add(record);
        }
    };

    private static final RequestObserver.RequestInfo INFO = new RequestObserver.RequestInfo(
            "req_1", "messages", "claude-opus-4-8", "qwen", "openai", "sess", true, null);

    private RequestMeter meter(boolean keepEvents) {
        return new RequestMeter(List.of(listener), Clock.of(() -> now, InstantSource.fixed(Instant.EPOCH)), keepEvents);
    }

    private static StreamEvent text(String t) {
        return new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta(t));
    }

    @Test
    void measuresTimeToFirstTokenDecodeTimeUsageAndCache() throws Exception {
        RequestObserver.Exchange x = meter(false).begin(INFO);
        x.cache("miss");
        EventSink sink = x.tap(e -> {});
        now = 50_000_000;
        sink.accept(new StreamEvent.MessageStart(null, null, new Usage(10, 0, 90, 0)));
        sink.accept(new StreamEvent.BlockStart(0, new StreamEvent.TextBlock()));
        now = 200_000_000;
        sink.accept(text("a"));
        now = 700_000_000;
        sink.accept(text("b"));
        sink.accept(new StreamEvent.BlockStop(0));
        sink.accept(new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(10, 11, 90, 0)));
        sink.accept(StreamEvent.MESSAGE_STOP);
        now = 750_000_000;
        x.end(null, false);

        RequestRecord r = finished.getFirst();
        assertThat(seen).containsExactly("started", "cache miss");
        assertThat(r.ttftNanos()).isEqualTo(200_000_000);
        assertThat(r.totalNanos()).isEqualTo(750_000_000);
        assertThat(r.decodeNanos()).isEqualTo(500_000_000);
        assertThat(r.outputTokensPerSecond()).isEqualTo(20.0);
        assertThat(r.usage().cacheReadInputTokens()).isEqualTo(90);
        assertThat(r.usage().promptTokens()).isEqualTo(100);
        assertThat(r.stopReason()).isEqualTo(StopReason.END_TURN);
        assertThat(r.cache()).isEqualTo("miss");
        assertThat(r.outcome()).isEqualTo("ok");
        assertThat(r.events()).isEmpty();
    }

    @Test
    void aRequestWithoutTokensHasNoTtftAndNoRateAndEndsOnce() {
        RequestObserver.Exchange x = meter(true).begin(INFO);
        x.end(new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "down"), false);
        x.end(new GatewayException(ErrorKind.INTERNAL, "again"), false);

        assertThat(finished).hasSize(1);
        RequestRecord r = finished.getFirst();
        assertThat(r.ttftNanos()).isEqualTo(-1);
        assertThat(r.outputTokensPerSecond()).isEqualTo(-1);
        assertThat(r.outcome()).isEqualTo("error");
        assertThat(r.status()).isEqualTo(529);
        assertThat(r.cache()).isEqualTo("off");
    }

    @Test
    void outcomesSeparateClientFaultsFromBackendFaultsAndDepartures() {
        RequestMeter m = meter(false);
        m.begin(INFO).end(GatewayException.contextOverflow(50_000, 32_768), false);
        m.begin(INFO).end(new GatewayException(ErrorKind.RATE_LIMITED, "slow down"), false);
        m.begin(INFO).end(new GatewayException(ErrorKind.CANCELLED, "left"), true);

        assertThat(finished).extracting(RequestRecord::outcome).containsExactly("client_error", "error", "cancelled");
    }

    @Test
    void keepsTheEventsOnlyWhenAskedTo() throws Exception {
        RequestObserver.Exchange x = meter(true).begin(INFO);
        x.tap(e -> {}).accept(text("kept"));
        x.end(null, false);

        assertThat(finished.getFirst().events()).containsExactly(text("kept"));
    }
}
