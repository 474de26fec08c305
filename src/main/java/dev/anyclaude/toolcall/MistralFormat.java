package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Mistral: {@code [TOOL_CALLS]NAME[ARGS]{..}} (Devstral, Ministral, Magistral), with {@code [CALL_ID]ID} before
 * {@code [ARGS]} in Mistral Small 3.2, or the older {@code [TOOL_CALLS][{"name": .., "arguments": {..}}, ..]}
 * (Nemo). Thinking is enclosed in {@code [THINK]..[/THINK]}.
 */
final class MistralFormat implements CallFormat {
    private static final String TOOL_CALLS = "[TOOL_CALLS]";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]*");

    @Override
    public List<String> openers() {
        return List.of(TOOL_CALLS);
    }

    @Override
    public List<String> thinkTags() {
        return List.of("[THINK]", "[/THINK]");
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.attempt(c, () -> {
            c.expect(TOOL_CALLS);
            c.skipWhitespace();
            if (!c.atEnd() && s.charAt(c.pos) == '[') {
                return list(JsonText.parse(c.json()));
            }
            int bracket = s.indexOf('[', c.pos);
            String name = s.substring(c.pos, bracket < 0 ? s.length() : bracket).strip();
            if (!NAME.matcher(name).matches()) {
                throw Cursor.MALFORMED;
            }
            if (bracket < 0) {
                throw c.more();
            }
            c.pos = bracket;
            if (c.at("[CALL_ID]")) {
                c.until("[ARGS]");
            } else {
                c.expect("[ARGS]");
            }
            c.skipWhitespace();
            ToolCall call = CallFormat.fromArguments(name, JsonText.parse(c.json()));
            if (call == null) {
                throw Cursor.MALFORMED;
            }
            return List.of(call);
        });
    }

    private static List<ToolCall> list(@Nullable JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw Cursor.MALFORMED;
        }
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode element : node) {
            ToolCall call = CallFormat.fromJsonObject(element, "arguments", "parameters");
            if (call == null) {
                throw Cursor.MALFORMED;
            }
            calls.add(call);
        }
        return calls;
    }
}
