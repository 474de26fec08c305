package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.ChatTemplates;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.ToolCallModel;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tool calls from the real llama.cpp server: a hand-built model ({@link ToolCallModel}) rendered through the
 * pinned release's Qwen3-Coder template calls Bash; the server parses the call with its own Qwen3-Coder parser,
 * the gateway turns it into a {@code tool_use} block the official client reads, and once the tool result is in
 * the conversation the model answers in text.
 */
class ToolCallsTest {
    static final String COMMAND = "echo anyclaude-tool-call";
    static final String ANSWER = "Done: the command ran.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LlamaServerProcess server;
    private static Gateway gateway;
    private static AnthropicClient client;

    /** The tool-calling model, written once per build. */
    static synchronized Path model() throws Exception {
        Path file =
                Path.of("target", "test-models", "tool-call-qwen3-coder.gguf").toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            LlamaServerProcess.binary(); // its build keeps the release's templates
            ToolCallModel.write(file, COMMAND, ANSWER, ChatTemplates.read("Qwen3-Coder"));
        }
        return file;
    }

    @BeforeAll
    static void start() throws Exception {
        server = LlamaServerProcess.start(model(), List.of("-c", "16384", "-np", "1"));
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

    private static Tool bash() {
        return Tool.builder()
                .name("Bash")
                .description("Runs a shell command and returns its output.")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(
                                Map.of("command", Map.of("type", "string"), "description", Map.of("type", "string"))))
                        .required(List.of("command"))
                        .build())
                .build();
    }

    private static MessageCreateParams.Builder ask() {
        return MessageCreateParams.builder()
                .model("claude-sonnet-4-5")
                .maxTokens(64)
                .addTool(bash())
                .addUserMessage("List the files, please.");
    }

    @Test
    void theServerItselfReturnsTheCallAsOpenAiToolCalls() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"list files\"}],\"max_tokens\":64,\"tools\":[{"
                + "\"type\":\"function\",\"function\":{\"name\":\"Bash\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"command\":{\"type\":\"string\"}},\"required\":[\"command\"]}}}]}";
        JsonNode choice = JSON.readTree(
                        server.post("/v1/chat/completions", body).body())
                .path("choices")
                .get(0);
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = choice.path("message").path("tool_calls").get(0).path("function");
        assertThat(call.path("name").asText()).isEqualTo("Bash");
        assertThat(JSON.readTree(call.path("arguments").asText())
                        .path("command")
                        .asText())
                .isEqualTo(COMMAND);
    }

    @Test
    void aToolCallReachesTheOfficialClientAsToolUseAndTheResultGetsAnAnswer() {
        Message first = client.messages().create(ask().build());
        assertThat(first.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock use = first.content().stream()
                .filter(b -> b.isToolUse())
                .findFirst()
                .orElseThrow()
                .asToolUse();
        assertThat(use.name()).isEqualTo("Bash");
        assertThat(use.id()).startsWith("toolu_");
        assertThat(use._input().convert(Map.class)).containsEntry("command", COMMAND);

        Message second = client.messages()
                .create(ask().addAssistantMessageOfContentBlockParams(
                                List.of(ContentBlockParam.ofToolUse(ToolUseBlockParam.builder()
                                        .id(use.id())
                                        .name("Bash")
                                        .input(JsonValue.from(Map.of("command", COMMAND)))
                                        .build())))
                        .addUserMessageOfContentBlockParams(
                                List.of(ContentBlockParam.ofToolResult(ToolResultBlockParam.builder()
                                        .toolUseId(use.id())
                                        .content("anyclaude-tool-call")
                                        .build())))
                        .build());
        assertThat(second.stopReason()).contains(StopReason.END_TURN);
        assertThat(second.content()).hasSize(1);
        assertThat(second.content().getFirst().asText().text()).isEqualTo(ANSWER);
    }

    @Test
    void aStreamedToolCallIsOneToolUseBlockWithItsWholeInput() {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(ask().build())) {
            s.stream().forEach(acc::accumulate);
        }
        Message m = acc.message();
        assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
        List<ToolUseBlock> uses = m.content().stream()
                .filter(b -> b.isToolUse())
                .map(b -> b.asToolUse())
                .toList();
        assertThat(uses).hasSize(1);
        assertThat(uses.getFirst()._input().convert(Map.class)).containsEntry("command", COMMAND);
    }
}
