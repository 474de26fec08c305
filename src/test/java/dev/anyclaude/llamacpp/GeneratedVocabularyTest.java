package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.testing.LlamaServerProcess;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A generated model carries its chat template's special tokens as real control tokens, as a model of that family
 * does: the pinned llama-server reads {@code <|im_start|>} or {@code [TOOL_CALLS]} in a prompt as one token, so
 * prompts are tokenized like the real model's and a tool-call opener can trigger a lazy grammar.
 */
class GeneratedVocabularyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> templates() {
        return Stream.of(
                Arguments.of(
                        "Qwen3-Coder",
                        "<|im_start|>user\nhi<|im_end|>\n<tool_call>\n<function=Bash>",
                        List.of("<|im_start|>", "<|im_end|>", "<tool_call>")),
                Arguments.of(
                        "meta-llama-Llama-3.1-8B-Instruct",
                        "<|start_header_id|>assistant<|end_header_id|><|python_tag|>",
                        List.of("<|start_header_id|>", "<|end_header_id|>", "<|python_tag|>")),
                Arguments.of(
                        "Mistral-Small-3.2-24B-Instruct-2506",
                        "[INST]hi[/INST][TOOL_CALLS]Bash[ARGS]{}",
                        List.of("[INST]", "[/INST]", "[TOOL_CALLS]", "[ARGS]")),
                Arguments.of(
                        "deepseek-ai-DeepSeek-V3.1",
                        "<\uFF5CUser\uFF5C>hi<\uFF5CAssistant\uFF5C><\uFF5Ctool\u2581calls\u2581begin\uFF5C>",
                        List.of(
                                "<\uFF5CUser\uFF5C>",
                                "<\uFF5CAssistant\uFF5C>",
                                "<\uFF5Ctool\u2581calls\u2581begin\uFF5C>")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void theTemplatesSpecialTokensAreOneTokenEach(String template, String text, List<String> specials)
            throws Exception {
        try (LlamaServerProcess server =
                LlamaServerProcess.start(InlineSystemTest.model(template), List.of("-c", "512", "-np", "1"))) {
            String body = JSON.writeValueAsString(
                    JSON.createObjectNode().put("content", text).put("with_pieces", true));
            HttpResponse<String> r = server.post("/tokenize", body);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            List<String> pieces = new ArrayList<>();
            for (JsonNode t : JSON.readTree(r.body()).path("tokens")) {
                pieces.add(t.path("piece").asText());
            }
            assertThat(pieces).as(r.body()).containsAll(specials);
        }
    }
}
