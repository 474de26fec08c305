package dev.anyclaude.api;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import dev.anyclaude.translate.GenerationStopped;
import dev.anyclaude.translate.StopSequenceFilter;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/messages}: the request path as a chain of stages — parse and validate, normalize the
 * prefix, resolve the model, call the backend (retrying before the first byte), and write the events as
 * SSE or as one JSON message.
 */
final class MessagesEndpoint {
    private static final Logger log = LoggerFactory.getLogger(MessagesEndpoint.class);

    private final RequestParser parser;
    private final EventJson json;
    private final Normalizer normalizer;
    private final ConversationStreams streams;
    private final ModelRouter router;
    private final Backend backend;
    private final GatewayOptions options;
    private final RequestObserver observer;

    MessagesEndpoint(RequestParser parser, EventJson json, Normalizer normalizer, ConversationStreams streams,
            ModelRouter router, Backend backend, GatewayOptions options, RequestObserver observer) {
        this.streams = streams;
        this.observer = observer;
        this.parser = parser;
        this.json = json;
        this.normalizer = normalizer;
        this.router = router;
        this.backend = backend;
        this.options = options;
    }

    void handle(Context ctx) throws IOException {
        byte[] body = HttpBodies.read(ctx, options.maxBodyBytes());
        MessagesRequest parsed = parser.parse(body);
        MessagesRequest request = normalizer.normalize(parsed);
        String requested = request.model();
        MessagesRequest routed = request.withModel(router.resolve(requested));
        String requestId = Ids.requestId();
        ctx.header("request-id", requestId);
        ConversationStreams.Identity stream = streams.identify(ctx.header("x-claude-code-session-id"), request);
        if (stream.divergence() != null && log.isDebugEnabled()) {
            log.debug("{}: prompt diverged from the stream's previous one in {} at char {} of {}", requestId,
                    stream.divergence().part(), stream.divergence().charOffset(), stream.divergence().totalChars());
        }
        BackendRequest call = new BackendRequest(routed, stream.streamKey(), requestId);
        RequestObserver.Exchange exchange = observer.begin(new RequestObserver.RequestInfo(requestId, "messages",
                requested, routed.model(), backend.name(), ctx.header("x-claude-code-session-id"), request.stream(),
                request));
        try {
            if (request.stream()) {
                stream(ctx, call, requested, exchange);
            } else {
                respondJson(ctx, call, requested, exchange);
            }
        } catch (GatewayException e) {
            exchange.end(e, false);
            throw e;
        } catch (RuntimeException | Error e) {
            exchange.end(new GatewayException(ErrorKind.INTERNAL, String.valueOf(e.getMessage()), e), false);
            throw e;
        }
    }

    private void stream(Context ctx, BackendRequest call, String requestedModel, RequestObserver.Exchange exchange)
            throws IOException {
        String messageId = Ids.messageId();
        try (SseStream sse = new SseStream(ctx.res(), json, messageId, requestedModel, options.commitAfter(),
                options.pingEvery())) {
            sse.start();
            try {
                generateWithRetry(call, withStops(call.request(), exchange.tap(sse)), sse::committed);
                exchange.end(null, false);
            } catch (GatewayException e) {
                if (!sse.committed()) {
                    throw e; // answered with its HTTP status by the exception handler
                }
                log.warn("stream {} failed after it began: {}", messageId, e.getMessage());
                exchange.end(e, false);
                try {
                    sse.accept(new StreamEvent.Error(e.kind(), e.getMessage()));
                } catch (IOException gone) {
                    // the client left as well; nothing more to tell it
                }
            } catch (IOException e) {
                log.debug("client left stream {}: {}", messageId, e.toString());
                exchange.end(new GatewayException(ErrorKind.CANCELLED, "the client closed the connection"), true);
            }
        } finally {
            Thread.interrupted(); // the keep-alive thread may have interrupted us when the client left
        }
    }

    private void respondJson(Context ctx, BackendRequest call, String requestedModel,
            RequestObserver.Exchange exchange) throws IOException {
        List<StreamEvent> events = new ArrayList<>();
        EventSink collect = events::add;
        generateWithRetry(call, withStops(call.request(), exchange.tap(collect)), () -> false);
        List<StreamEvent> out = new ArrayList<>(events.size() + 1);
        for (StreamEvent e : events) {
            out.add(e instanceof StreamEvent.MessageStart s
                    ? new StreamEvent.MessageStart(Ids.messageId(), requestedModel, s.usage())
                    : e);
        }
        ctx.status(200).contentType("application/json").result(json.message(out));
        exchange.end(null, false);
    }

    private static EventSink withStops(MessagesRequest request, EventSink sink) {
        List<String> stops = request.stopSequences();
        return stops == null || stops.isEmpty() ? sink : new StopSequenceFilter(sink, stops);
    }

    /** Calls the backend; retryable failures are retried with backoff while nothing was sent yet. */
    private void generateWithRetry(BackendRequest call, EventSink sink, java.util.function.BooleanSupplier sent)
            throws IOException {
        long deadline = System.nanoTime() + options.retryBudget().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                backend.generate(call, sink);
                return;
            } catch (GenerationStopped stopped) {
                return; // a stop sequence matched: the response is complete
            } catch (GatewayException e) {
                boolean again = e.kind().retryable() && attempt < options.retryAttempts() && !sent.getAsBoolean();
                long pause = backoff(attempt);
                if (!again || System.nanoTime() + pause * 1_000_000L > deadline) {
                    throw e;
                }
                log.info("retrying {} after {} ms (attempt {}): {}", call.requestId(), pause, attempt,
                        e.getMessage());
                sleep(pause);
            }
        }
    }

    /** Exponential backoff with full jitter: 0 ms first (a pooled connection closed by the server), then ~2^n·100. */
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
