package dev.anyclaude.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A scripted OpenAI-compatible model server on loopback, for protocol and fault cases a real server cannot
 * be made to produce on demand: each chat request is answered by the next scripted {@link Reply} (or the
 * default one), and every request is recorded.
 *
 * <p>What its scripts imitate, and where the real server shows it: llama.cpp's mid-stream error event
 * ({@code {"code":500,"message":...,"type":"server_error"}} with no {@code finish_reason}, on a KV failure or an
 * aborted slot, which no request can provoke on demand); a server busy or loading ({@code 503}, with or without
 * {@code Retry-After}, as vLLM and llama.cpp send them); a stream that stops in the middle of a tool call or goes
 * silent (a crash or a stuck GPU); bytes that are not HTTP. Behaviour the real server can show on demand is
 * tested against it instead: {@code dev.anyclaude.llamacpp.LlamaServerBackendTest} (closed connections after a
 * stream, a stream without its role chunk, context overflow, count_tokens), {@code ToolCallsTest}, {@code
 * l1.ServerPrefixCacheTest}, {@code observe.ReadinessTest}.
 */
public final class ScriptedOpenAiServer implements AutoCloseable {
    private final HttpServer server;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Recorded> received = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Function<Recorded, Reply>> routes = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger aborted = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Reply fallback = Reply.stream(Chunks.text("Hello from the stub."));

    /** A request the server received. */
    public record Recorded(String method, String path, Map<String, List<String>> headers, String body) {}

    public ScriptedOpenAiServer() throws IOException {
        this(0);
    }

    /** A server on {@code port} (0: a free one), e.g. one coming back where a closed one was. */
    public ScriptedOpenAiServer(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        routes.put(
                "GET /v1/models",
                r -> Reply.json(
                        200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"stub-model\","
                                + "\"object\":\"model\",\"owned_by\":\"stub\"}]}"));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Queues replies for the next chat requests, in order. */
    public ScriptedOpenAiServer then(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** The reply used when the script is empty. */
    public ScriptedOpenAiServer byDefault(Reply reply) {
        fallback = reply;
        return this;
    }

    /** Answers {@code METHOD /path} (e.g. {@code POST /tokenize}) with a function of the request. */
    public ScriptedOpenAiServer route(String methodAndPath, Function<Recorded, Reply> reply) {
        routes.put(methodAndPath, reply);
        return this;
    }

    public List<Recorded> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** How many replies could not be written to the end because the gateway closed the connection. */
    public int aborted() {
        return aborted.get();
    }

    public List<Recorded> chatRequests() {
        return received().stream()
                .filter(r -> r.path().endsWith("/chat/completions"))
                .toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getPath();
        Recorded rec = new Recorded(ex.getRequestMethod(), path, Map.copyOf(ex.getRequestHeaders()), body);
        received.add(rec);
        Reply reply;
        Function<Recorded, Reply> route = routes.get(ex.getRequestMethod() + " " + path);
        if (route != null) {
            reply = route.apply(rec);
        } else if (path.endsWith("/chat/completions")) {
            Reply next = script.poll();
            reply = next != null ? next : fallback;
        } else {
            reply = Reply.json(404, "{\"error\":{\"message\":\"no route " + path + "\",\"type\":\"not_found\"}}");
        }
        try {
            reply.writeTo(ex);
        } catch (IOException e) {
            aborted.incrementAndGet(); // the gateway went away mid-reply
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** One scripted answer. */
    public interface Reply {
        void writeTo(HttpExchange ex) throws IOException;

        /** An SSE stream of the given {@code data:} payloads, then {@code [DONE]}. */
        static Reply stream(List<String> payloads) {
            return stream(payloads, Duration.ZERO, true);
        }

        static Reply stream(List<String> payloads, Duration gap, boolean done) {
            return ex -> {
                ex.getResponseHeaders().add("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                for (String p : payloads) {
                    pause(gap);
                    out.write(("data: " + p + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                if (done) {
                    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                }
                out.flush();
            };
        }

        /** Waits {@code delay} before sending headers (a slow prefill), then streams. */
        static Reply delayed(Duration delay, Reply then) {
            return ex -> {
                pause(delay);
                then.writeTo(ex);
            };
        }

        static Reply json(int status, String body) {
            return ex -> {
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(status, b.length);
                ex.getResponseBody().write(b);
            };
        }

        static Reply status(int status, String body, String retryAfter) {
            return ex -> {
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json");
                if (retryAfter != null) {
                    ex.getResponseHeaders().add("Retry-After", retryAfter);
                }
                ex.sendResponseHeaders(status, b.length);
                ex.getResponseBody().write(b);
            };
        }

        /** Streams the payloads, then drops the connection without [DONE] (the server died). */
        static Reply dieAfter(List<String> payloads) {
            return stream(payloads, Duration.ZERO, false);
        }

        /** Bytes that are not SSE at all. */
        static Reply garbage(String text) {
            return ex -> {
                ex.getResponseHeaders().add("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                ex.getResponseBody().write(text.getBytes(StandardCharsets.UTF_8));
            };
        }
    }

    static void pause(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
