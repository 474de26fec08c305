package dev.anyclaude.toolcall;

import java.util.List;

/** {@code <tool_call>{"name": .., "arguments": {..}}</tool_call>}, one call per block. */
final class HermesFormat implements CallFormat {
    @Override
    public List<String> openers() {
        return List.of("<tool_call>");
    }

    @Override
    public Read read(String s, boolean ended) {
        return read(s, ended, true);
    }

    @Override
    public Read read(String s, boolean ended, boolean truncated) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.attempt(c, () -> {
            c.expect("<tool_call>");
            c.skipWhitespace();
            ToolCall call = CallFormat.fromJsonObject(JsonText.parse(c.json()), "arguments", "parameters");
            c.skipWhitespace();
            // A model may end its turn right after the JSON (end of generation instead of the closing tag): the call
            // is complete, so it counts.
            if (!(c.ended && !truncated && c.atEnd())) {
                c.expect("</tool_call>");
            }
            if (call == null) {
                throw Cursor.MALFORMED;
            }
            return List.of(call);
        });
    }
}
