package dev.anyclaude.template;

/**
 * Facts llama.cpp reads off a template's source text rather than its behaviour.
 *
 * @param gptOssChannels the template speaks gpt-oss channels ({@code <|channel|>}): a developer role stays itself
 * @param trimsContent StepFun's template: llama.cpp trims every message's content before rendering
 * @param gemma4ToolResponses an older Gemma 4 template: llama.cpp folds tool results into the assistant turn
 */
record TemplateSource(boolean gptOssChannels, boolean trimsContent, boolean gemma4ToolResponses) {
    static TemplateSource of(String source) {
        return new TemplateSource(source.contains("<|channel|>"),
                source.contains("You have access to the following functions in JSONSchema format"),
                source.contains("'<|tool_call>call:'") && !source.contains("{#- OpenAI Chat Completions:"));
    }
}
