package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Sends replayed Claude Code requests to a gateway over HTTP, byte for byte as built, reads the SSE
 * answer, and takes the engine's slot figures from {@code GET /cache/stats} before and after each
 * request, so that every turn's reuse is known twice: from the response's usage and from the gateway's
 * own accounting. Requests are sent one at a time, so the change in the figures is the request's own.
 *
 * <p>A raw HTTP client, not the Anthropic SDK: the point is to send exactly what Claude Code sends
 * (its headers, its key order, its mid-conversation {@code role: "system"} message), which the SDK's
 * typed builders cannot express.
 */
public final class AgentReplayClient implements AutoCloseable {
    private final HttpClient http;
    private final URI base;
    private final ObjectMapper json;
    private final Duration timeout;

    /**
     * @param gatewayUrl the gateway's base URL, e.g. {@code http://127.0.0.1:8082}
     * @param timeout the longest one request may take (a cold prefill on a slow machine is minutes)
     */
    public AgentReplayClient(String gatewayUrl, ObjectMapper json, Duration timeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        this.base = URI.create(gatewayUrl.endsWith("/") ? gatewayUrl : gatewayUrl + "/");
        this.json = json;
        this.timeout = timeout;
    }

    /** Sends {@code r} and waits for its whole answer. */
    public AgentReplayTurn send(AgentReplayRequest r) throws IOException, InterruptedException {
        Map<Integer, long[]> before = slotFigures();
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("v1/messages?beta=true"))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(r.body(), StandardCharsets.UTF_8));
        r.headers().forEach(b::header);
        long start = System.nanoTime();
        HttpResponse<InputStream> response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        Answer answer;
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException(r.agent() + " turn " + r.turn() + ": HTTP " + response.statusCode() + ": "
                        + new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            answer = read(in, start, r);
        }
        long end = System.nanoTime();
        Map<Integer, long[]> after = slotFigures();
        long statsPrompt = -1;
        long statsReused = -1;
        int slot = -1;
        if (!after.isEmpty()) {
            statsPrompt = 0;
            statsReused = 0;
            for (Map.Entry<Integer, long[]> e : after.entrySet()) {
                long[] was = before.getOrDefault(e.getKey(), new long[3]);
                long[] now = e.getValue();
                if (now[0] > was[0]) {
                    slot = e.getKey();
                }
                statsPrompt += now[1] - was[1];
                statsReused += now[2] - was[2];
            }
        }
        return new AgentReplayTurn(
                r.agent(),
                r.turn(),
                r.bytes(),
                answer.input + answer.reused,
                answer.reused,
                statsPrompt,
                statsReused,
                slot,
                ((answer.firstToken == 0 ? end : answer.firstToken) - start) / 1e6,
                (end - start) / 1e6,
                answer.stopReason);
    }

    /** What the SSE answer said. */
    private static final class Answer {
        long input;
        long reused;
        long firstToken;
        String stopReason;
    }

    private Answer read(InputStream in, long start, AgentReplayRequest r) throws IOException {
        Answer a = new Answer();
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String event = null;
        boolean stopped = false;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:") && event != null) {
                switch (event) {
                    case "content_block_start", "content_block_delta" -> {
                        if (a.firstToken == 0) {
                            a.firstToken = System.nanoTime();
                        }
                    }
                    case "message_delta" -> {
                        JsonNode d = json.readTree(line.substring(5));
                        a.input = d.path("usage").path("input_tokens").asLong();
                        a.reused =
                                d.path("usage").path("cache_read_input_tokens").asLong();
                        a.stopReason = d.path("delta").path("stop_reason").asText(null);
                    }
                    case "message_stop" -> stopped = true;
                    case "error" ->
                        throw new IOException(r.agent() + " turn " + r.turn() + ": stream error "
                                + line.substring(5).strip());
                    default -> {
                        // message_start, content_block_stop, ping: nothing to measure
                    }
                }
            }
        }
        if (!stopped || a.stopReason == null) {
            throw new IOException(r.agent() + " turn " + r.turn() + ": the stream ended without message_delta and"
                    + " message_stop (expected: a complete Anthropic event stream)");
        }
        return a;
    }

    /** The gateway's {@code /cache/stats} document. */
    public JsonNode cacheStats() throws IOException, InterruptedException {
        HttpResponse<String> s = http.send(
                HttpRequest.newBuilder(base.resolve("cache/stats"))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (s.statusCode() != 200) {
            throw new IOException("GET /cache/stats: HTTP " + s.statusCode() + ": " + s.body());
        }
        return json.readTree(s.body());
    }

    /** Per engine slot: requests, prompt tokens, reused tokens; empty when the backend has no such slots. */
    private Map<Integer, long[]> slotFigures() throws IOException, InterruptedException {
        Map<Integer, long[]> out = new HashMap<>();
        for (JsonNode s : cacheStats().path("l1").path("slots")) {
            out.put(s.path("slot").asInt(), new long[] {
                s.path("requests").asLong(),
                figure(s, "promptTokens", "prompt_tokens"),
                figure(s, "reusedTokens", "reused_tokens")
            });
        }
        return out;
    }

    /** A slot figure under either spelling, so that a change of the stats' naming shows as a failure, not as zeros. */
    private static long figure(JsonNode slot, String camel, String snake) {
        JsonNode v = slot.has(camel) ? slot.get(camel) : slot.get(snake);
        if (v == null || !v.isNumber()) {
            throw new IllegalStateException(
                    "/cache/stats l1.slots[]: no " + camel + " (expected: the embedded engine's slot figures)");
        }
        return v.asLong();
    }

    @Override
    public void close() {
        http.close();
    }
}
