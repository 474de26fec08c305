package dev.anyclaude.messages;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A validated {@code POST /v1/messages} body. Optional values are null when absent. {@code
 * outputSchemaJson} is the JSON schema of {@code output_config.format} (compact JSON), {@code effort}
 * the {@code output_config.effort}, {@code safeguardsJson} the {@code safeguards} array (compact JSON) that Claude
 * Code's auto mode sends for a verdict on each tool call of the answer.
 */
public record MessagesRequest(
        String model,
        int maxTokens,
        List<ContentBlock.Text> system,
        List<Message> messages,
        List<Tool> tools,
        @Nullable ToolChoice toolChoice,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer topK,
        List<String> stopSequences,
        @Nullable ThinkingConfig thinking,
        @Nullable String outputSchemaJson,
        @Nullable String effort,
        boolean stream,
        @Nullable String safeguardsJson) {

    /** A request without {@code safeguards}. */
    public MessagesRequest(
            String model,
            int maxTokens,
            List<ContentBlock.Text> system,
            List<Message> messages,
            List<Tool> tools,
            @Nullable ToolChoice toolChoice,
            @Nullable Double temperature,
            @Nullable Double topP,
            @Nullable Integer topK,
            List<String> stopSequences,
            @Nullable ThinkingConfig thinking,
            @Nullable String outputSchemaJson,
            @Nullable String effort,
            boolean stream) {
        this(
                model,
                maxTokens,
                system,
                messages,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                stream,
                null);
    }

    public MessagesRequest withModel(String m) {
        return new MessagesRequest(
                m,
                maxTokens,
                system,
                messages,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                stream,
                safeguardsJson);
    }

    public MessagesRequest withSystem(List<ContentBlock.Text> s) {
        return new MessagesRequest(
                model,
                maxTokens,
                s,
                messages,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                stream,
                safeguardsJson);
    }

    public MessagesRequest withMaxTokens(int n) {
        return new MessagesRequest(
                model,
                n,
                system,
                messages,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                stream,
                safeguardsJson);
    }

    public MessagesRequest withMessages(List<Message> m) {
        return new MessagesRequest(
                model,
                maxTokens,
                system,
                m,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                stream,
                safeguardsJson);
    }

    public MessagesRequest withTools(List<Tool> t) {
        return new MessagesRequest(
                model,
                maxTokens,
                system,
                messages,
                t,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                stream,
                safeguardsJson);
    }

    public MessagesRequest withStream(boolean s) {
        return new MessagesRequest(
                model,
                maxTokens,
                system,
                messages,
                tools,
                toolChoice,
                temperature,
                topP,
                topK,
                stopSequences,
                thinking,
                outputSchemaJson,
                effort,
                s,
                safeguardsJson);
    }

    public boolean thinkingOn() {
        return thinking != null && thinking.on();
    }
}
