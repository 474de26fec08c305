package dev.anyclaude.toolcall;

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
    /** Qwen3-Coder, Qwen3.5: {@code <tool_call><function=NAME><parameter=P>value</parameter></function></tool_call>}. */
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
    /** Kimi K2: {@code <|tool_calls_section_begin|><|tool_call_begin|>functions.NAME:0<|tool_call_argument_begin|>{..}…}. */
    KIMI_K2,
    /** MiniMax M2: {@code <minimax:tool_call><invoke name="NAME"><parameter name="P">V</parameter></invoke></minimax:tool_call>}. */
    MINIMAX_M2,
}
