package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.THINKING;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ParserHarness.whole;
import static dev.anyclaude.toolcall.ToolCallSyntax.QWEN3_CODER;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (Qwen3-Coder, Qwen3.5). */
class Qwen3CoderParserTest {
    static final String CALL =
            "<tool_call>\n<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n</function>\n</tool_call>";
    static final String CALL_WITH_OPT =
            "<tool_call>\n<function=special_function_with_opt>\n<parameter=arg1>\n1\n</parameter>\n"
                    + "<parameter=arg2>\n2\n</parameter>\n</function>\n</tool_call>";

    @Test
    void readsACall() {
        assertParses(QWEN3_CODER, PLAIN, CALL, call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsACallWithoutItsOpeningTag() {
        assertParses(
                QWEN3_CODER,
                PLAIN,
                CALL.substring("<tool_call>\n".length()),
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "Let me call it.\n" + CALL.substring("<tool_call>\n".length()),
                text("Let me call it.\n"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsSeveralCalls() {
        var expected = new ParserHarness.Item[] {
            call("special_function", "{\"arg1\": 1}"), call("special_function_with_opt", "{\"arg1\": 1, \"arg2\": 2}")
        };
        assertParses(QWEN3_CODER, PLAIN, CALL + "\n" + CALL_WITH_OPT, expected);
        assertParses(QWEN3_CODER, PLAIN, CALL.substring("<tool_call>\n".length()) + "\n" + CALL_WITH_OPT, expected);
    }

    @Test
    void emitsOneFragmentPerParameter() {
        assertThat(whole(QWEN3_CODER, PLAIN, CALL_WITH_OPT, false))
                .containsExactly(
                        "start:special_function_with_opt", "args:{\"arg1\":1", "args:,\"arg2\":2", "args:}", "end");
    }

    @Test
    void keepsMultilineCodeAsAString() {
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=python>\n<parameter=code>\ndef "
                        + "hello():\n    print(\"Hello, world!\")\n\nhello()\n"
                        + "</parameter>\n</function>\n</tool_call>",
                call("python", "{\"code\": \"def hello():\\n    print(\\\"Hello, world!\\\")\\n\\nhello()\"}"));
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=python>\n<parameter=code>\n格\n</parameter>\n</function>\n</tool_call>",
                call("python", "{\"code\": \"格\"}"));
    }

    @Test
    void keepsMarkupInAValue() {
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=html>\n<parameter=markup>\n<html>\n "
                        + "<head>\n  <title>Hello!</title>\n </head>\n</html>\n"
                        + "</parameter>\n</function>\n</tool_call>",
                call("html", "{\"markup\": \"<html>\\n <head>\\n  <title>Hello!</title>\\n </head>\\n</html>\"}"));
    }

    @Test
    void typesValuesByTheSchema() {
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=todo_list>\n<parameter=todos>"
                        + "\n[{\"item\": \"a\"}]\n</parameter>\n</function>\n</tool_call>",
                call("todo_list", "{\"todos\": [{\"item\": \"a\"}]}"));
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=amount>\n<parameter=orig>\nabout 3\n</parameter>\n</function>\n</tool_call>",
                call("amount", "{\"orig\": \"about 3\"}"));
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=python>\n<parameter=code>\n42\n</parameter>\n</function>\n</tool_call>",
                call("python", "{\"code\": \"42\"}"));
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=unknown>\n<parameter=n>\n42\n</parameter>\n</function>\n</tool_call>",
                call("unknown", "{\"n\": \"42\"}"));
        assertParses(
                QWEN3_CODER,
                PLAIN,
                "<tool_call>\n<function=empty_args>\n</function>\n</tool_call>",
                call("empty_args", "{}"));
    }

    @Test
    void readsThinkingThenACall() {
        assertParses(
                QWEN3_CODER,
                THINKING,
                "I'm\nthinking\n</think>\n\n" + CALL,
                thinking("I'm\nthinking"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void aCallCutOffIsText() {
        String open = "<tool_call>\n<function=special_function>\n<parameter=arg1>\n1\n</parameter>\n</function>\n";
        assertParses(QWEN3_CODER, PLAIN, "ok " + open, true, text("ok " + open));
        String open2 = CALL + "\n<tool_call>\n<function=special_function>\n<parameter=arg1>\n1";
        assertParses(
                QWEN3_CODER,
                PLAIN,
                open2,
                true,
                call("special_function", "{\"arg1\": 1}"),
                text("<tool_call>\n<function=special_function>\n<parameter=arg1>\n1"));
    }

    @Test
    void malformedCallsAndMarkerLikeTextAreText() {
        String bad = "<tool_call>\n<function=special_function>\n<oops>\n</function>\n</tool_call>";
        assertParses(QWEN3_CODER, PLAIN, bad, text(bad));
        assertParses(QWEN3_CODER, PLAIN, "use <function=x or <tool", text("use <function=x or <tool"));
    }
}
