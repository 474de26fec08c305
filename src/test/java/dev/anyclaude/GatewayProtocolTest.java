package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway over real HTTP, driven by the official Anthropic Java client, against a scripted upstream. */
class GatewayProtocolTest {
    private GatewayFixture fx;
    private AnthropicClient client;

    @BeforeEach
    void start() throws Exception {
        fx = new GatewayFixture();
        client = fx.client();
    }

    @AfterEach
    void stop() {
        client.close();
        fx.close();
    }

    private static MessageCreateParams.Builder hello() {
        return MessageCreateParams.builder()
                .model("claude-opus-4-8")
                .maxTokens(256)
                .addUserMessage("say hi");
    }

    @Test
    void answersNonStreamingWithTextAndCacheAwareUsage() {
        fx.upstream.then(Reply.json(200, Chunks.completion("Hi there!", 120, 5, 100)));

        Message m = client.messages().create(hello().build());

        assertThat(m.id()).startsWith("msg_");
        assertThat(m.content()).hasSize(1);
        assertThat(m.content().getFirst().asText().text()).isEqualTo("Hi there!");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().inputTokens()).isEqualTo(20);
        assertThat(m.usage().cacheReadInputTokens()).contains(100L);
        assertThat(m.usage().outputTokens()).isEqualTo(5);
        assertThat(m.model().asString()).isEqualTo("claude-opus-4-8");
    }

    @Test
    void streamsTextThatTheClientAccumulates() {
        fx.upstream.then(Reply.stream(Chunks.text("Hello from the stub.")));

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(hello().build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();

        assertThat(m.content().getFirst().asText().text()).isEqualTo("Hello from the stub.");
        assertThat(m.stopReason()).contains(StopReason.END_TURN);
        assertThat(m.usage().cacheReadInputTokens()).contains(100L);
    }

    @Test
    void toolCallsRoundTripWithOneBlockPerCallAndFreshIds() {
        fx.upstream.then(
                Reply.stream(Chunks.toolCall("Bash", "{\"command\":\"git status\"}")),
                Reply.json(200, Chunks.completion("Clean tree.", 300, 3, 280)));
        Tool bash = Tool.builder()
                .name("Bash")
                .description("Run a shell command")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(Map.of("command", Map.of("type", "string"))))
                        .addRequired("command")
                        .build())
                .build();

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s =
                client.messages().createStreaming(hello().addTool(bash).build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message first = acc.message();
        List<ToolUseBlock> calls = first.content().stream()
                .filter(ContentBlock::isToolUse)
                .map(ContentBlock::asToolUse)
                .toList();
        assertThat(calls).hasSize(1);
        ToolUseBlock call = calls.getFirst();
        assertThat(call.id()).startsWith("toolu_").isNotEqualTo("call_1");
        assertThat(call.name()).isEqualTo("Bash");
        assertThat(call._input().convert(Map.class)).isEqualTo(Map.of("command", "git status"));
        assertThat(first.stopReason()).contains(StopReason.TOOL_USE);

        Message second = client.messages()
                .create(hello().addTool(bash)
                        .addAssistantMessageOfContentBlockParams(List.of(
                                com.anthropic.models.messages.ContentBlockParam.ofToolUse(ToolUseBlockParam.builder()
                                        .id(call.id())
                                        .name("Bash")
                                        .input(JsonValue.from(Map.of("command", "git status")))
                                        .build())))
                        .addUserMessageOfContentBlockParams(
                                List.of(com.anthropic.models.messages.ContentBlockParam.ofToolResult(
                                        ToolResultBlockParam.builder()
                                                .toolUseId(call.id())
                                                .content("nothing to commit")
                                                .build())))
                        .build());
        assertThat(second.content().getFirst().asText().text()).isEqualTo("Clean tree.");
        String upstreamBody = fx.upstream.chatRequests().get(1).body();
        assertThat(upstreamBody)
                .contains("\"tool_call_id\":\"" + call.id() + "\"")
                .contains("nothing to commit");
    }

    @Test
    void reasoningBecomesAThinkingBlockWithSignature() {
        fx.upstream.then(Reply.stream(Chunks.thinkingThen("Let me think.", "42")));

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s =
                client.messages().createStreaming(hello().enabledThinking(1024).build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();

        assertThat(m.content()).hasSize(2);
        assertThat(m.content().get(0).asThinking().thinking()).isEqualTo("Let me think.");
        assertThat(m.content().get(0).asThinking().signature()).isNotBlank();
        assertThat(m.content().get(1).asText().text()).isEqualTo("42");
    }

    @Test
    void contextOverflowReadsTheWordingClaudeCodeCompactsOn() {
        fx.upstream.then(Reply.json(
                400,
                "{\"error\":{\"code\":400,\"message\":\"the request exceeds the available "
                        + "context size, try increasing "
                        + "it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":40123,"
                        + "\"n_ctx\":32768}}"));

        assertThatThrownBy(() -> client.messages().create(hello().build()))
                .isInstanceOfSatisfying(AnthropicServiceException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.getMessage()).contains("prompt is too long: 40123 tokens > 32768 maximum");
                    assertThat(e.body().toString()).contains("invalid_request_error");
                });
    }

    @Test
    void upstreamOverloadIsRetriedBeforeTheFirstByte() {
        fx.upstream.then(
                Reply.status(503, "{\"error\":{\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}", "0"),
                Reply.stream(Chunks.text("Recovered.")));

        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(hello().build())) {
            s.stream().forEach(acc::accumulate);
        }

        assertThat(acc.message().content().getFirst().asText().text()).isEqualTo("Recovered.");
        assertThat(fx.upstream.chatRequests()).hasSize(2);
    }

    @Test
    void streamDyingMidToolCallEndsInAnErrorEventNotAToolUseStop() throws Exception {
        List<String> partial =
                Chunks.toolCall("Bash", "{\"command\":\"rm -rf build\"}").subList(0, 2);
        fx.upstream.then(Reply.dieAfter(partial));

        HttpResponse<String> r = fx.post(
                "/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":100,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body())
                .contains("event: message_start")
                .contains("event: error")
                .doesNotContain("\"stop_reason\":\"tool_use\"")
                .doesNotContain("event: message_stop");
    }

    @Test
    void slowPrefillIsKeptAliveWithPings() throws Exception {
        fx.close();
        fx = new GatewayFixture(o -> o.pingSeconds = 1);
        fx.upstream.then(Reply.delayed(Duration.ofMillis(2600), Reply.stream(Chunks.text("Done."))));

        HttpResponse<String> r = fx.post(
                "/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":100,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");

        String body = r.body();
        assertThat(body.indexOf("event: message_start")).isZero();
        assertThat(body.indexOf("event: ping")).isPositive().isLessThan(body.indexOf("event: content_block_start"));
        assertThat(body).contains("event: message_stop");
    }

    @Test
    void aBackendThatGoesSilentMidStreamEndsInATimeoutErrorEvent() throws Exception {
        fx.close();
        fx = new GatewayFixture(o -> o.upstreamTimeoutSeconds = 1);
        fx.upstream.then(ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            ex.getResponseBody().write(("data: " + Chunks.text("x").get(1) + "\n\n").getBytes());
            ex.getResponseBody().flush();
            try {
                Thread.sleep(Duration.ofSeconds(20)); // hangs; the gateway gives up after 1 s of silence
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        HttpResponse<String> r = fx.post(
                "/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":100,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}");

        // Without the idle guard the stub's hang would end, 20 s later, as a protocol violation instead.
        assertThat(r.body()).contains("event: error").contains("timeout_error").contains("sent nothing for 1 s");
    }

    @Test
    void unreachableBackendIsAnOverloadedErrorNamingIt() throws Exception {
        String dead = fx.upstream.url();
        fx.close();
        fx = new GatewayFixture(o -> o.upstream = dead);
        fx.upstream.close();

        HttpResponse<String> r = fx.post(
                "/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        assertThat(r.statusCode()).isEqualTo(529);
        assertThat(r.body()).contains("\"type\":\"overloaded_error\"").contains(dead);
    }

    @Test
    void badInputIsAnInvalidRequestNamingTheField() throws Exception {
        HttpResponse<String> r = fx.post(
                "/v1/messages",
                "{\"model\":\"m\",\"max_tokens\":-5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"type\":\"invalid_request_error\"").contains("max_tokens");

        HttpResponse<String> garbage = fx.post("/v1/messages", "{not json");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("invalid_request_error");
        assertThat(fx.upstream.chatRequests()).isEmpty();
    }

    @Test
    void countTokensSaysWhenItEstimates() throws Exception {
        long n = client.messages()
                .countTokens(MessageCountTokensParams.builder()
                        .model("claude-opus-4-8")
                        .addUserMessage("count these words please")
                        .build())
                .inputTokens();
        assertThat(n).isPositive();

        HttpResponse<String> r = fx.post(
                "/v1/messages/count_tokens", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(r.headers().firstValue("anyclaude-token-count")).contains("estimate");
    }

    @Test
    void listsConfiguredModelsAndAnswersRootProbes() throws Exception {
        HttpResponse<String> models = fx.get("/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body())
                .contains("\"type\":\"model\"")
                .contains("stub-model")
                .contains("\"has_more\":false");
        assertThat(fx.get("/").statusCode()).isEqualTo(200);
        assertThat(fx.get("/health").body()).contains("ok");
        HttpResponse<String> missing = fx.get("/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("not_found_error");
    }

    @Test
    void messageIdsAreUniqueUnderConcurrency() throws Exception {
        fx.upstream.byDefault(Reply.json(200, Chunks.completion("x", 1, 1, 0)));
        var ids = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 64; i++) {
                pool.submit(
                        () -> ids.add(client.messages().create(hello().build()).id()));
            }
        }
        assertThat(ids).hasSize(64);
    }
}
