package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway in front of the real llama.cpp server of the pinned release (v0.5.0), with the generated tiny
 * model: probing, answers through the official client, usage and count_tokens against the server's own
 * counters, context overflow, and the protocol deviations of the current server as it actually shows them.
 */
class LlamaServerBackendTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LlamaServerProcess server;
    private static Gateway gateway;
    private static AnthropicClient client;

    @BeforeAll
    static void start() throws Exception {
        server = LlamaServerProcess.start(
                "-c",
                "8192",
                "-np",
                "2",
                "--slot-save-path",
                java.nio.file.Files.createTempDirectory("anyclaude-slots-").toString());
        ServeOptions o = GatewayFixture.options(server.url());
        o.upstreamTimeoutSeconds = 120;
        o.responseCache = "off";
        gateway = Gateway.start(o.settings());
        client = AnthropicOkHttpClient.builder()
                .baseUrl(gateway.url())
                .apiKey("sk-test")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(120))
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static MessageCreateParams.Builder ask(String text) {
        return MessageCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxTokens(6)
                .addUserMessage(text);
    }

    @Test
    void learnsContextAndModelFromTheServer() throws Exception {
        JsonNode props = JSON.readTree(server.get("/props").body());
        assertThat(gateway.backend().contextTokens())
                .isEqualTo(
                        props.path("default_generation_settings").path("n_ctx").asLong())
                .isEqualTo(4096); // -c 8192 over 2 slots of split KV
        assertThat(gateway.mainModel()).isEqualTo(props.path("model_alias").asText());
    }

    @Test
    void answersJsonAndStreamsThroughTheOfficialClient() {
        Message m = client.messages().create(ask("Say something short.").build());
        assertThat(m.content()).isNotEmpty();
        assertThat(m.stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(m.usage().outputTokens()).isEqualTo(6);

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s =
                client.messages().createStreaming(ask("And once more.").build())) {
            s.stream().forEach(acc::accumulate);
        }
        assertThat(acc.message().stopReason()).contains(StopReason.MAX_TOKENS);
        assertThat(acc.message().usage().outputTokens()).isEqualTo(6);
    }

    @Test
    void usageAndCountTokensAreTheServersOwnNumbers() throws Exception {
        String system = "You are a careful assistant. ".repeat(40);
        MessageCreateParams first =
                ask("Turn one: list three colours.").system(system).build();
        long counted = client.messages()
                .countTokens(MessageCountTokensParams.builder()
                        .model("claude-sonnet-4-5")
                        .system(system)
                        .addUserMessage("Turn one: list three colours.")
                        .build())
                .inputTokens();

        Map<String, Double> before = server.metrics();
        Message one = client.messages().create(first);
        Message two = client.messages()
                .create(ask("Turn one: list three colours.")
                        .system(system)
                        .addAssistantMessage(one.content().getFirst().asText().text())
                        .addUserMessage("Turn two: and three animals.")
                        .build());
        Map<String, Double> after = server.metrics();

        assertThat(one.usage().inputTokens()
                        + one.usage().cacheReadInputTokens().orElse(0L))
                .isEqualTo(counted);
        assertThat(two.usage().cacheReadInputTokens().orElse(0L))
                .as("turn two reuses turn one's prompt")
                .isGreaterThanOrEqualTo(counted - 1);
        long processed = (long) (after.get("prompt_tokens_total") - before.get("prompt_tokens_total"));
        long cached = (long) (after.get("prompt_tokens_cached_total") - before.get("prompt_tokens_cached_total"));
        assertThat(one.usage().inputTokens() + two.usage().inputTokens()).isEqualTo(processed);
        assertThat(one.usage().cacheReadInputTokens().orElse(0L)
                        + two.usage().cacheReadInputTokens().orElse(0L))
                .isEqualTo(cached);
    }

    @Test
    void countTokensIsExactNotAnEstimate() throws Exception {
        HttpResponse<String> r = post(
                "/v1/messages/count_tokens",
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi there\"}]}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("anyclaude-token-count")).contains("exact");
        assertThat(JSON.readTree(r.body()).path("input_tokens").asLong()).isPositive();
    }

    @Test
    void aPromptLongerThanTheContextIsPromptTooLongAsClaudeCodeExpects() {
        String huge = "word ".repeat(6000); // ~6,000+ tokens of a byte-vocabulary model, over 4,096
        assertThatThrownBy(() -> client.messages().create(ask(huge).build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).containsPattern("prompt is too long: \\d+ tokens > 4096 maximum");
                    assertThat(e.body().toString()).contains("invalid_request_error");
                });
    }

    /**
     * The current server closes the connection after every streamed answer although it says keep-alive; the
     * gateway's pooled upstream connections must not turn that into failed requests.
     */
    @Test
    void theServerClosesTheConnectionAfterAStreamAndTheGatewayStillAnswersEveryRequest() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"stream\":true}";
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
                            + "Content-Type: application/json\r\nContent-Length: "
                            + body.getBytes(StandardCharsets.UTF_8).length
                            + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8); // returns only once the server closes
            assertThat(all).startsWith("HTTP/1.1 200").contains("[DONE]");
        }
        for (int i = 0; i < 5; i++) {
            MessageAccumulator acc = MessageAccumulator.create();
            try (StreamResponse<RawMessageStreamEvent> s =
                    client.messages().createStreaming(ask("again " + i).build())) {
                s.stream().forEach(acc::accumulate);
            }
            assertThat(acc.message().stopReason()).contains(StopReason.MAX_TOKENS);
        }
    }

    /**
     * When the first generated token is only part of a UTF-8 character, the current server's OpenAI stream has no
     * {@code role} chunk (its /v1/messages stream likewise no message_start). Forced here with a logit bias
     * towards the lead byte of a three-byte character; the gateway's translator starts the Anthropic stream
     * itself (golden case {@code usage-llamacpp-timings-no-role}).
     */
    @Test
    void aFirstTokenThatIsPartOfACharacterLeavesTheServersStreamWithoutItsRoleChunk() throws Exception {
        int leadByteE2 = 3 + 0xE2; // the byte tokens start at id 3
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3,\"stream\":true,"
                + "\"logit_bias\":[[" + leadByteE2 + ",100]]}";
        HttpResponse<String> r = server.post("/v1/chat/completions", body);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("[DONE]").doesNotContain("\"role\":\"assistant\"");
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                    HttpRequest.newBuilder(URI.create(gateway.url() + path))
                            .timeout(Duration.ofSeconds(60))
                            .header("content-type", "application/json")
                            .header("anthropic-version", "2023-06-01")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
