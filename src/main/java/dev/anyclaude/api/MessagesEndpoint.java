package dev.anyclaude.api;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.cache.CacheDirectives;
import dev.anyclaude.cache.Lookup;
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.cache.ResponseRecorder;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.RequestObserver;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.ToolCallJudge;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.prefix.PromptShape;
import dev.anyclaude.route.ModelRouter;
import dev.anyclaude.time.Clock;
import dev.anyclaude.translate.GenerationStopped;
import dev.anyclaude.translate.StopSequenceFilter;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/messages}, the request path from the HTTP route to the backend and back, read top to bottom.
 * Each stage is one line of {@link #answer}, {@link #stream}/{@link #respondJson} and {@link #generate}; the
 * backend chain behind stage 10 is built by {@code gateway.Gateway}, outermost first.
 *
 * <ol>
 *   <li><b>Read</b> the body, bounded by {@code --max-body-bytes} ({@link HttpBodies}).
 *   <li><b>Parse and validate</b> into a {@link MessagesRequest}; bad input is an {@code invalid_request_error}
 *       naming the field ({@link RequestParser}).
 *   <li><b>Normalize</b> the prompt prefix so that it stays byte-stable across turns ({@link Normalizer}).
 *   <li><b>Identify the conversation stream</b> (session header, prompt shape) and note where the prompt
 *       diverged from its previous turn ({@link ConversationStreams}).
 *   <li><b>L2 lookup</b> in the exact response cache, honouring {@code cache-control} ({@link ResponseCache}).
 *   <li><b>Route</b> the requested model to a served one ({@link ModelRouter}).
 *   <li><b>Observe</b>: metrics, request log, debug capture begin ({@link RequestObserver}).
 *   <li><b>Answer</b> as SSE ({@link SseStream}: commit after the first event, pings, the stream keeper) or as
 *       one JSON message.
 *   <li>A hit is <b>replayed</b>; a miss is <b>generated</b>: the client's sink wrapped by the safeguards judge
 *       ({@link ToolCallJudge}, outside the recorder), the L2 recorder ({@link ResponseRecorder}) and the stop
 *       sequence filter ({@link StopSequenceFilter}); retryable failures are retried before the first byte.
 *   <li><b>The backend chain</b>: readiness sampling and the circuit breaker ({@code observe.Operations#guard}),
 *       replicas by stream affinity ({@code route.ReplicaSet}, several {@code --upstream}s), the L1 prefix cache
 *       ({@code l1.ServerPrefixCache}: slot steering, warming, saved KV states), the supervised launched server
 *       ({@code backend.launch.SupervisedBackend}), then the model: a server through {@code backend.OpenAiBackend}
 *       (translate's request writer and stream translator, in the server's {@code Flavor} dialect), or the
 *       embedded engine through {@code backend.embedded.EmbeddedBackend} (the GGUF's chat template,
 *       {@code engine.Engine}, the tool-call parser).
 *   <li><b>Back</b>: Anthropic events flow out through the same sinks; the exchange ends with usage, cache
 *       outcome and timing; errors become the Anthropic error the client expects ({@link GatewayServer}).
 * </ol>
 */
final class MessagesEndpoint {
    private static final Logger log = LoggerFactory.getLogger(MessagesEndpoint.class);

    private final RequestParser parser;
    private final EventJson json;
    private final Normalizer normalizer;
    private final ConversationStreams streams;
    private final ResponseCache responses;
    private final ModelRouter router;
    private final Backend backend;
    private final GatewayOptions options;
    private final RequestObserver observer;
    private final StreamKeeper keeper;
    private final Clock clock;
    /** Requests being handled, for {@link #close}. */
    private final AtomicInteger active = new AtomicInteger();

    private final ToolCallJudge judge;

    MessagesEndpoint(
            RequestParser parser,
            EventJson json,
            Normalizer normalizer,
            ConversationStreams streams,
            ResponseCache responses,
            ModelRouter router,
            Backend backend,
            GatewayOptions options,
            RequestObserver observer,
            ToolCallJudge judge,
            Clock clock) {
        this.parser = parser;
        this.json = json;
        this.normalizer = normalizer;
        this.streams = streams;
        this.responses = responses;
        this.router = router;
        this.backend = backend;
        this.options = options;
        this.observer = observer;
        this.judge = judge;
        this.clock = clock;
        this.keeper = StreamKeeper.forOptions(options, clock);
    }

    /**
     * Waits (up to {@code grace}) for requests still being handled to finish their bookkeeping — a response
     * is complete before its metrics and request-log line are written — then stops the stream keeper.
     */
    void close(Duration grace) {
        long deadline = clock.nanoTime() + grace.toNanos();
        synchronized (active) {
            while (active.get() > 0 && clock.nanoTime() - deadline < 0) {
                try {
                    active.wait(Math.max(1, (deadline - clock.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        keeper.close();
    }

    /** What one request needs on its way through the stages. */
    private record Call(
            BackendRequest backendRequest, String requestedModel, Lookup lookup, RequestObserver.Exchange exchange) {
        MessagesRequest request() {
            return backendRequest.request();
        }
    }

    void handle(Context ctx) throws IOException {
        active.incrementAndGet();
        try {
            answer(ctx);
        } finally {
            if (active.decrementAndGet() == 0) {
                synchronized (active) {
                    active.notifyAll();
                }
            }
        }
    }

    private void answer(Context ctx) throws IOException {
        byte[] body = HttpBodies.read(ctx, options.maxBodyBytes()); // 1. read
        MessagesRequest request = normalizer.normalize(parser.parse(body)); // 2. parse and validate, 3. normalize
        String requested = request.model();
        String requestId = Ids.DEFAULT.request();
        ctx.header("request-id", requestId);
        String session = ctx.header("x-claude-code-session-id");
        ConversationStreams.Identity stream = streams.identify(session, request); // 4. conversation stream
        if (stream.divergence() != null && log.isDebugEnabled()) {
            PromptShape.Divergence d = stream.divergence();
            log.debug(
                    "{}: prompt diverged from the stream's previous one in {} at char {} of {}{}",
                    requestId,
                    d.part(),
                    d.charOffset(),
                    d.totalChars(),
                    d.detail() == null ? "" : " (" + d.detail() + ")");
        }
        Lookup lookup = responses.lookup(request, CacheDirectives.parse(ctx.header("cache-control"))); // 5. L2
        ctx.header("anyclaude-cache", lookup.header());
        MessagesRequest routed = request.withModel(router.resolve(requested)); // 6. route
        RequestObserver.Exchange exchange = observer.begin(new RequestObserver.RequestInfo(
                requestId,
                "messages",
                requested,
                routed.model(),
                backend.name(),
                session,
                request.stream(),
                request,
                stream.streamKey(),
                stream.divergence() == null ? null : stream.divergence().inWords())); // 7. observe
        exchange.cache(lookup.header());
        Call call = new Call(new BackendRequest(routed, stream.streamKey(), requestId), requested, lookup, exchange);
        try {
            if (request.stream()) { // 8. answer as SSE or as JSON
                stream(ctx, call);
            } else {
                respondJson(ctx, call);
            }
        } catch (GatewayException e) { // 11. back: the exception handler answers with the Anthropic error
            exchange.end(e, false);
            throw e;
        } catch (RuntimeException | Error e) {
            exchange.end(new GatewayException(ErrorKind.INTERNAL, String.valueOf(e.getMessage()), e), false);
            throw e;
        }
    }

    private void stream(Context ctx, Call call) throws IOException {
        String messageId = Ids.DEFAULT.message();
        try (SseStream sse = new SseStream(
                ctx.res(),
                json,
                messageId,
                call.requestedModel(),
                options.commitAfter(),
                options.pingEvery(),
                keeper)) {
            try {
                if (call.lookup() instanceof Lookup.Hit hit) { // 9. replay a hit, or generate a miss
                    replay(hit, judged(call, call.exchange().tap(sse)));
                } else {
                    sse.start();
                    generate(call, () -> judged(call, call.exchange().tap(sse)), sse::committed);
                }
                call.exchange().end(null, false);
            } catch (GatewayException e) {
                if (!sse.committed()) {
                    throw e; // answered with its HTTP status by the exception handler
                }
                log.warn("stream {} failed after it began: {}", messageId, e.getMessage());
                call.exchange().end(e, false);
                try {
                    sse.accept(new StreamEvent.Error(e.kind(), e.getMessage()));
                } catch (IOException gone) {
                    // the client left as well; nothing more to tell it
                }
            } catch (IOException e) {
                log.debug("client left stream {}: {}", messageId, e.toString());
                call.exchange()
                        .end(new GatewayException(ErrorKind.CANCELLED, "the client closed the connection"), true);
            }
        } finally {
            Thread.interrupted(); // the keep-alive thread may have interrupted us when the client left
        }
    }

    private void respondJson(Context ctx, Call call) throws IOException {
        List<StreamEvent> events = new ArrayList<>();
        if (call.lookup() instanceof Lookup.Hit hit) { // 9. replay a hit, or generate a miss
            replay(hit, judged(call, call.exchange().tap(events::add)));
        } else {
            generate(
                    call,
                    () -> {
                        events.clear(); // a retried attempt starts over
                        return judged(call, call.exchange().tap(events::add));
                    },
                    () -> false);
        }
        List<StreamEvent> out = new ArrayList<>(events.size());
        for (StreamEvent e : events) {
            out.add(
                    e instanceof StreamEvent.MessageStart s
                            ? new StreamEvent.MessageStart(Ids.DEFAULT.message(), call.requestedModel(), s.usage())
                            : e);
        }
        byte[] message = json.message(out);
        // Written and completed here, not handed to Javalin as the result: the client has its answer before
        // the bookkeeping below runs instead of after it.
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setContentType("application/json");
        res.setContentLength(message.length);
        try (OutputStream body = res.getOutputStream()) {
            body.write(message);
        }
        call.exchange().end(null, false);
    }

    /**
     * The client's sink behind the safeguards judge: verdicts on the answer's tool calls join its final {@code
     * message_delta}. Outside the response cache's recorder, so a replayed answer is judged again (its tool ids are
     * new) and no verdict is ever stored.
     */
    private EventSink judged(Call call, EventSink client) {
        MessagesRequest request = call.backendRequest().request();
        EventSink shown =
                request.thinking() != null && request.thinking().omitted() ? withoutThinkingText(client) : client;
        return judge.wrap(request, call.backendRequest().requestId(), shown);
    }

    /** {@code thinking.display: "omitted"}: thinking blocks reach the client empty, with their signatures. */
    static EventSink withoutThinkingText(EventSink client) {
        return event -> {
            if (!(event instanceof StreamEvent.BlockDelta(int i, StreamEvent.ThinkingDelta t))) {
                client.accept(event);
            }
        };
    }

    private static void replay(Lookup.Hit hit, EventSink sink) throws IOException {
        for (StreamEvent e : hit.events()) {
            sink.accept(e);
        }
    }

    /** A per-attempt sink towards the client. */
    private interface SinkFactory {
        EventSink next();
    }

    /**
     * Stages 9 and 10: calls the backend chain through the stop-sequence filter and the cache recorder;
     * retryable failures are retried with backoff while nothing was sent to the client yet.
     */
    private void generate(Call call, SinkFactory client, BooleanSupplier sent) throws IOException {
        Lookup.Miss miss = (Lookup.Miss) call.lookup();
        long deadline = clock.nanoTime() + options.retryBudget().toNanos();
        for (int attempt = 1; ; attempt++) {
            try (ResponseRecorder recorder = responses.recorder(miss, client.next())) {
                EventSink sink =
                        StopSequenceFilter.wrap(recorder, call.request().stopSequences());
                try {
                    backend.generate(call.backendRequest(), sink);
                } catch (GenerationStopped stopped) {
                    // a stop sequence matched: the response is complete
                }
                return;
            } catch (GatewayException e) {
                // A backend that asks for a wait of seconds (an open circuit, a server's Retry-After) is answered
                // at once: the client is better placed to wait than a request held open here.
                boolean again = e.kind().retryable()
                        && attempt < options.retryAttempts()
                        && !sent.getAsBoolean()
                        && e.retryAfterSeconds() < 3;
                long pause = backoff(attempt);
                if (!again || clock.nanoTime() + pause * 1_000_000L > deadline) {
                    throw e;
                }
                log.info(
                        "retrying {} after {} ms (attempt {}): {}",
                        call.backendRequest().requestId(),
                        pause,
                        attempt,
                        e.getMessage());
                sleep(pause);
            }
        }
    }

    /** Exponential backoff with jitter: 0 ms first (a pooled connection closed by the server), then ~2^n·100. */
    private static long backoff(int attempt) {
        if (attempt == 1) {
            return 0;
        }
        long cap = 100L << Math.min(attempt - 1, 6);
        return ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "request cancelled while waiting to retry");
        }
    }
}
