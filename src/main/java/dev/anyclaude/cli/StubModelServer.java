package dev.anyclaude.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A near-zero-latency OpenAI-compatible model server on loopback, the upstream of {@code aot-train}'s workload
 * (so it ships with the product: the launcher records the start-up cache from the product jar alone) and of
 * the overhead benchmarks ({@code anyclaude bench stub}, {@code bench overhead}): it answers
 * every {@code POST /v1/chat/completions} with the same short answer, as SSE or as one JSON completion
 * depending on the request's {@code stream} flag, and {@code GET /v1/models} with one model.
 *
 * <p>It does as little as a server can while staying a real HTTP/1.1 keep-alive server: it reads the whole
 * request body (so the upload is paid for as with a real server), looks for the {@code stream} flag without
 * parsing the JSON, and writes a precomputed reply with a {@code Content-Length} in one write. So any
 * time or CPU measured in front of it belongs to the client or to the gateway between them. A fixed delay
 * before each completion can stand in for a slow model (e.g. to measure response-cache hits against a
 * backend that takes 200 ms).
 */
public final class StubModelServer implements AutoCloseable {
    /** The model id the stub lists and names in its answers. */
    public static final String MODEL = "stub-model";
    /** The answer text, split over three SSE chunks when streaming. */
    public static final String ANSWER = "Hello! How can I help you today?";

    private static final byte[] STREAM_KEY = "\"stream\"".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService executor;
    private final byte[] sseReply;
    private final byte[] jsonReply;
    private final byte[] modelsReply;
    private final AtomicLong completions = new AtomicLong();
    private final long delayMillis;

    private StubModelServer(HttpServer server, ExecutorService executor, long delayMillis) {
        this.server = server;
        this.executor = executor;
        this.delayMillis = delayMillis;
        this.sseReply = sse().getBytes(StandardCharsets.UTF_8);
        this.jsonReply = json().getBytes(StandardCharsets.UTF_8);
        this.modelsReply = ("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL
                        + "\",\"object\":\"model\",\"created\":1,\"owned_by\":\"stub\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Starts a stub on 127.0.0.1 that answers at once; port 0 picks a free port. */
    public static StubModelServer start(int port) throws IOException {
        return start(port, 0);
    }

    /** Starts a stub on 127.0.0.1 that waits {@code delayMillis} before each completion. */
    public static StubModelServer start(int port, long delayMillis) throws IOException {
        if (delayMillis < 0) {
            throw new IllegalArgumentException("--delay-ms: " + delayMillis + " (expected: 0 or more)");
        }
        // The JDK server leaves Nagle on unless told otherwise; with delayed ACKs that costs ~40 ms per reply.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        StubModelServer stub = new StubModelServer(server, executor, delayMillis);
        server.createContext("/", stub::handle);
        server.start();
        return stub;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Chat completions answered so far. */
    public long completions() {
        return completions.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (method.equals("POST") && path.endsWith("/chat/completions")) {
                completions.incrementAndGet();
                if (delayMillis > 0) {
                    try {
                        Thread.sleep(delayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                boolean stream = streamFlag(body);
                reply(ex, 200, stream ? "text/event-stream" : "application/json", stream ? sseReply : jsonReply);
            } else if (method.equals("GET") && (path.equals("/v1/models") || path.equals("/models"))) {
                reply(ex, 200, "application/json", modelsReply);
            } else if (method.equals("GET") && path.equals("/health")) {
                reply(ex, 200, "application/json", "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII));
            } else {
                reply(
                        ex,
                        404,
                        "application/json",
                        ("{\"error\":{\"message\":\"not found: " + method + " " + path
                                        + "\",\"type\":\"not_found_error\"}}")
                                .getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * The value of the last {@code "stream"} key that holds a boolean. Inside JSON strings quotes are
     * escaped, so an unescaped {@code "stream"} is always a key; a tool schema may have a property named
     * stream, but its value is an object, never a boolean.
     */
    static boolean streamFlag(byte[] body) {
        for (int i = lastIndexOf(body, STREAM_KEY, body.length); i >= 0; i = lastIndexOf(body, STREAM_KEY, i)) {
            int j = skipSpace(body, i + STREAM_KEY.length);
            if (j < body.length && body[j] == ':') {
                j = skipSpace(body, j + 1);
                if (startsWith(body, j, "true")) {
                    return true;
                }
                if (startsWith(body, j, "false")) {
                    return false;
                }
            }
        }
        return false;
    }

    /** The last index before {@code before} at which {@code key} starts, or -1. */
    private static int lastIndexOf(byte[] body, byte[] key, int before) {
        outer:
        for (int i = Math.min(before - 1, body.length - key.length); i >= 0; i--) {
            for (int k = 0; k < key.length; k++) {
                if (body[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static boolean startsWith(byte[] b, int at, String word) {
        if (at + word.length() > b.length) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            if (b[at + k] != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** What an OpenAI server streams: role, three content pieces, the finish, the usage chunk, [DONE]. */
    private static String sse() {
        String head = "{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\""
                + MODEL + "\",";
        String[] pieces = {"Hello!", " How can I help", " you today?"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) {
            String role = i == 0 ? "\"role\":\"assistant\"," : "";
            sb.append("data: ")
                    .append(head)
                    .append("\"choices\":[{\"index\":0,\"delta\":{")
                    .append(role)
                    .append("\"content\":\"")
                    .append(pieces[i])
                    .append("\"},\"finish_reason\":null}]}\n\n");
        }
        sb.append("data: ")
                .append(head)
                .append("\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
        sb.append("data: ")
                .append(head)
                .append("\"choices\":[],\"usage\":{\"prompt_tokens\":15000,")
                .append("\"completion_tokens\":9,\"total_tokens\":15009}}\n\n");
        sb.append("data: [DONE]\n\n");
        return sb.toString();
    }

    private static String json() {
        return "{\"id\":\"chatcmpl-stub\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"" + MODEL + "\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"" + ANSWER + "\"},"
                + "\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":15000,\"completion_tokens\":9,\"total_tokens\":15009}}";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }
}
