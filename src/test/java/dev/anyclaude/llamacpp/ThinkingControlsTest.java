package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.testing.LlamaServerProcess;
import dev.anyclaude.translate.OpenAiDialect;
import dev.anyclaude.translate.OpenAiRequestWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code thinking} and {@code output_config.effort} as Claude Code 2.1.332 sends them, turned into the llama.cpp
 * server's own controls and rendered by the real templates of the pinned release: gpt-oss reads {@code
 * reasoning_effort} ("Reasoning: high" in its system message), Qwen3 reads {@code enable_thinking} (an empty think
 * block when it is off).
 */
class ThinkingControlsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RequestParser PARSER = new RequestParser(JSON);
    private static final OpenAiRequestWriter WRITER = new OpenAiRequestWriter(JSON);
    private static LlamaServerProcess gptOss;
    private static LlamaServerProcess qwen3;

    @BeforeAll
    static void start() throws Exception {
        List<String> flags = List.of("-c", "4096", "-np", "1");
        gptOss = LlamaServerProcess.start(InlineSystemTest.model("openai-gpt-oss-120b"), flags);
        qwen3 = LlamaServerProcess.start(InlineSystemTest.model("Qwen-Qwen3-0.6B"), flags);
    }

    @AfterAll
    static void stop() {
        if (gptOss != null) {
            gptOss.close();
        }
        if (qwen3 != null) {
            qwen3.close();
        }
    }

    /** A request with Claude Code 2.1.332's thinking and effort fields ({@code thinking} JSON, effort or null). */
    private static MessagesRequest request(String thinking, String effort) {
        String body = "{\"model\":\"claude-opus-5-5\",\"max_tokens\":128000,\"system\":\"You are Claude Code.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"say hi\"}],\"thinking\":" + thinking
                + (effort == null ? "" : ",\"output_config\":{\"effort\":\"" + effort + "\"}") + "}";
        return PARSER.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    /** What the server's template renders for the request as the gateway sends it to llama.cpp. */
    private static String rendered(LlamaServerProcess server, MessagesRequest request) throws Exception {
        HttpResponse<String> r = server.post(
                "/apply-template", new String(WRITER.write(request, OpenAiDialect.llamaCpp()), StandardCharsets.UTF_8));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("prompt").asText();
    }

    @Test
    void gptOssGetsClaudeCodesEffortAsItsReasoningLevel() throws Exception {
        String adaptive = "{\"type\":\"adaptive\",\"display\":\"omitted\"}";
        assertThat(rendered(gptOss, request(adaptive, "medium"))).contains("Reasoning: medium");
        assertThat(rendered(gptOss, request(adaptive, "high"))).contains("Reasoning: high");
        assertThat(rendered(gptOss, request(adaptive, "max"))).contains("Reasoning: high");
        assertThat(rendered(gptOss, request(adaptive, "low"))).contains("Reasoning: low");
        // no effort: the budget decides; thinking off: the least gpt-oss has (it always reasons)
        assertThat(rendered(gptOss, request("{\"type\":\"enabled\",\"budget_tokens\":31999}", null)))
                .contains("Reasoning: high");
        assertThat(rendered(gptOss, request("{\"type\":\"disabled\"}", null))).contains("Reasoning: low");
    }

    @Test
    void qwen3ThinksOnlyWhenClaudeCodeAsksForThinking() throws Exception {
        String on = rendered(qwen3, request("{\"type\":\"adaptive\",\"display\":\"omitted\"}", "medium"));
        String off = rendered(qwen3, request("{\"type\":\"disabled\"}", null));
        assertThat(on).endsWith("<|im_start|>assistant\n");
        assertThat(off).endsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n");
    }
}
