package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A model server without a tool-call parser returns the model's call as text in {@code content} — vLLM started
 * without {@code --enable-auto-tool-choice}, or any server whose parser does not know the model's format. With
 * {@code --tool-format} the gateway reads such text with the same parsers the embedded engine uses. The upstream is
 * scripted because a real llama.cpp server always parses the calls of a request that carries tools.
 */
class RawTextToolCallsTest {
    private static final String QWEN3_CODER_CALL =
            "I will list them.\n<tool_call>\n<function=Bash>\n<parameter=command>\n"
                    + "ls -la\n</parameter>\n<parameter=timeout>\n30\n</parameter>\n</function>\n</tool_call>";

    private static MessageCreateParams request() {
        Tool bash = Tool.builder()
                .name("Bash")
                .inputSchema(Tool.InputSchema.builder()
                        .properties(JsonValue.from(
                                Map.of("command", Map.of("type", "string"), "timeout", Map.of("type", "integer"))))
                        .required(List.of("command"))
                        .build())
                .build();
        return MessageCreateParams.builder()
                .model("m")
                .maxTokens(256)
                .addUserMessage("list files")
                .addTool(bash)
                .build();
    }

    @Test
    void withToolFormatACallWrittenAsTextBecomesAToolUse() throws Exception {
        try (GatewayFixture fx = new GatewayFixture(o -> o.toolFormat = "qwen3_coder")) {
            AnthropicClient client = fx.client();
            fx.upstream.then(Reply.json(200, Chunks.completion(QWEN3_CODER_CALL, 20, 30, 0)));
            Message m = client.messages().create(request());
            assertThat(m.stopReason()).contains(StopReason.TOOL_USE);
            assertThat(m.content()).hasSize(2);
            assertThat(m.content().get(0).asText().text()).isEqualTo("I will list them.");
            ToolUseBlock call = m.content().get(1).asToolUse();
            assertThat(call.name()).isEqualTo("Bash");
            assertThat(call.id()).startsWith("toolu_");
            assertThat(call._input().convert(Map.class)).isEqualTo(Map.of("command", "ls -la", "timeout", 30));
        }
    }

    @Test
    void withoutItTheTextStaysText() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            AnthropicClient client = fx.client();
            fx.upstream.then(Reply.json(200, Chunks.completion(QWEN3_CODER_CALL, 20, 30, 0)));
            Message m = client.messages().create(request());
            assertThat(m.stopReason()).contains(StopReason.END_TURN);
            assertThat(m.content()).hasSize(1);
            assertThat(m.content().getFirst().asText().text()).contains("<function=Bash>");
        }
    }
}
