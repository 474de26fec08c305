package dev.anyclaude.translate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.ThinkingConfig;
import dev.anyclaude.messages.Tool;
import dev.anyclaude.messages.ToolChoice;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes the OpenAI {@code /v1/chat/completions} body of a Messages request, byte-for-byte the same for
 * the same request and dialect, so backends that cache by prompt text keep hitting.
 *
 * <p>The mapping (see {@link ChatTurns} for messages): tools as functions with their schema copied
 * verbatim (server tools, which have no schema, are dropped); tool_choice auto/any/tool/none as
 * auto/required/{function}/none; {@code disable_parallel_tool_use} as {@code parallel_tool_calls:false};
 * an output schema as a strict {@code json_schema} response_format; thinking and effort per the {@link
 * OpenAiDialect}. {@code stop_sequences} are deliberately not sent: the gateway enforces them itself
 * ({@link StopSequenceFilter}), which works the same on every backend and reports the matched sequence.
 */
public final class OpenAiRequestWriter {
    private final ObjectMapper mapper;
    private final JsonFactory factory;
    /**
     * The written {@code tools} array by tool list. Claude Code resends the same ~50 KB of tool definitions
     * every turn and the request parser hands out one list instance for identical bytes, so the array is
     * written once per tool set (weak, identity keys: a list no request holds any more drops out).
     */
    private final Cache<List<Tool>, SerializedString> toolsJson =
            Caffeine.newBuilder().weakKeys().maximumSize(64).build();

    public OpenAiRequestWriter(ObjectMapper mapper) {
        this.mapper = mapper;
        this.factory = mapper.getFactory();
    }

    /** The body for {@code req}, streaming as the request asks. */
    public byte[] write(MessagesRequest req, OpenAiDialect d) {
        return write(req, d, req.stream());
    }

    /** The body for {@code req}; {@code stream} decides streaming upstream, whatever the client asked. */
    public byte[] write(MessagesRequest req, OpenAiDialect d, boolean stream) {
        ByteArrayBuilder out = new ByteArrayBuilder(estimate(req));
        try (JsonGenerator g = factory.createGenerator(out)) {
            writeBody(g, req, d, stream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int estimate(MessagesRequest req) {
        return 4096
                + 512 * (req.tools() == null ? 0 : req.tools().size())
                + 256 * (req.messages() == null ? 0 : req.messages().size());
    }

    private void writeBody(JsonGenerator g, MessagesRequest req, OpenAiDialect d, boolean stream) throws IOException {
        Map<String, Object> extra = d.extra();
        g.writeStartObject();
        if (!extra.containsKey("model")) {
            g.writeStringField("model", req.model());
        }
        if (!extra.containsKey("messages")) {
            g.writeArrayFieldStart("messages");
            for (ChatTurns.Turn t : ChatTurns.of(req, d)) {
                writeTurn(g, t);
            }
            g.writeEndArray();
        }
        if (hasFunctions(req.tools())) {
            if (!extra.containsKey("tools")) {
                g.writeFieldName("tools");
                // as UTF-8 bytes: copied, not re-encoded from chars on every request
                g.writeRawValue(toolsJson.get(req.tools(), tools -> new SerializedString(writeTools(tools))));
            }
            ToolChoice choice = req.toolChoice();
            if (choice != null && !extra.containsKey("tool_choice")) {
                writeToolChoice(g, choice);
            }
            if (choice != null && choice.disableParallelToolUse() && !extra.containsKey("parallel_tool_calls")) {
                g.writeBooleanField("parallel_tool_calls", false);
            }
        }
        if (req.outputSchemaJson() != null && !extra.containsKey("response_format")) {
            g.writeObjectFieldStart("response_format");
            g.writeStringField("type", "json_schema");
            g.writeObjectFieldStart("json_schema");
            g.writeStringField("name", "output");
            g.writeFieldName("schema");
            g.writeRawValue(req.outputSchemaJson());
            g.writeBooleanField("strict", true);
            g.writeEndObject();
            g.writeEndObject();
        }
        if (!extra.containsKey("max_tokens")) {
            g.writeNumberField("max_tokens", req.maxTokens());
        }
        if (req.temperature() != null && !extra.containsKey("temperature")) {
            g.writeNumberField("temperature", req.temperature());
        }
        if (req.topP() != null && !extra.containsKey("top_p")) {
            g.writeNumberField("top_p", req.topP());
        }
        if (d.sendTopK() && req.topK() != null && !extra.containsKey("top_k")) {
            g.writeNumberField("top_k", req.topK());
        }
        if (d.sendEnableThinking() && !extra.containsKey("chat_template_kwargs")) {
            g.writeObjectFieldStart("chat_template_kwargs");
            g.writeBooleanField("enable_thinking", req.thinkingOn());
            g.writeEndObject();
        }
        if (d.sendReasoningEffort() && !extra.containsKey("reasoning_effort")) {
            g.writeStringField("reasoning_effort", reasoningEffort(req));
        }
        if (!extra.containsKey("stream")) {
            g.writeBooleanField("stream", stream);
        }
        if (stream && !extra.containsKey("stream_options")) {
            g.writeObjectFieldStart("stream_options");
            g.writeBooleanField("include_usage", true);
            g.writeEndObject();
        }
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            g.writeFieldName(e.getKey());
            mapper.writeValue(g, e.getValue());
        }
        g.writeEndObject();
    }

    /** low / medium / high: from {@code output_config.effort}, else the thinking budget. */
    static String reasoningEffort(MessagesRequest req) {
        ThinkingConfig thinking = req.thinking();
        if (thinking == null || !thinking.on()) { // req.thinkingOn()
            return "low"; // the least these servers accept; thinking cannot be switched off this way
        }
        if (req.effort() != null) {
            return switch (req.effort()) {
                case "low", "minimal", "none" -> "low";
                case "medium" -> "medium";
                default -> "high"; // high, max, xhigh, and levels yet to come, which only go up
            };
        }
        int budget = thinking.budgetTokens();
        if (budget <= 0) {
            return "medium";
        }
        return budget < 4096 ? "low" : budget < 16384 ? "medium" : "high";
    }

    private static void writeTurn(JsonGenerator g, ChatTurns.Turn t) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", t.role);
        switch (t.role) {
            case "tool" -> {
                g.writeStringField("tool_call_id", t.toolCallId);
                g.writeStringField("content", plainText(t.parts));
            }
            case "assistant" -> {
                g.writeStringField("content", plainText(t.parts));
                if (!t.reasoning.isEmpty()) {
                    g.writeStringField("reasoning_content", t.reasoning.toString());
                }
                if (!t.toolCalls.isEmpty()) {
                    g.writeArrayFieldStart("tool_calls");
                    for (ContentBlock.ToolUse u : t.toolCalls) {
                        g.writeStartObject();
                        g.writeStringField("id", u.id());
                        g.writeStringField("type", "function");
                        g.writeObjectFieldStart("function");
                        g.writeStringField("name", u.name());
                        g.writeStringField("arguments", u.inputJson());
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
            default -> {
                if (t.onlyText()) {
                    g.writeStringField("content", plainText(t.parts));
                } else {
                    g.writeArrayFieldStart("content");
                    for (ChatTurns.Part p : t.parts) {
                        g.writeStartObject();
                        switch (p) {
                            case ChatTurns.TextPart tp -> {
                                g.writeStringField("type", "text");
                                g.writeStringField("text", tp.text());
                            }
                            case ChatTurns.ImagePart ip -> {
                                g.writeStringField("type", "image_url");
                                g.writeObjectFieldStart("image_url");
                                g.writeStringField("url", ip.url());
                                g.writeEndObject();
                            }
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
        }
        g.writeEndObject();
    }

    private static String plainText(List<ChatTurns.Part> parts) {
        if (parts.size() == 1 && parts.getFirst() instanceof ChatTurns.TextPart t) {
            return t.text();
        }
        StringBuilder sb = new StringBuilder();
        for (ChatTurns.Part p : parts) {
            if (p instanceof ChatTurns.TextPart t) {
                ChatTurns.appendJoined(sb, t.text());
            }
        }
        return sb.toString();
    }

    private static boolean hasFunctions(List<Tool> tools) {
        for (Tool t : tools) {
            if (t.custom() && t.inputSchemaJson() != null) {
                return true;
            }
        }
        return false;
    }

    /** The {@code tools} array: custom tools as functions, schemas verbatim; server tools left out. */
    private String writeTools(List<Tool> tools) {
        StringWriter out = new StringWriter(1024 + 1024 * tools.size());
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartArray();
            for (Tool t : tools) {
                if (t.custom() && t.inputSchemaJson() != null) {
                    writeTool(g, t);
                }
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeTool(JsonGenerator g, Tool t) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "function");
        g.writeObjectFieldStart("function");
        g.writeStringField("name", t.name());
        if (t.description() != null) {
            g.writeStringField("description", t.description());
        }
        g.writeFieldName("parameters");
        g.writeRawValue(t.inputSchemaJson());
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void writeToolChoice(JsonGenerator g, ToolChoice c) throws IOException {
        switch (c.type()) {
            case "any" -> g.writeStringField("tool_choice", "required");
            case "none" -> g.writeStringField("tool_choice", "none");
            case "tool" -> {
                g.writeObjectFieldStart("tool_choice");
                g.writeStringField("type", "function");
                g.writeObjectFieldStart("function");
                g.writeStringField("name", c.name());
                g.writeEndObject();
                g.writeEndObject();
            }
            default -> g.writeStringField("tool_choice", "auto");
        }
    }
}
