package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client sees when the backend misbehaves — hangs, answers garbage, refuses, dies mid-response,
 * stays down — and how the circuit breaker spares a dead backend. (Retry after one 503, death in the
 * middle of a tool call, pings during a slow prefill and a backend down at start are in
 * GatewayProtocolTest.)
 */
class GatewayFaultTest {
    private static final String JSON_REQUEST = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":50,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM_REQUEST = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":50,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private GatewayFixture fx;

    private GatewayFixture start(Consumer<ServeOptions> tweak) throws Exception {
        fx = new GatewayFixture(tweak);
        return fx;
    }

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void aBackendThatNeverAnswersIsATimeoutErrorWithinTheUpstreamTimeout() throws Exception {
        start(o -> o.upstreamTimeoutSeconds = 1);
        fx.upstream.byDefault(Reply.delayed(Duration.ofSeconds(20), Reply.stream(Chunks.text("late"))));

        HttpResponse<String> json = fx.post("/v1/messages", JSON_REQUEST);

        assertThat(json.statusCode()).isEqualTo(504);
        assertThat(json.body()).contains("\"type\":\"timeout_error\"").contains("did not answer within 1 s");
        assertThat(json.headers().firstValue("x-should-retry")).contains("true");
        assertThat(fx.upstream.chatRequests())
                .as("retried before the first byte")
                .hasSize(3);

        HttpResponse<String> stream = fx.post("/v1/messages", STREAM_REQUEST);

        assertThat(stream.statusCode())
                .as("committed while waiting, so the error comes as an event")
                .isEqualTo(200);
        assertThat(stream.body())
                .startsWith("event: message_start")
                .contains("event: error")
                .contains("\"type\":\"timeout_error\"")
                .doesNotContain("event: message_stop");
    }

    @Test
    void garbageInsteadOfAStreamIsAnApiErrorEventNotAnEmptySuccess() throws Exception {
        start(o -> {});
        fx.upstream.then(Reply.garbage("<html><body>502 Bad Gateway</body></html>\n"));

        HttpResponse<String> r = fx.post("/v1/messages", STREAM_REQUEST);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("event: error")
                .contains("\"type\":\"api_error\"")
                .doesNotContain("event: message_stop")
                .doesNotContain("\"stop_reason\":\"end_turn\"");
    }

    @Test
    void garbageInsteadOfAJsonCompletionIsA5xxApiError() throws Exception {
        start(o -> {});
        fx.upstream.then(Reply.json(200, "<html>oops</html>"));

        HttpResponse<String> r = fx.post("/v1/messages", JSON_REQUEST);

        assertThat(r.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(r.body()).contains("\"type\":\"api_error\"");
        assertThat(fx.upstream.chatRequests())
                .as("a broken answer is not retried")
                .hasSize(1);
    }

    @Test
    void a429AskingForSecondsIsPassedOnAtOnceWithTheBackendsRetryAfter() throws Exception {
        start(o -> {});
        fx.upstream.byDefault(Reply.status(429, "{\"error\":{\"message\":\"too many requests\"}}", "7"));

        HttpResponse<String> r = fx.post("/v1/messages", JSON_REQUEST);

        assertThat(r.statusCode()).isEqualTo(429);
        assertThat(r.body()).contains("\"type\":\"rate_limit_error\"").contains("too many requests");
        assertThat(r.headers().firstValue("retry-after")).contains("7");
        // The backend asked for a 7 s wait: the client waits, the gateway does not hold the request open.
        assertThat(fx.upstream.chatRequests()).hasSize(1);
    }

    @Test
    void aPersistent503IsOverloadedWithRetryAfter() throws Exception {
        start(o -> {});
        fx.upstream.byDefault(Reply.status(503, "{\"error\":{\"message\":\"Loading model\"}}", null));

        HttpResponse<String> r = fx.post("/v1/messages", JSON_REQUEST);

        assertThat(r.statusCode()).isEqualTo(529);
        assertThat(r.body()).contains("\"type\":\"overloaded_error\"").contains("Loading model");
        assertThat(r.headers().firstValue("retry-after")).isPresent();
    }

    @Test
    void a500IsAnApiErrorAnsweredWithoutRetrying() throws Exception {
        start(o -> {});
        fx.upstream.byDefault(
                Reply.status(500, "{\"error\":{\"message\":\"CUDA error: illegal memory access\"}}", null));

        HttpResponse<String> r = fx.post("/v1/messages", STREAM_REQUEST);

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("\"type\":\"api_error\"").contains("CUDA error");
        assertThat(fx.upstream.chatRequests()).hasSize(1);
    }

    @Test
    void aJsonCompletionCutShortIsAnErrorNotAPartialMessage() throws Exception {
        start(o -> {});
        String whole = Chunks.completion("This answer will never finish", 10, 5, 0);
        byte[] half = whole.substring(0, whole.length() / 2).getBytes(StandardCharsets.UTF_8);
        fx.upstream.then(ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, whole.length());
            ex.getResponseBody().write(half);
            ex.getResponseBody().flush();
            ex.getHttpContext().getServer(); // then the exchange closes: the connection dies mid-body
        });

        HttpResponse<String> r = fx.post("/v1/messages", JSON_REQUEST);

        assertThat(r.statusCode()).isGreaterThanOrEqualTo(500);
        assertThat(r.body()).contains("\"type\":\"api_error\"").doesNotContain("never finish");
    }

    @Test
    void theOfficialClientSitsThroughASlowPrefillKeptAliveByPings() throws Exception {
        start(o -> o.pingSeconds = 1);
        fx.upstream.then(Reply.delayed(Duration.ofMillis(2300), Reply.stream(Chunks.text("Worth the wait."))));

        MessageAccumulator acc = MessageAccumulator.create();
        AnthropicClient client = fx.client();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages()
                .createStreaming(MessageCreateParams.builder()
                        .model("claude-opus-4-8")
                        .maxTokens(50)
                        .addUserMessage("hi")
                        .build())) {
            s.stream().forEach(acc::accumulate);
        } finally {
            client.close();
        }

        assertThat(acc.message().content().getFirst().asText().text()).isEqualTo("Worth the wait.");
        assertThat(acc.message().stopReason()).contains(StopReason.END_TURN);
    }

    @Test
    void aDownBackendFailsReadinessWithTheReasonWhileTheProcessStaysHealthy() throws Exception {
        start(o -> {});
        String dead = fx.upstream.url();
        fx.close();
        start(o -> o.upstream = dead);
        fx.upstream.close();

        HttpResponse<String> ready = fx.get("/ready");

        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("\"status\":\"not_ready\"").contains(dead.replace("http://", ""));
        assertThat(ready.headers().firstValue("cache-control")).contains("no-store");
        assertThat(fx.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void afterRepeatedFailuresTheCircuitAnswersAtOnceThenAProbeRecovers() throws Exception {
        start(o -> {
            o.breakerFailures = 2;
            o.breakerCooldownSeconds = 1;
        });
        fx.upstream.then(
                Reply.status(503, "{\"error\":{\"message\":\"Loading model\"}}", null),
                Reply.status(503, "{\"error\":{\"message\":\"Loading model\"}}", null));

        HttpResponse<String> first = fx.post("/v1/messages", JSON_REQUEST);
        assertThat(first.statusCode()).isEqualTo(529);
        assertThat(fx.upstream.chatRequests())
                .as("the third attempt met the open circuit")
                .hasSize(2);

        HttpResponse<String> refused = fx.post("/v1/messages", STREAM_REQUEST);
        assertThat(refused.statusCode()).isEqualTo(529);
        assertThat(refused.body()).contains("\"type\":\"overloaded_error\"").contains("circuit open after 2");
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        assertThat(fx.upstream.chatRequests()).as("the backend was spared").hasSize(2);
        HttpResponse<String> ready = fx.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("circuit open");

        Thread.sleep(1100); // the cool-down of the real clock; the state machine itself is tested with a fake one

        HttpResponse<String> probe = fx.post("/v1/messages", STREAM_REQUEST);
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.body()).contains("\"text\":\"he stu\"").contains("event: message_stop");
        assertThat(fx.get("/metrics").body())
                .contains("anyclaude_backend_circuit_state{backend=\"openai\"} 0.0")
                .containsPattern("anyclaude_backend_circuit_refused_total\\{backend=\"openai\"} [2-9]");
        assertThat(fx.get("/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void withTheBreakerOffAFailingBackendIsAlwaysAsked() throws Exception {
        start(o -> o.breakerFailures = 0);
        fx.upstream.byDefault(Reply.status(503, "{\"error\":{\"message\":\"busy\"}}", null));

        for (int i = 0; i < 3; i++) {
            assertThat(fx.post("/v1/messages", JSON_REQUEST).statusCode()).isEqualTo(529);
        }

        assertThat(fx.upstream.chatRequests()).hasSize(9);
        assertThat(fx.get("/metrics").body()).doesNotContain("anyclaude_backend_circuit_state");
    }

    static List<String> lines(String body) {
        return body.lines().toList();
    }
}
