package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * GLM 4.5 – 4.7: {@code <tool_call>NAME<arg_key>K</arg_key><arg_value>V</arg_value>…</tool_call>}, newlines optional.
 */
final class GlmFormat implements CallFormat {
    private static final Pattern NAME = Pattern.compile("[^\\s<>]+");

    private final Map<String, JsonNode> toolSchemas;

    GlmFormat(Map<String, JsonNode> toolSchemas) {
        this.toolSchemas = toolSchemas;
    }

    @Override
    public List<String> openers() {
        return List.of("<tool_call>");
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.attempt(c, () -> {
            c.expect("<tool_call>");
            int lt = s.indexOf('<', c.pos);
            String name = s.substring(c.pos, lt < 0 ? s.length() : lt).strip();
            if (!name.isEmpty() && !NAME.matcher(name).matches()) {
                throw Cursor.MALFORMED;
            }
            if (lt < 0) {
                throw c.more();
            }
            if (name.isEmpty()) {
                throw Cursor.MALFORMED;
            }
            c.pos = lt;
            TypedArguments arguments = new TypedArguments(toolSchemas, name);
            while (true) {
                c.skipWhitespace();
                if (c.at("</tool_call>")) {
                    return List.of(arguments.call(name));
                }
                c.expect("<arg_key>");
                String key = c.until("</arg_key>").strip();
                c.skipWhitespace();
                c.expect("<arg_value>");
                arguments.add(key, c.until("</arg_value>"));
            }
        });
    }
}
