package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.KIMI_K2;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (Kimi-K2, Kimi-K2-Instruct, Kimi-K2-Thinking). */
class KimiK2ParserTest {
    static final String CALL =
            "<|tool_calls_section_begin|><|tool_call_begin|>functions.special_function:0<|tool_call_argument_begin|>"
                    + "{\"arg1\": 1}<|tool_call_end|><|tool_calls_section_end|>";
    static final String THREE_CALLS = "<|tool_calls_section_begin|>"
            + "<|tool_call_begin|>functions.special_function:"
            + "0<|tool_call_argument_begin|>{\"arg1\": 1}<|tool_call_end|>"
            + "<|tool_call_begin|>functions.python:"
            + "1<|tool_call_argument_begin|>{\"code\": \"print(1)\"}<|tool_call_end|>"
            + "<|tool_call_begin|>functions.html:2<|tool_call_argument_begin|>{\"markup\": "
            + "\"<p>test</p>\"}<|tool_call_end|>"
            + "<|tool_calls_section_end|>";

    @Test
    void readsACall() {
        assertParses(KIMI_K2, PLAIN, CALL, call("special_function", "{\"arg1\": 1}"));
        assertParses(
                KIMI_K2,
                PLAIN,
                "Hello, world!\nWhat's up?" + CALL,
                text("Hello, world!\nWhat's up?"),
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                KIMI_K2,
                PLAIN,
                "<think>I'm thinking about this</think>" + CALL,
                thinking("I'm thinking about this"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsSeveralCalls() {
        assertParses(
                KIMI_K2,
                PLAIN,
                THREE_CALLS,
                call("special_function", "{\"arg1\": 1}"),
                call("python", "{\"code\": \"print(1)\"}"),
                call("html", "{\"markup\": \"<p>test</p>\"}"));
    }

    @Test
    void readsMultilineCodeAndEmptyArguments() {
        assertParses(
                KIMI_K2,
                PLAIN,
                "<|tool_calls_section_begin|><|tool_call_begin|>functions.python:0<|tool_call_argument_begin|>"
                        + "{\"code\": \"def hello():\\n    print(\\\"Hello, "
                        + "world!\\\")\\n\\nhello()\"}<|tool_call_end|><|tool_calls_section_end|>",
                call("python", "{\"code\": \"def hello():\\n    print(\\\"Hello, world!\\\")\\n\\nhello()\"}"));
        assertParses(
                KIMI_K2,
                PLAIN,
                "<|tool_calls_section_begin|><|tool_call_begin|>functions.empty_args:0<|tool_call_argument_begin|>"
                        + "{}<|tool_call_end|><|tool_calls_section_end|>",
                call("empty_args", "{}"));
    }

    @Test
    void aCallCutOffIsText() {
        String open = "<|tool_calls_section_begin|><|tool_call_begin|>"
                + "functions.special_function:0<|tool_call_argument_begin|>{\"arg1\": ";
        assertParses(KIMI_K2, PLAIN, open, true, text(open));
    }

    @Test
    void malformedCallsAndMarkerLikeTextAreText() {
        String bad = "<|tool_calls_section_begin|><|tool_call_begin|>functions.x:"
                + "0<|tool_call_argument_begin|>[1]<|tool_call_end|><|tool_calls_section_end|>";
        assertParses(KIMI_K2, PLAIN, bad, text(bad));
        assertParses(KIMI_K2, PLAIN, "a <|tool_calls b", text("a <|tool_calls b"));
    }
}
