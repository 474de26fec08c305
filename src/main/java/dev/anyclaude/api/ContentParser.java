package dev.anyclaude.api;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.Tool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the conversation part of a Messages body: {@code system}, {@code messages} and
 * their content blocks. Fields of a block may come in any order (Claude Code sends {@code tool_use_id}
 * before {@code type}), so a block is read whole and checked against its type at its end.
 */
final class ContentParser {
    static final String BLOCK_TYPES =
            "one of text, image, document, tool_use, tool_result, thinking, redacted_thinking";
    private static final String TOOL_RESULT_TYPES = "one of text, image, document, tool_reference";
    private static final String TEXT_BLOCKS = "a string or an array of content blocks";

    private final JsonCursor in;
    /** Ids of tool_use blocks in assistant messages read so far: a tool_result must name one of them. */
    private final Set<String> toolUseIds = new HashSet<>();
    /**
     * The {@code tool_reference} blocks read so far (ToolSearch's results), each parked as a text block holding
     * the tool's name until {@link #expandToolReferences} knows the request's tools; keyed by identity.
     */
    private final Map<ContentBlock.Text, String> toolReferences = new IdentityHashMap<>();

    ContentParser(JsonCursor in) {
        this.in = in;
    }

    /** {@code system}: a string (one text block) or an array of text blocks. */
    List<ContentBlock.Text> system() throws IOException {
        if (in.token() == JsonToken.VALUE_STRING) {
            return List.of(new ContentBlock.Text(in.parser().getText()));
        }
        in.expectArray("a string or an array of text blocks");
        List<ContentBlock.Text> out = new ArrayList<>(4);
        for (int i = 0; in.nextElement(); i++) {
            in.push(i);
            out.add((ContentBlock.Text) block(Scope.TEXT_ONLY));
            in.pop();
        }
        return List.copyOf(out);
    }

    List<Message> messages() throws IOException {
        in.expectArray("a non-empty array of messages");
        List<Message> out = new ArrayList<>();
        for (int i = 0; in.nextElement(); i++) {
            in.push(i);
            out.add(message());
            in.pop();
        }
        if (out.isEmpty()) {
            throw in.wrong("an empty array", "a non-empty array of messages");
        }
        return List.copyOf(out);
    }

    private Message message() throws IOException {
        in.expectObject("a message object with role and content");
        Role role = null;
        List<ContentBlock> content = null;
        boolean contentFirst = false;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            switch (f) {
                case "role" -> role = role(in.string("a string such as user or assistant"));
                case "content" -> {
                    // the block rules depend on the role; read blocks generally when the role comes later
                    contentFirst = role == null;
                    content = content(role == null ? Scope.ANY : scopeOf(role));
                }
                default -> in.skip();
            }
            in.pop();
        }
        if (role == null) {
            throw in.missing("role", "a string such as user or assistant");
        }
        if (content == null) {
            throw in.missing("content", TEXT_BLOCKS);
        }
        if (contentFirst) {
            checkPlacement(role, content);
        }
        if (role == Role.ASSISTANT) {
            for (ContentBlock b : content) {
                if (b instanceof ContentBlock.ToolUse u) {
                    toolUseIds.add(u.id());
                }
            }
        }
        return new Message(role, List.copyOf(content));
    }

    private static Role role(String wire) {
        return switch (wire) {
            case "assistant" -> Role.ASSISTANT;
            case "system" -> Role.SYSTEM;
            default -> Role.USER;
        };
    }

    private static Scope scopeOf(Role role) {
        return switch (role) {
            case USER -> Scope.USER;
            case ASSISTANT -> Scope.ASSISTANT;
            case SYSTEM -> Scope.TEXT_ONLY;
        };
    }

    /** Re-checks blocks read before the role was known against that role's rules. */
    private void checkPlacement(Role role, List<ContentBlock> content) {
        Scope scope = scopeOf(role);
        for (int i = 0; i < content.size(); i++) {
            ContentBlock b = content.get(i);
            String type = typeOf(b);
            if (!scope.allows(type)) {
                throw GatewayException.invalid(in.path("content") + "." + i + ".type: " + JsonCursor.quote(type)
                        + " (expected: " + scope.expected + ")");
            }
            if (b instanceof ContentBlock.ToolResult r && !toolUseIds.contains(r.toolUseId())) {
                throw unknownToolUse(in.path("content") + "." + i + ".tool_use_id", r.toolUseId());
            }
        }
    }

    private List<ContentBlock> content(Scope scope) throws IOException {
        if (in.token() == JsonToken.VALUE_STRING) {
            return List.of(new ContentBlock.Text(in.parser().getText()));
        }
        in.expectArray(scope == Scope.TEXT_ONLY ? "a string or an array of text blocks" : TEXT_BLOCKS);
        List<ContentBlock> out = new ArrayList<>();
        for (int i = 0; in.nextElement(); i++) {
            in.push(i);
            out.add(block(scope));
            in.pop();
        }
        return out;
    }

    /** One content block; the parser is on its START_OBJECT and its path is pushed. */
    private ContentBlock block(Scope scope) throws IOException {
        in.expectObject("a content block object");
        String type = null;
        String text = null;
        String id = null;
        String name = null;
        String inputJson = null;
        String toolUseId = null;
        List<ContentBlock> content = null;
        boolean isError = false;
        String thinking = null;
        String signature = null;
        String data = null;
        String title = null;
        String toolName = null;
        Source source = null;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "type" -> type = blockType(scope);
                    case "text" -> text = in.string("a string");
                    case "id" -> id = in.string("a string");
                    case "name" -> name = in.string("a string");
                    case "input" -> inputJson = in.rawObject("an object");
                    case "tool_use_id" -> toolUseId = in.string("a string");
                    case "content" -> content = content(Scope.TOOL_RESULT);
                    case "is_error" -> isError = in.bool("a boolean");
                    case "thinking" -> thinking = in.string("a string");
                    case "signature" -> signature = in.string("a string");
                    case "data" -> data = in.string("a string");
                    case "title" -> title = in.string("a string");
                    case "tool_name" -> toolName = in.string("a tool name");
                    case "source" -> source = source();
                    default -> in.skip();
                }
            }
            in.pop();
        }
        if (type == null) {
            throw in.missing("type", scope.expected);
        }
        return switch (type) {
            case "text" -> new ContentBlock.Text(require(text, "text", "a string"));
            case "image" -> image(require(source, "source", "an image source object"));
            case "document" -> document(title, require(source, "source", "a document source object"));
            case "tool_use" ->
                new ContentBlock.ToolUse(
                        require(id, "id", "a string"),
                        require(name, "name", "a string"),
                        require(inputJson, "input", "an object"));
            case "tool_result" -> {
                require(toolUseId, "tool_use_id", "a string");
                // with the role still unknown (ANY), checkPlacement does this check at the message's end
                if (scope != Scope.ANY && !toolUseIds.contains(toolUseId)) {
                    throw unknownToolUse(in.path("tool_use_id"), toolUseId);
                }
                yield toolResult(toolUseId, content, isError);
            }
            case "thinking" ->
                new ContentBlock.Thinking(
                        require(thinking, "thinking", "a string"), signature == null ? "" : signature);
            case "redacted_thinking" -> new ContentBlock.RedactedThinking(require(data, "data", "a string"));
            case "tool_reference" -> {
                ContentBlock.Text parked = new ContentBlock.Text(require(toolName, "tool_name", "a tool name"));
                toolReferences.put(parked, toolName);
                yield parked;
            }
            default -> throw new IllegalStateException("type checked above: " + type);
        };
    }

    /**
     * {@code messages} with each {@code tool_reference} of a tool result replaced by what Anthropic's API puts
     * in its place, the tool's whole definition — the form ToolSearch's own description promises the model:
     * one {@code <function>{"description": ..., "name": ..., "parameters": ...}</function>} line per tool inside
     * a {@code <functions>} block. A name missing from {@code tools} keeps only its name.
     */
    List<Message> expandToolReferences(List<Message> messages, List<Tool> tools) {
        if (toolReferences.isEmpty()) {
            return messages;
        }
        List<Message> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            List<ContentBlock> content = new ArrayList<>(m.content().size());
            boolean changed = false;
            for (ContentBlock b : m.content()) {
                if (b instanceof ContentBlock.ToolResult r
                        && r.content().stream().anyMatch(toolReferences::containsKey)) {
                    content.add(new ContentBlock.ToolResult(r.toolUseId(), expand(r.content(), tools), r.isError()));
                    changed = true;
                } else {
                    content.add(b);
                }
            }
            out.add(changed ? new Message(m.role(), List.copyOf(content)) : m);
        }
        return List.copyOf(out);
    }

    /** Consecutive references become one {@code <functions>} text block; other blocks stay as they are. */
    private List<ContentBlock> expand(List<ContentBlock> blocks, List<Tool> tools) {
        List<ContentBlock> out = new ArrayList<>(blocks.size());
        StringBuilder functions = null;
        for (ContentBlock b : blocks) {
            String name = b instanceof ContentBlock.Text t ? toolReferences.get(t) : null;
            if (name != null) {
                if (functions == null) {
                    functions = new StringBuilder("<functions>\n");
                }
                functions.append("<function>").append(definition(name, tools)).append("</function>\n");
                continue;
            }
            if (functions != null) {
                out.add(new ContentBlock.Text(functions.append("</functions>").toString()));
                functions = null;
            }
            out.add(b);
        }
        if (functions != null) {
            out.add(new ContentBlock.Text(functions.append("</functions>").toString()));
        }
        return List.copyOf(out);
    }

    private static String definition(String name, List<Tool> tools) {
        for (Tool t : tools) {
            if (t.name().equals(name)) {
                StringBuilder json = new StringBuilder("{");
                if (t.description() != null) {
                    json.append("\"description\": ")
                            .append(jsonString(t.description()))
                            .append(", ");
                }
                json.append("\"name\": ").append(jsonString(name));
                if (t.inputSchemaJson() != null) {
                    json.append(", \"parameters\": ").append(t.inputSchemaJson());
                }
                return json.append('}').toString();
            }
        }
        return "{\"name\": " + jsonString(name) + "}";
    }

    private static String jsonString(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }

    private String blockType(Scope scope) throws IOException {
        String type = in.string(scope.expected);
        if (!scope.allows(type)) {
            // an unknown type gets the full list; a known type in the wrong place gets the place's list
            throw in.wrong(scope.inMessage() && !Scope.ANY.allows(type) ? BLOCK_TYPES : scope.expected);
        }
        return type;
    }

    private ContentBlock toolResult(String toolUseId, List<ContentBlock> content, boolean isError) {
        return new ContentBlock.ToolResult(toolUseId, content == null ? List.of() : List.copyOf(content), isError);
    }

    private static GatewayException unknownToolUse(String path, String id) {
        return GatewayException.invalid(path + ": " + JsonCursor.quote(id)
                + " (expected: the id of a tool_use block in an earlier assistant message)");
    }

    private <T> T require(T value, String field, String expected) {
        if (value == null) {
            throw in.missing(field, expected);
        }
        return value;
    }

    // ---- sources ----

    /** The fields of an image or document {@code source}, checked once the block type is known. */
    private record Source(
            String path, String type, String mediaType, String data, String url, List<ContentBlock> content) {}

    private Source source() throws IOException {
        in.expectObject("a source object");
        String path = in.path();
        String type = null;
        String mediaType = null;
        String data = null;
        String url = null;
        List<ContentBlock> content = null;
        for (String f; (f = in.nextField()) != null; ) {
            in.push(f);
            if (!in.isNull()) {
                switch (f) {
                    case "type" -> type = in.string("a string");
                    case "media_type" -> mediaType = in.string("a string");
                    case "data" -> data = in.string("a string");
                    case "url" -> url = in.string("a string");
                    case "content" -> content = content(Scope.TEXT_AND_IMAGE);
                    default -> in.skip();
                }
            }
            in.pop();
        }
        return new Source(path, type, mediaType, data, url, content);
    }

    private ContentBlock image(Source s) {
        String t = s.type == null ? "" : s.type;
        return switch (t) {
            case "base64" ->
                new ContentBlock.Image(
                        sourceField(s, s.mediaType, "media_type", "an image media type such as image/png"),
                        sourceField(s, s.data, "data", "base64 image data"),
                        null);
            case "url" -> new ContentBlock.Image(null, null, sourceField(s, s.url, "url", "a URL"));
            default -> throw badSourceType(s, "one of base64, url");
        };
    }

    private ContentBlock document(String title, Source s) {
        String t = s.type == null ? "" : s.type;
        return switch (t) {
            case "text" ->
                new ContentBlock.Document(
                        title,
                        sourceField(s, s.data, "data", "a string"),
                        s.mediaType == null ? "text/plain" : s.mediaType);
            case "base64" -> {
                String mediaType = sourceField(s, s.mediaType, "media_type", "a media type such as application/pdf");
                String data = sourceField(s, s.data, "data", "base64 data");
                String text = null;
                if (mediaType.startsWith("text/")) {
                    try {
                        // line breaks are tolerated, any other stray character is an error
                        text = new String(
                                Base64.getDecoder().decode(data.replaceAll("\\s+", "")), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        throw GatewayException.invalid(s.path + ".data: not valid base64 (expected: base64 data)");
                    }
                }
                yield new ContentBlock.Document(title, text, mediaType);
            }
            case "url" -> {
                sourceField(s, s.url, "url", "a URL");
                // Anthropic's URL document source is a PDF; the gateway does not fetch it
                yield new ContentBlock.Document(title, null, s.mediaType == null ? "application/pdf" : s.mediaType);
            }
            case "content" ->
                new ContentBlock.Document(
                        title, ContentBlock.joinText(sourceField(s, s.content, "content", TEXT_BLOCKS)), "text/plain");
            default -> throw badSourceType(s, "one of text, base64, url, content");
        };
    }

    private static <T> T sourceField(Source s, T value, String field, String expected) {
        if (value == null) {
            throw GatewayException.invalid(s.path + "." + field + ": missing (expected: " + expected + ")");
        }
        return value;
    }

    private static GatewayException badSourceType(Source s, String expected) {
        return GatewayException.invalid(s.path + ".type: " + (s.type == null ? "missing" : JsonCursor.quote(s.type))
                + " (expected: " + expected + ")");
    }

    static String typeOf(ContentBlock b) {
        return switch (b) {
            case ContentBlock.Text t -> "text";
            case ContentBlock.Image i -> "image";
            case ContentBlock.Document d -> "document";
            case ContentBlock.ToolUse u -> "tool_use";
            case ContentBlock.ToolResult r -> "tool_result";
            case ContentBlock.Thinking t -> "thinking";
            case ContentBlock.RedactedThinking r -> "redacted_thinking";
        };
    }

    /** Which block types a place in the body allows. */
    private enum Scope {
        ANY(BLOCK_TYPES),
        USER("in a user message, one of text, image, document, tool_result"),
        ASSISTANT("in an assistant message, one of text, tool_use, thinking, redacted_thinking"),
        TEXT_ONLY("text"),
        TOOL_RESULT(TOOL_RESULT_TYPES),
        TEXT_AND_IMAGE("one of text, image");

        final String expected;

        Scope(String expected) {
            this.expected = expected;
        }

        boolean inMessage() {
            return this == ANY || this == USER || this == ASSISTANT;
        }

        boolean allows(String type) {
            return switch (this) {
                case ANY ->
                    switch (type) {
                        case "text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking" ->
                            true;
                        default -> false;
                    };
                case USER ->
                    switch (type) {
                        case "text", "image", "document", "tool_result" -> true;
                        default -> false;
                    };
                case ASSISTANT ->
                    switch (type) {
                        case "text", "tool_use", "thinking", "redacted_thinking" -> true;
                        default -> false;
                    };
                case TEXT_ONLY -> type.equals("text");
                case TOOL_RESULT ->
                    switch (type) {
                        case "text", "image", "document", "tool_reference" -> true;
                        default -> false;
                    };
                case TEXT_AND_IMAGE -> type.equals("text") || type.equals("image");
            };
        }
    }
}
