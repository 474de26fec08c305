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

/**
 * Sends Claude Code requests to an Anthropic Messages endpoint — the gateway, llama-server's own
 * {@code /v1/messages}, or claude-code-router — and reads the streamed answer: time to the first content
 * block, and the prompt tokens and reused tokens the answer's usage reports. It accepts what each of them
 * sends (llama-server's stream may lack {@code message_start} and reports usage there when it has one).
 */
final class L1Client implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final URI messages;
    private final ObjectMapper json;
    private final Duration timeout;

    /** What one request showed. {@code error} is null when it succeeded. */
    record Turn(
            String agent,
            int turn,
            int lane,
            long promptTokens,
            long reusedTokens,
            double firstTokenMs,
            double totalMs,
            String stopReason,
            String error) {

        double reuse() {
            return promptTokens == 0 ? 0 : (double) reusedTokens / promptTokens;
        }
    }

    L1Client(String baseUrl, ObjectMapper json, Duration timeout) {
        this.messages = URI.create((baseUrl.endsWith("/") ? baseUrl : baseUrl + "/") + "v1/messages?beta=true");
        this.json = json;
        this.timeout = timeout;
    }

    /**
     * Sends {@code r}; a connection that fails before any answer arrives is retried on a new one twice, as the
     * Anthropic SDKs (and so Claude Code) do: llama-server closes the connection after every streamed answer.
     */
    Turn send(AgentReplayRequest r, int lane) throws InterruptedException {
        Turn t = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            t = sendOnce(r, lane);
            if (t.error() == null || !t.error().startsWith("connection:")) {
                return t;
            }
        }
        return t;
    }

    private Turn sendOnce(AgentReplayRequest r, int lane) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(messages)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(r.body(), StandardCharsets.UTF_8));
        r.headers().forEach((k, v) -> {
            if (!k.equals("x-api-key")) {
                b.header(k, v);
            }
        });
        b.header("x-api-key", "bench");
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response;
            try {
                response = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                return failed(r, lane, start, "connection: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    return failed(r, lane, start, "HTTP " + response.statusCode() + ": " + cut(body));
                }
                return read(in, start, r, lane);
            }
        } catch (IOException e) {
            return failed(r, lane, start, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Turn failed(AgentReplayRequest r, int lane, long start, String why) {
        return new Turn(r.agent(), r.turn(), lane, 0, 0, -1, (System.nanoTime() - start) / 1e6, null, why);
    }

    private Turn read(InputStream in, long start, AgentReplayRequest r, int lane) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String event = null;
        long firstToken = 0;
        long input = 0;
        long reused = 0;
        String stop = null;
        String error = null;
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
                continue;
            }
            if (!line.startsWith("data:") || event == null) {
                continue;
            }
            JsonNode d = json.readTree(line.substring(5));
            switch (event) {
                case "content_block_start", "content_block_delta" -> {
                    if (firstToken == 0) {
                        firstToken = System.nanoTime();
                    }
                }
                case "message_start" -> {
                    JsonNode u = d.path("message").path("usage");
                    input = Math.max(input, u.path("input_tokens").asLong());
                    reused = Math.max(reused, u.path("cache_read_input_tokens").asLong());
                }
                case "message_delta" -> {
                    JsonNode u = d.path("usage");
                    if (u.has("input_tokens")) {
                        input = u.path("input_tokens").asLong();
                    }
                    if (u.has("cache_read_input_tokens")) {
                        reused = u.path("cache_read_input_tokens").asLong();
                    }
                    stop = d.path("delta").path("stop_reason").asText(null);
                }
                case "error" -> error = "stream error: " + cut(line.substring(5).strip());
                default -> {
                    // ping, content_block_stop, message_stop: nothing to measure
                }
            }
        }
        long end = System.nanoTime();
        if (error == null && stop == null) {
            error = "the stream ended without message_delta";
        }
        return new Turn(
                r.agent(),
                r.turn(),
                lane,
                input + reused,
                reused,
                ((firstToken == 0 ? end : firstToken) - start) / 1e6,
                (end - start) / 1e6,
                stop,
                error);
    }

    private static String cut(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    @Override
    public void close() {
        http.close();
    }
}
