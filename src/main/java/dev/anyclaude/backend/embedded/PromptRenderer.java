package dev.anyclaude.backend.embedded;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.anyclaude.api.ContentBlock;
import dev.anyclaude.api.GatewayException;
import dev.anyclaude.api.Message;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.Role;
import dev.anyclaude.api.Tool;
import dev.anyclaude.api.ToolChoice;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a Messages request into the prompt text of a chat template, with tools in the Qwen/Hermes
 * style: a {@code <tools>} list of JSON function signatures in the system turn, {@code
 * <tool_call>{"name", "arguments"}</tool_call>} in assistant turns and {@code <tool_response>} in the
 * user turns that carry tool results.
 *
 * <p>The rendering is built to be prefix-stable: every message renders on its own, in place, from its
 * own content only, and the system turn depends only on the system prompt and the tools. So the prompt
 * of a conversation, up to its final generation header, is a byte prefix of the prompt of any longer
 * conversation that extends it, and a slot's cache keeps matching as a conversation grows.
 * Mid-conversation system messages stay where they are (as system turns, or as {@code
 * <system-reminder>} user turns when the template would move them). {@code cache_control} plays no
 * part. Thinking blocks in history are rendered back as {@code <think>} so the model sees (and the
 * cache holds) what it generated.
 */
final class PromptRenderer {

    private static final JsonStringEncoder JSON = JsonStringEncoder.getInstance();

    /** How the output of a rendered prompt is to be read. */
    enum ToolMode { NONE, AUTO, FORCED }

    /**
     * A rendered prompt.
     *
     * @param text the prompt
     * @param forcedPrefix text the prompt ends with that belongs to the answer's first tool call
     *     ({@code <tool_call>} opened by tool_choice any/tool); empty otherwise
     * @param toolMode whether tool calls in the output are parsed, and whether one is already open
     * @param singleToolCall stop after the first tool call (disable_parallel_tool_use)
     * @param startsInThinking the prompt opened a {@code <think>} block the answer continues
     */
    record Prompt(String text, String forcedPrefix, ToolMode toolMode, boolean singleToolCall, boolean startsInThinking) {}

    private final ChatTemplate template;

    PromptRenderer(ChatTemplate template) {
        this.template = template;
    }

    ChatTemplate template() {
        return template;
    }

    Prompt render(MessagesRequest request) {
        List<Tool> tools = customTools(request);
        ToolChoice choice = request.toolChoice();
        String type = choice == null ? "auto" : choice.type();
        if (type == null) {
            type = "auto";
        }
        ToolMode mode;
        String forced = "";
        switch (type) {
            case "none" -> mode = ToolMode.NONE;
            case "auto" -> mode = tools.isEmpty() ? ToolMode.NONE : ToolMode.AUTO;
            case "any" -> {
                requireTools(tools, "any");
                mode = ToolMode.FORCED;
                forced = "<tool_call>\n";
            }
            case "tool" -> {
                requireTools(tools, "tool");
                String name = choice.name();
                if (name == null || tools.stream().noneMatch(t -> t.name().equals(name))) {
                    throw GatewayException.invalid("tool_choice.name: " + (name == null ? "missing" : "\"" + name + "\"")
                            + " (expected: the name of one of the request's tools)");
                }
                mode = ToolMode.FORCED;
                forced = "<tool_call>\n{\"name\": \"" + quote(name) + "\", \"arguments\": ";
            }
            default -> throw GatewayException.invalid("tool_choice.type: \"" + type + "\" (expected: auto, any, tool or none)");
        }
        boolean single = choice != null && choice.disableParallelToolUse();
        String text = renderConversation(request, true) + forced;
        boolean thinking = forced.isEmpty() && endsInsideThinking(text);
        return new Prompt(text, forced, mode, single, thinking);
    }

    /**
     * The prompt text: the turns, then (when {@code header}) the generation header, or the final
     * assistant message as the start of the answer (a prefill).
     */
    String renderConversation(MessagesRequest request, boolean header) {
        List<ChatTemplate.Turn> turns = new ArrayList<>();
        String system = systemTurn(request);
        if (!system.isEmpty()) {
            turns.add(new ChatTemplate.Turn("system", system));
        }
        List<Message> messages = request.messages() == null ? List.of() : request.messages();
        int last = messages.size() - 1;
        boolean prefill = header && last >= 0 && messages.get(last).role() == Role.ASSISTANT;
        for (int i = 0; i < messages.size(); i++) {
            if (prefill && i == last) {
                break;
            }
            Message m = messages.get(i);
            switch (m.role()) {
                case ASSISTANT -> turns.add(new ChatTemplate.Turn("assistant", assistantContent(m.content())));
                case SYSTEM -> {
                    String text = plainText(m.content());
                    turns.add(template.systemInPlace()
                            ? new ChatTemplate.Turn("system", text)
                            : new ChatTemplate.Turn("user", "<system-reminder>\n" + text + "\n</system-reminder>"));
                }
                case USER -> turns.add(new ChatTemplate.Turn("user", userContent(m.content())));
            }
        }
        String text = template.render(turns, header);
        if (prefill) {
            text += assistantContent(messages.get(last).content());
        }
        return text;
    }

    private static List<Tool> customTools(MessagesRequest request) {
        List<Tool> tools = new ArrayList<>();
        if (request.tools() != null) {
            for (Tool t : request.tools()) {
                if (t.custom()) {
                    tools.add(t);
                }
            }
        }
        return tools;
    }

    private static void requireTools(List<Tool> tools, String type) {
        if (tools.isEmpty()) {
            throw GatewayException.invalid("tool_choice: \"" + type + "\" needs tools (expected: a non-empty tools list)");
        }
    }

    private static String systemTurn(MessagesRequest request) {
        StringBuilder sb = new StringBuilder();
        if (request.system() != null) {
            for (ContentBlock.Text t : request.system()) {
                if (t.text() == null || t.text().isEmpty()) {
                    continue;
                }
                if (!sb.isEmpty()) {
                    sb.append("\n\n");
                }
                sb.append(t.text());
            }
        }
        List<Tool> tools = customTools(request);
        if (!tools.isEmpty()) {
            if (!sb.isEmpty()) {
                sb.append("\n\n");
            }
            sb.append("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n")
                    .append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
            for (Tool t : tools) {
                sb.append("\n{\"type\": \"function\", \"function\": {\"name\": \"").append(quote(t.name())).append('"');
                if (t.description() != null) {
                    sb.append(", \"description\": \"").append(quote(t.description())).append('"');
                }
                sb.append(", \"parameters\": ").append(t.inputSchemaJson() == null ? "{}" : t.inputSchemaJson()).append("}}");
            }
            sb.append("\n</tools>\n\nFor each function call, return a json object with function name and arguments")
                    .append(" within <tool_call></tool_call> XML tags:\n<tool_call>\n")
                    .append("{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        }
        return sb.toString();
    }

    private static String userContent(List<ContentBlock> blocks) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : blocks) {
            String piece = switch (b) {
                case ContentBlock.Text t -> t.text();
                case ContentBlock.ToolResult r -> "<tool_response>\n" + (r.isError() ? "Error: " : "")
                        + plainText(r.content()) + "\n</tool_response>";
                case ContentBlock.Image i -> "[image" + (i.mediaType() != null ? " " + i.mediaType() : "") + " omitted]";
                case ContentBlock.Document d -> documentText(d);
                case ContentBlock.Thinking t -> null;
                case ContentBlock.RedactedThinking r -> null;
                case ContentBlock.ToolUse u -> null;
            };
            if (piece == null) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(piece);
        }
        return sb.toString();
    }

    /** An assistant turn as the model writes it: thinking, text and tool calls in order. */
    static String assistantContent(List<ContentBlock> blocks) {
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : blocks) {
            switch (b) {
                case ContentBlock.Thinking t -> sb.append("<think>\n").append(t.thinking()).append("\n</think>\n\n");
                case ContentBlock.Text t -> sb.append(t.text());
                case ContentBlock.ToolUse u -> {
                    if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '\n') {
                        sb.append('\n');
                    }
                    sb.append("<tool_call>\n{\"name\": \"").append(quote(u.name())).append("\", \"arguments\": ")
                            .append(u.inputJson() == null || u.inputJson().isEmpty() ? "{}" : u.inputJson())
                            .append("}\n</tool_call>");
                }
                case ContentBlock.ToolResult r -> sb.append(plainText(r.content()));
                case ContentBlock.Document d -> sb.append(documentText(d));
                case ContentBlock.Image i -> sb.append("[image omitted]");
                case ContentBlock.RedactedThinking r -> { }
            }
        }
        return sb.toString();
    }

    private static String plainText(List<ContentBlock> blocks) {
        if (blocks == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (ContentBlock b : blocks) {
            String piece = switch (b) {
                case ContentBlock.Text t -> t.text();
                case ContentBlock.Document d -> documentText(d);
                case ContentBlock.Image i -> "[image" + (i.mediaType() != null ? " " + i.mediaType() : "") + " omitted]";
                case ContentBlock.ToolResult r -> plainText(r.content());
                default -> null;
            };
            if (piece == null) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(piece);
        }
        return sb.toString();
    }

    private static String documentText(ContentBlock.Document d) {
        if (d.text() != null) {
            return d.title() != null ? d.title() + "\n" + d.text() : d.text();
        }
        return "[document" + (d.title() != null ? " " + d.title() : "") + " omitted]";
    }

    private static boolean endsInsideThinking(String text) {
        int open = text.lastIndexOf("<think>");
        return open >= 0 && text.indexOf("</think>", open) < 0 && text.substring(open + 7).isBlank();
    }

    static String quote(String s) {
        return new String(JSON.quoteAsString(s));
    }
}
