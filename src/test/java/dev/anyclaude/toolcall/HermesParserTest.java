package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.THINKING;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.HERMES;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (Hermes 2 Pro / 3, Qwen 2.5, MiMo-VL). */
class HermesParserTest {
    static final String CALL =
            "<tool_call>\n{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}}\n</tool_call>";

    @Test
    void readsACall() {
        assertParses(HERMES, PLAIN, CALL, call("special_function", "{\"arg1\": 1}"));
        assertParses(
                HERMES,
                PLAIN,
                "<tool_call>\n{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}}</tool_call>",
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void keepsTextBeforeACall() {
        assertParses(
                HERMES,
                PLAIN,
                "Hello, world!\nWhat's up?<tool_call>\n{\"name\": "
                        + "\"special_function\", \"arguments\": {\"arg1\": 1}}</tool_call>",
                text("Hello, world!\nWhat's up?"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsPlainText() {
        assertParses(HERMES, PLAIN, "Hello, world!\nWhat's up?", text("Hello, world!\nWhat's up?"));
    }

    @Test
    void readsSeveralCallsAndDropsTheWhitespaceBetweenThem() {
        assertParses(
                HERMES,
                PLAIN,
                CALL + "\n"
                        + CALL.replace("special_function", "special_function_with_opt")
                                .replace("{\"arg1\": 1}", "{\"arg1\": 1, \"arg2\": 2}")
                        + "\n",
                call("special_function", "{\"arg1\": 1}"),
                call("special_function_with_opt", "{\"arg1\": 1, \"arg2\": 2}"));
    }

    @Test
    void readsThinkingBeforeACall() {
        assertParses(
                HERMES,
                PLAIN,
                "<think>I'm\nthinking</think>" + CALL,
                thinking("I'm\nthinking"),
                call("special_function", "{\"arg1\": 1}"));
        assertParses(HERMES, THINKING, "I'm\nthinking</think>\n\nHello", thinking("I'm\nthinking"), text("Hello"));
    }

    @Test
    void aCallCutOffIsText() {
        String open = "Sure. <tool_call>\n{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}}";
        assertParses(HERMES, PLAIN, open, true, text(open));
        assertParses(HERMES, PLAIN, "<tool_call>\n{\"name\": \"spec", true, text("<tool_call>\n{\"name\": \"spec"));
    }

    @Test
    void aCompleteCallWhoseTurnEndedBeforeItsClosingTagCounts() {
        String open = "Sure. <tool_call>\n{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}}";
        assertParses(HERMES, PLAIN, open, false, text("Sure. "), call("special_function", "{\"arg1\":1}"));
    }

    @Test
    void aCallThatDoesNotParseIsText() {
        String bad = "<tool_call>\n{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}\n</tool_call> ok";
        assertParses(HERMES, PLAIN, bad, text(bad));
        String noName = "<tool_call>{\"arguments\": {}}</tool_call>";
        assertParses(HERMES, PLAIN, noName, text(noName));
        String prose = "<tool_call> is the tag I use";
        assertParses(HERMES, PLAIN, prose, text(prose));
    }

    @Test
    void markerLikeTextIsText() {
        assertParses(HERMES, PLAIN, "a <tool_ b <tool_callx> c <", text("a <tool_ b <tool_callx> c <"));
    }

    @Test
    void reportsACallOfAnUnknownTool() {
        assertParses(
                HERMES,
                PLAIN,
                "<tool_call>{\"name\": \"nope\", \"arguments\": {\"x\": [1]}}</tool_call>",
                call("nope", "{\"x\": [1]}"));
    }
}
