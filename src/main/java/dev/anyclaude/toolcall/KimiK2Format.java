package dev.anyclaude.toolcall;

import java.util.List;

/**
 * Kimi K2: {@code <|tool_calls_section_begin|>} then calls
 * {@code <|tool_call_begin|>functions.NAME:INDEX<|tool_call_argument_begin|>{..}<|tool_call_end|>}, then
 * {@code <|tool_calls_section_end|>}. The name sits inside the call's id.
 */
final class KimiK2Format implements CallFormat {
    private static final String SECTION_BEGIN = "<|tool_calls_section_begin|>";
    private static final String SECTION_END = "<|tool_calls_section_end|>";
    private static final String CALL_BEGIN = "<|tool_call_begin|>";
    private static final String ARGUMENTS_BEGIN = "<|tool_call_argument_begin|>";
    private static final String CALL_END = "<|tool_call_end|>";

    @Override
    public List<String> openers() {
        return List.of(SECTION_BEGIN);
    }

    @Override
    public Read read(String s, boolean ended) {
        Cursor c = new Cursor(s, ended);
        return CallFormat.section(c, () -> c.expect(SECTION_BEGIN), () -> c.at(SECTION_END), () -> call(c));
    }

    private static ToolCall call(Cursor c) {
        c.expect(CALL_BEGIN);
        String id = c.until(ARGUMENTS_BEGIN).strip();
        c.skipWhitespace();
        String arguments = c.json();
        c.skipWhitespace();
        c.expect(CALL_END);
        ToolCall call = CallFormat.fromArguments(name(id), JsonText.parse(arguments));
        if (call == null) {
            throw Cursor.MALFORMED;
        }
        return call;
    }

    /** {@code functions.NAME:0} → {@code NAME}. */
    static String name(String id) {
        String name = id.startsWith("functions.") ? id.substring("functions.".length()) : id;
        int colon = name.lastIndexOf(':');
        return colon > 0 ? name.substring(0, colon) : name;
    }
}
