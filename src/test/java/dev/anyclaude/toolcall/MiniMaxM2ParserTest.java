package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.THINKING;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.MINIMAX_M2;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (MiniMax-M2). */
class MiniMaxM2ParserTest {
    static final String TWO_CALLS =
            "<minimax:tool_call>\n<invoke name=\"special_function\">\n<parameter name=\"arg1\">1</parameter>\n"
                    + "</invoke>\n<invoke name=\"get_time\">\n<parameter "
                    + "name=\"city\">Tokyo</parameter>\n</invoke>\n</minimax:tool_call>";

    @Test
    void readsThinkingThatStartedInThePrompt() {
        assertParses(
                MINIMAX_M2, THINKING, "\n</think>\n\nHello, world!\nWhat's up?", text("Hello, world!\nWhat's up?"));
        assertParses(
                MINIMAX_M2,
                THINKING,
                "I'm\nthinking\n</think>\n\nHello, world!\nWhat's up?",
                thinking("I'm\nthinking"),
                text("Hello, world!\nWhat's up?"));
    }

    @Test
    void readsACall() {
        assertParses(
                MINIMAX_M2,
                THINKING,
                "Let's call a tool:\n</think>\n\n<minimax:tool_call>\n<invoke name=\"empty_args\">\n</invoke>\n"
                        + "</minimax:tool_call>",
                thinking("Let's call a tool:"),
                call("empty_args", "{}"));
        assertParses(
                MINIMAX_M2,
                THINKING,
                "\n</think>\n\n<minimax:tool_call>\n<invoke name=\"special_function\">\n<parameter "
                        + "name=\"arg1\">1</parameter>\n</invoke>\n</minimax:tool_call>",
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsSeveralCallsInOneBlock() {
        assertParses(
                MINIMAX_M2,
                PLAIN,
                "On it.\n" + TWO_CALLS,
                text("On it.\n"),
                call("special_function", "{\"arg1\": 1}"),
                call("get_time", "{\"city\": \"Tokyo\"}"));
    }

    @Test
    void aCallCutOffIsText() {
        String open =
                "<minimax:tool_call>\n<invoke name=\"special_function\">\n<parameter name=\"arg1\">1</parameter>\n";
        assertParses(MINIMAX_M2, PLAIN, open, true, text(open));
    }

    @Test
    void malformedCallsAreText() {
        String bad = "<minimax:tool_call>\n<invoke>\n</invoke>\n</minimax:tool_call>";
        assertParses(MINIMAX_M2, PLAIN, bad, text(bad));
    }
}
