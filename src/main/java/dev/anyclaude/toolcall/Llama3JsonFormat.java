package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * Llama 3.x: a call is a bare JSON object {@code {"name": .., "parameters": {..}}}, optionally after
 * {@code <|python_tag|>}. Since any JSON in an answer could look like that, an object counts as a call only when it
 * names a tool of the request; while it arrives it is held only as long as it still reads like the start of one.
 */
final class Llama3JsonFormat implements CallFormat {
    private static final String PYTHON_TAG = "<|python_tag|>";

    private final Map<String, JsonNode> toolSchemas;

    Llama3JsonFormat(Map<String, JsonNode> toolSchemas) {
        this.toolSchemas = toolSchemas;
    }

    @Override
    public List<String> openers() {
        return List.of(PYTHON_TAG, "{");
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.attempt(c, () -> {
            if (c.at(PYTHON_TAG)) {
                c.skipWhitespace();
            }
            int start = c.pos;
            readsLikeACall(c);
            if (!toolSchemas.containsKey(c.until("\""))) {
                throw Cursor.MALFORMED;
            }
            c.pos = start;
            ToolCall call = CallFormat.fromJsonObject(JsonText.parse(c.json()), "parameters", "arguments");
            if (call == null || !toolSchemas.containsKey(call.name())) {
                throw Cursor.MALFORMED;
            }
            // Llama 3.2 separates several calls with ";": the separator belongs to the call, not to the answer's text.
            int end = c.pos;
            c.skipWhitespace();
            if (c.atEnd() && !c.ended) {
                throw c.more(); // a ";" may still come
            }
            if (!c.atEnd() && s.charAt(c.pos) == ';') {
                c.pos++;
            } else {
                c.pos = end;
            }
            return List.of(call);
        });
    }

    /** {@code { "name": "} or {@code { "type": "function", "name": "}: what every call begins with. */
    private static void readsLikeACall(Cursor c) {
        c.expect("{");
        c.skipWhitespace();
        if (c.at("\"type\"")) {
            c.skipWhitespace();
            c.expect(":");
            c.skipWhitespace();
            c.expect("\"function\"");
            c.skipWhitespace();
            c.expect(",");
            c.skipWhitespace();
        }
        c.expect("\"name\"");
        c.skipWhitespace();
        c.expect(":");
        c.skipWhitespace();
        c.expect("\"");
    }
}
