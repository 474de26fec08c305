package dev.anyclaude.toolcall;

import java.util.List;

/**
 * DeepSeek V3.1 and R1: {@code <｜tool▁calls▁begin｜>} then calls
 * {@code <｜tool▁call▁begin｜>NAME<｜tool▁sep｜>{..}<｜tool▁call▁end｜>} (V3.1) or
 * {@code <｜tool▁call▁begin｜>function<｜tool▁sep｜>NAME\n```json\n{..}\n```<｜tool▁call▁end｜>} (R1), then
 * {@code <｜tool▁calls▁end｜>}.
 */
final class DeepSeekV3Format implements CallFormat {
    private static final String CALLS_BEGIN = "<｜tool▁calls▁begin｜>";
    private static final String CALLS_END = "<｜tool▁calls▁end｜>";
    private static final String CALL_BEGIN = "<｜tool▁call▁begin｜>";
    private static final String SEP = "<｜tool▁sep｜>";
    private static final String CALL_END = "<｜tool▁call▁end｜>";

    @Override
    public List<String> openers() {
        return List.of(CALLS_BEGIN);
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.section(c, () -> c.expect(CALLS_BEGIN), () -> c.at(CALLS_END), () -> call(c));
    }

    private static ToolCall call(Cursor c) {
        c.expect(CALL_BEGIN);
        String name = c.until(SEP).strip();
        String arguments;
        if (name.equals("function")) {
            name = c.until("\n").strip();
            c.skipWhitespace();
            c.expect("```json");
            c.skipWhitespace();
            arguments = c.json();
            c.skipWhitespace();
            c.expect("```");
        } else {
            c.skipWhitespace();
            arguments = c.json();
        }
        c.skipWhitespace();
        c.expect(CALL_END);
        ToolCall call = CallFormat.fromArguments(name, JsonText.parse(arguments));
        if (call == null) {
            throw Cursor.MALFORMED;
        }
        return call;
    }
}
