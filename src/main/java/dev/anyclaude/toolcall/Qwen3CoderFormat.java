package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * {@code <tool_call><function=NAME><parameter=P>value</parameter>…</function></tool_call>}. The opening
 * {@code <tool_call>} may be missing (some models start at {@code <function=}); one newline on each side of a value
 * belongs to the layout, not the value.
 */
final class Qwen3CoderFormat implements CallFormat {
    private final Map<String, JsonNode> toolSchemas;

    Qwen3CoderFormat(Map<String, JsonNode> toolSchemas) {
        this.toolSchemas = toolSchemas;
    }

    @Override
    public List<String> openers() {
        return List.of("<tool_call>", "<function=");
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.attempt(c, () -> {
            boolean wrapped = c.at("<tool_call>");
            c.skipWhitespace();
            c.expect("<function=");
            String name = c.until(">").strip();
            if (name.isEmpty() || name.contains("<")) {
                throw Cursor.MALFORMED;
            }
            TypedArguments arguments = new TypedArguments(toolSchemas, name);
            while (true) {
                c.skipWhitespace();
                if (c.at("</function>")) {
                    break;
                }
                c.expect("<parameter=");
                String parameter = c.until(">").strip();
                arguments.add(parameter, Values.trimOneNewline(c.until("</parameter>")));
            }
            int afterFunction = c.pos;
            c.skipWhitespace();
            if (c.atEnd() && !ended) {
                throw Cursor.MORE;
            }
            if (!c.at("</tool_call>")) {
                if (wrapped) {
                    throw Cursor.MALFORMED;
                }
                c.pos = afterFunction;
            }
            return List.of(arguments.call(name));
        });
    }
}
