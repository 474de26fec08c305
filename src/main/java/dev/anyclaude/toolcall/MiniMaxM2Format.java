package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MiniMax M2: {@code <minimax:tool_call>} holding {@code <invoke name="NAME">} with
 * {@code <parameter name="P">V</parameter>}, values typed by the schema.
 */
final class MiniMaxM2Format implements CallFormat {
    private static final Pattern NAME = Pattern.compile("name=\"([^\"]*)\"");

    private final Map<String, JsonNode> toolSchemas;

    MiniMaxM2Format(Map<String, JsonNode> toolSchemas) {
        this.toolSchemas = toolSchemas;
    }

    @Override
    public List<String> openers() {
        return List.of("<minimax:tool_call>");
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.section(
                c, () -> c.expect("<minimax:tool_call>"), () -> c.at("</minimax:tool_call>"), () -> invoke(c));
    }

    private ToolCall invoke(Cursor c) {
        c.expect("<invoke");
        String name = name(c.until(">"));
        TypedArguments arguments = new TypedArguments(toolSchemas, name);
        while (true) {
            c.skipWhitespace();
            if (c.at("</invoke>")) {
                return arguments.call(name);
            }
            c.expect("<parameter");
            String parameter = name(c.until(">"));
            arguments.add(parameter, c.until("</parameter>"));
        }
    }

    private static String name(String tag) {
        Matcher m = NAME.matcher(tag);
        if (!m.find() || m.group(1).isBlank()) {
            throw Cursor.MALFORMED;
        }
        return m.group(1);
    }
}
