package dev.anyclaude.toolcall;

import java.util.regex.Pattern;

/**
 * How a model family writes a tool call into its output text. Each constant is one format of the chat
 * templates of the pinned llama.cpp release ({@code models/templates/}); what parses it and what grammar
 * constrains it live beside this type, keyed by the constant.
 */
public enum ToolCallSyntax {
    /** No tool-call convention known: text is text. */
    NONE,
    /** Hermes / Qwen 2.5–3: {@code <tool_call>{"name": .., "arguments": {..}}</tool_call>}. */
    HERMES,
    /**
     * Qwen3-Coder, Qwen3.5: {@code <tool_call><function=NAME><parameter=P>value</parameter></function></tool_call>}.
     */
    QWEN3_CODER,
    /** Llama 3.x: the answer is {@code {"name": .., "parameters": {..}}}, optionally after {@code <|python_tag|>}. */
    LLAMA3_JSON,
    /** Mistral / Devstral / Ministral: {@code [TOOL_CALLS]NAME[ARGS]{..}} (or the older JSON list form). */
    MISTRAL,
    /** gpt-oss harmony: {@code <|channel|>commentary to=functions.NAME <|constrain|>json<|message|>{..}<|call|>}. */
    HARMONY,
    /** GLM-4.5 – 4.7: {@code <tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value></tool_call>}. */
    GLM,
    /** DeepSeek V3.x: {@code <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{..}<｜tool▁call▁end｜>…}. */
    DEEPSEEK_V3,
    /**
     * DeepSeek V3.2 and V4 (DSML): {@code <｜DSML｜function_calls>} (V4: {@code tool_calls}) holding
     * {@code <｜DSML｜invoke name="NAME"><｜DSML｜parameter name="P" string="true|false">V</｜DSML｜parameter>…}.
     */
    DEEPSEEK_DSML,
    /**
     * Kimi K2: {@code
     * <|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{..}…}.
     */
    KIMI_K2,
    /**
     * MiniMax M2: {@code <minimax:tool_call><invoke name="NAME"><parameter
     * name="P">V</parameter></invoke></minimax:tool_call>}.
     */
    MINIMAX_M2;

    private static final Pattern HERMES_CALL = Pattern.compile("<tool_call>[\\s\\S]{0,120}?\\\\?\"name\\\\?\"");

    /**
     * The syntax a chat template teaches its model, judged from the markers in the template's source. Templates of
     * formats without a constant here (Cohere, Functionary, FireFunction, Gemma, Granite 3, Seed-OSS, Apriel 1.5,
     * MiniMax M3, Kimi K3 …) are {@link #NONE}: their output is read as text.
     */
    public static ToolCallSyntax detect(String templateSource) {
        String t = templateSource;
        if (t.contains("<|channel|>") && t.contains("<|message|>")) {
            return HARMONY;
        }
        if (t.contains("｜DSML｜")) {
            return DEEPSEEK_DSML;
        }
        if (t.contains("<｜tool▁calls▁begin｜>")) {
            return DEEPSEEK_V3;
        }
        if (t.contains("<|tool_calls_section_begin|>")) {
            return KIMI_K2;
        }
        if (t.contains("<minimax:tool_call>")) {
            return MINIMAX_M2;
        }
        if (t.contains("<tool_call>") && t.contains("<function=") && t.contains("<parameter=")) {
            return QWEN3_CODER;
        }
        if (t.contains("<tool_call>") && t.contains("<arg_key>") && t.contains("<arg_value>")) {
            return GLM;
        }
        if (t.contains("[TOOL_CALLS]")) {
            return MISTRAL;
        }
        if (HERMES_CALL.matcher(t).find() && !t.contains("<tool_calls>")) {
            return HERMES;
        }
        if (t.contains("<|start_header_id|>")
                && t.contains("\"parameters\": ")
                && !t.contains("<function=")
                && !t.contains("functools")) {
            return LLAMA3_JSON;
        }
        return NONE;
    }
}
