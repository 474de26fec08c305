package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ToolCallSyntax.DEEPSEEK_DSML;
import static dev.anyclaude.toolcall.ToolCallSyntax.DEEPSEEK_V3;
import static dev.anyclaude.toolcall.ToolCallSyntax.GLM;
import static dev.anyclaude.toolcall.ToolCallSyntax.HARMONY;
import static dev.anyclaude.toolcall.ToolCallSyntax.HERMES;
import static dev.anyclaude.toolcall.ToolCallSyntax.KIMI_K2;
import static dev.anyclaude.toolcall.ToolCallSyntax.LLAMA3_JSON;
import static dev.anyclaude.toolcall.ToolCallSyntax.MINIMAX_M2;
import static dev.anyclaude.toolcall.ToolCallSyntax.MISTRAL;
import static dev.anyclaude.toolcall.ToolCallSyntax.NONE;
import static dev.anyclaude.toolcall.ToolCallSyntax.QWEN3_CODER;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The syntax detected in each of the 70 chat templates of llama.cpp v0.5.0 ({@code models/templates/}, copied to
 * {@code src/test/resources/toolcall/templates/}). Templates whose format has no constant are {@code NONE}.
 */
class ToolCallSyntaxDetectTest {
    static final Map<String, ToolCallSyntax> EXPECTED = new TreeMap<>();

    static {
        EXPECTED.put("Apertus-8B-Instruct", NONE); // <|tools_prefix|>[{"name": {..}}]
        EXPECTED.put("Apriel-1.6-15b-Thinker-fixed", NONE);
        EXPECTED.put("Bielik-11B-v3.0-Instruct", HERMES);
        EXPECTED.put("ByteDance-Seed-OSS", NONE); // <seed:tool_call><function=..>
        EXPECTED.put("Cohere2MoE", NONE);
        EXPECTED.put("CohereForAI-c4ai-command-r-plus-tool_use", NONE);
        EXPECTED.put("CohereForAI-c4ai-command-r7b-12-2024-tool_use", NONE);
        EXPECTED.put("GLM-4.6", GLM);
        EXPECTED.put("GLM-4.7-Flash", GLM);
        EXPECTED.put("GigaChat3-10B-A1.8B", NONE);
        EXPECTED.put("GigaChat3.1-10B-A1.8B", NONE);
        EXPECTED.put("HuggingFaceTB-SmolLM3-3B", NONE);
        EXPECTED.put("Kimi-K2-Instruct", KIMI_K2);
        EXPECTED.put("Kimi-K2-Thinking", KIMI_K2);
        EXPECTED.put("Kimi-K3", NONE); // XTML tags from <|open|>/<|close|>
        EXPECTED.put("LFM2-8B-A1B", NONE);
        EXPECTED.put("LFM2.5-8B-A1B", NONE);
        EXPECTED.put("LFM2.5-Instruct", NONE);
        EXPECTED.put("MiMo-VL", HERMES);
        EXPECTED.put("MiniMax-M1", NONE);
        EXPECTED.put("MiniMax-M2", MINIMAX_M2);
        EXPECTED.put("MiniMax-M3", NONE); // namespaced ]<]minimax[>[<tool_call>
        EXPECTED.put("Mistral-Small-3.2-24B-Instruct-2506", MISTRAL);
        EXPECTED.put("NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", QWEN3_CODER);
        EXPECTED.put("NVIDIA-Nemotron-Nano-v2", NONE); // <TOOLCALL>[..]</TOOLCALL>
        EXPECTED.put("NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use", HERMES);
        EXPECTED.put("NousResearch-Hermes-3-Llama-3.1-8B-tool_use", HERMES);
        EXPECTED.put("Qwen-QwQ-32B", HERMES);
        EXPECTED.put("Qwen-Qwen2.5-7B-Instruct", HERMES);
        EXPECTED.put("Qwen-Qwen3-0.6B", HERMES);
        EXPECTED.put("Qwen3-Coder", QWEN3_CODER);
        EXPECTED.put("Qwen3.5-4B", QWEN3_CODER);
        EXPECTED.put("Reka-Edge", HERMES);
        EXPECTED.put("Spark2.5", GLM);
        EXPECTED.put("StepFun3.5-Flash", QWEN3_CODER);
        EXPECTED.put("deepseek-ai-DeepSeek-R1-Distill-Llama-8B", DEEPSEEK_V3);
        EXPECTED.put("deepseek-ai-DeepSeek-R1-Distill-Qwen-32B", DEEPSEEK_V3);
        EXPECTED.put("deepseek-ai-DeepSeek-V3.1", DEEPSEEK_V3);
        EXPECTED.put("deepseek-ai-DeepSeek-V3.2", DEEPSEEK_DSML);
        EXPECTED.put("deepseek-ai-DeepSeek-V4-Flash-0731", DEEPSEEK_DSML);
        EXPECTED.put("deepseek-ai-DeepSeek-V4", DEEPSEEK_DSML);
        EXPECTED.put("fireworks-ai-llama-3-firefunction-v2", NONE); // functools[..]
        EXPECTED.put("google-gemma-2-2b-it", NONE);
        EXPECTED.put("google-gemma-4-31B-it-interleaved", NONE);
        EXPECTED.put("google-gemma-4-31B-it", NONE);
        EXPECTED.put("ibm-granite-granite-3.3-2B-Instruct", NONE); // <|tool_call|>[..]
        EXPECTED.put("ibm-granite-granite-4.0", HERMES);
        EXPECTED.put("ibm-granite-granite-4.1", HERMES);
        EXPECTED.put("inclusionai-ling-3.0-flash", GLM);
        EXPECTED.put("llama-cpp-deepseek-r1", DEEPSEEK_V3);
        EXPECTED.put("llama-cpp-rwkv-world", NONE);
        EXPECTED.put("meetkai-functionary-medium-v3.1", NONE); // <function=NAME>{..}</function>
        EXPECTED.put("meetkai-functionary-medium-v3.2", NONE); // >>>NAME\n{..}
        EXPECTED.put("meta-llama-Llama-3.1-8B-Instruct", LLAMA3_JSON);
        EXPECTED.put("meta-llama-Llama-3.2-3B-Instruct", LLAMA3_JSON);
        EXPECTED.put("meta-llama-Llama-3.3-70B-Instruct", LLAMA3_JSON);
        EXPECTED.put("microsoft-Phi-3.5-mini-instruct", NONE);
        EXPECTED.put("mistralai-Ministral-3-14B-Reasoning-2512", MISTRAL);
        EXPECTED.put("mistralai-Mistral-Nemo-Instruct-2407", MISTRAL);
        EXPECTED.put("moonshotai-Kimi-K2", KIMI_K2);
        EXPECTED.put("muse-glimmer", NONE);
        EXPECTED.put("openai-gpt-oss-120b", HARMONY);
        EXPECTED.put("openbmb-MiniCPM5-1B", NONE);
        EXPECTED.put("poolside-Laguna-S-2.1", GLM);
        EXPECTED.put("poolside-Laguna-XS-2.1", GLM);
        EXPECTED.put("poolside-Laguna-XS.2", GLM);
        EXPECTED.put("tencent-Hy3", NONE);
        EXPECTED.put("unsloth-Apriel-1.5", NONE); // <tool_calls>[..]</tool_calls>
        EXPECTED.put("unsloth-mistral-Devstral-Small-2507", MISTRAL);
        EXPECTED.put("upstage-Solar-Open-100B", NONE);
    }

    static Stream<Arguments> templates() {
        return EXPECTED.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("templates")
    void detectsTheSyntaxOfEachTemplate(String name, ToolCallSyntax expected) throws IOException {
        assertThat(ToolCallSyntax.detect(template(name))).isEqualTo(expected);
    }

    @Test
    void coversAllSeventyTemplates() {
        assertThat(EXPECTED).hasSize(70);
    }

    @Test
    void anUnknownTemplateIsNone() {
        assertThat(ToolCallSyntax.detect("{{ messages[0].content }}")).isEqualTo(NONE);
    }

    @Test
    void aPromptEndingInAnOpenThinkTagStartsInThinking() {
        assertThat(OutputParsers.startsInThinking("<|im_start|>assistant\n<think>\n"))
                .isTrue();
        assertThat(OutputParsers.startsInThinking("<|im_start|>assistant\n<think>\n\n</think>\n\n"))
                .isFalse();
        assertThat(OutputParsers.startsInThinking("<|im_start|>assistant\n")).isFalse();
    }

    static String template(String name) throws IOException {
        try (InputStream in =
                ToolCallSyntaxDetectTest.class.getResourceAsStream("/toolcall/templates/" + name + ".jinja")) {
            assertThat(in).as("template %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
