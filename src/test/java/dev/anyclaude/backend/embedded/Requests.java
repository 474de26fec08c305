package dev.anyclaude.backend.embedded;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.util.List;

/** Builders of Messages requests for the embedded tests. */
final class Requests {

    private Requests() {}

    static MessagesRequest request(String system, List<Message> messages) {
        return new MessagesRequest(
                "tiny",
                16,
                system == null ? null : List.of(new ContentBlock.Text(system)),
                messages,
                null,
                null,
                0.0,
                null,
                null,
                null,
                null,
                null,
                null,
                true);
    }

    static MessagesRequest withTools(MessagesRequest r, List<Tool> tools, ToolChoice choice) {
        return new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                tools,
                choice,
                r.temperature(),
                r.topP(),
                r.topK(),
                r.stopSequences(),
                r.thinking(),
                r.outputSchemaJson(),
                r.effort(),
                r.stream());
    }

    static MessagesRequest sampling(
            MessagesRequest r, Double temperature, Double topP, Integer topK, List<String> stops) {
        return new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                temperature,
                topP,
                topK,
                stops,
                r.thinking(),
                r.outputSchemaJson(),
                r.effort(),
                r.stream());
    }

    static MessagesRequest thinking(MessagesRequest r, String type) {
        return new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                r.temperature(),
                r.topP(),
                r.topK(),
                r.stopSequences(),
                new ThinkingConfig(type, 0),
                r.outputSchemaJson(),
                r.effort(),
                r.stream());
    }

    static Message user(String text) {
        return new Message(Role.USER, List.of(new ContentBlock.Text(text)));
    }

    static Message assistant(String text) {
        return new Message(Role.ASSISTANT, List.of(new ContentBlock.Text(text)));
    }

    static Message system(String text) {
        return new Message(Role.SYSTEM, List.of(new ContentBlock.Text(text)));
    }

    static Tool tool(String name) {
        return new Tool(
                name, "Runs " + name, "{\"type\":\"object\",\"properties\":{\"command\":{\"type\":\"string\"}}}", null);
    }
}
