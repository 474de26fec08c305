package dev.anyclaude.template;

/**
 * Facts llama.cpp reads off a template's source text rather than its behaviour.
 *
 * @param gptOssChannels the template speaks gpt-oss channels ({@code <|channel|>}): a developer role stays itself
 * @param trimsContent StepFun's template: llama.cpp trims every message's content before rendering
 * @param gemma4ToolResponses an older Gemma 4 template: llama.cpp folds tool results into the assistant turn
 * @param mistralContentBlocks a Ministral 3 style template: system and assistant content become typed blocks, the
 *     reasoning a {@code thinking} block
 * @param lfm2Thinking an LFM2 template: the reasoning is also passed as {@code thinking}
 */
record TemplateSource(
        boolean gptOssChannels,
        boolean trimsContent,
        boolean gemma4ToolResponses,
        boolean mistralContentBlocks,
        boolean lfm2Thinking) {
    static TemplateSource of(String source) {
        boolean toolList = source.contains("<|tool_list_start|>");
        return new TemplateSource(
                source.contains("<|channel|>"),
                source.contains("You have access to the following functions in JSONSchema format"),
                source.contains("'<|tool_call>call:'") && !source.contains("{#- OpenAI Chat Completions:"),
                source.contains("[SYSTEM_PROMPT]")
                        && source.contains("[TOOL_CALLS]")
                        && source.contains("[ARGS]")
                        && !source.contains("[CALL_ID]"),
                (toolList && source.contains("<|tool_list_end|>"))
                        || (source.contains("List of tools: [") && !toolList));
    }
}
