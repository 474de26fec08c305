package dev.anyclaude.api;

import java.util.List;

/**
 * A validated {@code POST /v1/messages} body. Optional values are null when absent. {@code
 * outputSchemaJson} is the JSON schema of {@code output_config.format} (compact JSON), {@code effort}
 * the {@code output_config.effort}.
 */
public record MessagesRequest(
        String model,
        int maxTokens,
        List<ContentBlock.Text> system,
        List<Message> messages,
        List<Tool> tools,
        ToolChoice toolChoice,
        Double temperature,
        Double topP,
        Integer topK,
        List<String> stopSequences,
        ThinkingConfig thinking,
        String outputSchemaJson,
        String effort,
        boolean stream) {

    public MessagesRequest withModel(String m) {
        return new MessagesRequest(m, maxTokens, system, messages, tools, toolChoice, temperature, topP, topK,
                stopSequences, thinking, outputSchemaJson, effort, stream);
    }

    public MessagesRequest withSystem(List<ContentBlock.Text> s) {
        return new MessagesRequest(model, maxTokens, s, messages, tools, toolChoice, temperature, topP, topK,
                stopSequences, thinking, outputSchemaJson, effort, stream);
    }

    public MessagesRequest withMaxTokens(int n) {
        return new MessagesRequest(model, n, system, messages, tools, toolChoice, temperature, topP, topK,
                stopSequences, thinking, outputSchemaJson, effort, stream);
    }

    public MessagesRequest withMessages(List<Message> m) {
        return new MessagesRequest(model, maxTokens, system, m, tools, toolChoice, temperature, topP, topK,
                stopSequences, thinking, outputSchemaJson, effort, stream);
    }

    public MessagesRequest withStream(boolean s) {
        return new MessagesRequest(model, maxTokens, system, messages, tools, toolChoice, temperature, topP, topK,
                stopSequences, thinking, outputSchemaJson, effort, s);
    }

    public boolean thinkingOn() {
        return thinking != null && thinking.on();
    }
}
