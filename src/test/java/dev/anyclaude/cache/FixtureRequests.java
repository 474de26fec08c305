package dev.anyclaude.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-only reading of the captured Claude Code bodies in the project's fixtures into {@link MessagesRequest},
 * normalized the way the prefix stage does it (billing header dropped). Just enough of the wire format for
 * these captures; the gateway's own parser lives in {@code api}.
 */
final class FixtureRequests {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FixtureRequests() {}

    static Path fixture(String relative) {
        return dev.anyclaude.api.Fixtures.claudeCode().resolve(relative);
    }

    static MessagesRequest read(String relative) throws IOException {
        JsonNode body = JSON.readTree(Files.readAllBytes(fixture(relative)));
        List<ContentBlock.Text> system = new ArrayList<>();
        for (JsonNode s : body.path("system")) {
            String text = s.path("text").asText();
            if (!text.startsWith("x-anthropic-billing-header")) {
                system.add(new ContentBlock.Text(text));
            }
        }
        List<Message> messages = new ArrayList<>();
        for (JsonNode m : body.path("messages")) {
            Role role = switch (m.path("role").asText()) {
                case "assistant" -> Role.ASSISTANT;
                case "system" -> Role.SYSTEM;
                default -> Role.USER;
            };
            messages.add(new Message(role, blocks(m.path("content"))));
        }
        List<Tool> tools = new ArrayList<>();
        for (JsonNode t : body.path("tools")) {
            tools.add(new Tool(
                    t.path("name").asText(),
                    t.path("description").asText(null),
                    t.has("input_schema") ? JSON.writeValueAsString(t.get("input_schema")) : null,
                    t.path("type").asText(null)));
        }
        JsonNode thinking = body.path("thinking");
        JsonNode output = body.path("output_config");
        return new MessagesRequest(
                body.path("model").asText(),
                body.path("max_tokens").asInt(),
                system,
                messages,
                tools,
                null,
                null,
                null,
                null,
                null,
                thinking.isMissingNode()
                        ? null
                        : new ThinkingConfig(
                                thinking.path("type").asText(),
                                thinking.path("budget_tokens").asInt()),
                output.has("format")
                        ? JSON.writeValueAsString(output.path("format").path("schema"))
                        : null,
                output.path("effort").asText(null),
                body.path("stream").asBoolean());
    }

    private static List<ContentBlock> blocks(JsonNode content) throws IOException {
        if (content.isTextual()) {
            return List.of(new ContentBlock.Text(content.asText()));
        }
        List<ContentBlock> out = new ArrayList<>();
        for (JsonNode b : content) {
            out.add(
                    switch (b.path("type").asText()) {
                        case "text" -> new ContentBlock.Text(b.path("text").asText());
                        case "tool_use" ->
                            new ContentBlock.ToolUse(
                                    b.path("id").asText(),
                                    b.path("name").asText(),
                                    JSON.writeValueAsString(b.path("input")));
                        case "tool_result" ->
                            new ContentBlock.ToolResult(
                                    b.path("tool_use_id").asText(),
                                    blocks(b.path("content")),
                                    b.path("is_error").asBoolean(false));
                        case "thinking" ->
                            new ContentBlock.Thinking(
                                    b.path("thinking").asText(),
                                    b.path("signature").asText());
                        default ->
                            throw new IllegalArgumentException("block type " + b.path("type") + " not in fixtures");
                    });
        }
        return out;
    }
}
