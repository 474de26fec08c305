package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.MISTRAL;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (Ministral 3, Mistral Small 3.2, Devstral, Nemo). */
class MistralParserTest {
    @Test
    void readsACall() {
        assertParses(
                MISTRAL,
                PLAIN,
                "[TOOL_CALLS]special_function[ARGS]{\"arg1\":1}",
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                MISTRAL,
                PLAIN,
                "Hello, world!\nWhat's up?[TOOL_CALLS]special_function[ARGS]{\"arg1\": 1}",
                text("Hello, world!\nWhat's up?"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsSeveralCalls() {
        assertParses(
                MISTRAL,
                PLAIN,
                "[TOOL_CALLS]special_function[ARGS]{\"arg1\": "
                        + "1}[TOOL_CALLS]special_function_with_opt[ARGS]{\"arg1\": 1, \"arg2\": 2}",
                call("special_function", "{\"arg1\": 1}"),
                call("special_function_with_opt", "{\"arg1\": 1, \"arg2\": 2}"));
    }

    @Test
    void readsCallsWithIds() {
        assertParses(
                MISTRAL,
                PLAIN,
                "[TOOL_CALLS]special_function[CALL_ID]123456789[ARGS]{\"arg1\": 1}",
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                MISTRAL,
                PLAIN,
                "[TOOL_CALLS]special_function[CALL_ID]000000001[ARGS]{\"arg1\": 1}"
                        + "[TOOL_CALLS]special_function_with_opt[CALL_ID]000000002[ARGS]{\"arg1\": 1, \"arg2\": 2}",
                call("special_function", "{\"arg1\": 1}"),
                call("special_function_with_opt", "{\"arg1\": 1, \"arg2\": 2}"));
    }

    @Test
    void readsTheJsonListForm() {
        assertParses(
                MISTRAL,
                PLAIN,
                "[TOOL_CALLS][{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}, \"id\": \"123456789\"}]",
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsThinkingAndIgnoresMarkersInIt() {
        assertParses(
                MISTRAL,
                PLAIN,
                "[THINK]I'm\nthinking[/THINK][TOOL_CALLS]special_function[ARGS]{\"arg1\":1}",
                thinking("I'm\nthinking"),
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                MISTRAL,
                PLAIN,
                "[THINK]Let me think about [TOOL_CALLS]special_function[ARGS]{\"arg1\":1} and more[/THINK]"
                        + "[TOOL_CALLS]special_function[ARGS]{\"arg1\": 1}",
                thinking("Let me think about [TOOL_CALLS]special_function[ARGS]{\"arg1\":1} and more"),
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                MISTRAL,
                PLAIN,
                "[THINK]I'm\nthinking[/THINK]Hello, world!\nWhat's up?",
                thinking("I'm\nthinking"),
                text("Hello, world!\nWhat's up?"));
    }

    @Test
    void aCallCutOffIsText() {
        String open = "[TOOL_CALLS]special_function[ARGS]{\"arg1\": 1";
        assertParses(MISTRAL, PLAIN, open, true, text(open));
        assertParses(MISTRAL, PLAIN, "[TOOL_CALLS]special_fun", true, text("[TOOL_CALLS]special_fun"));
    }

    @Test
    void malformedCallsAndMarkerLikeTextAreText() {
        String bad = "[TOOL_CALLS]special_function[ARGS]{\"arg1\": 1]] after";
        assertParses(MISTRAL, PLAIN, bad, text(bad));
        String prose = "The [TOOL_CALLS] token, and [TOOL_ and [ARGS]";
        assertParses(MISTRAL, PLAIN, prose, text(prose));
    }
}
