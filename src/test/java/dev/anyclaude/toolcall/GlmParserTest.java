package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.THINKING;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.GLM;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (GLM-4.6, GLM-4.7-Flash). */
class GlmParserTest {
    static final String TWO_CALLS =
            "<tool_call>special_function<arg_key>arg1</arg_key><arg_value>1</arg_value></tool_call>"
                    + "<tool_call>special_function_with_opt<arg_key>arg1</arg_key><arg_value>1</arg_value>"
                    + "<arg_key>arg2</arg_key><arg_value>2</arg_value></tool_call>";

    @Test
    void readsACallWithOrWithoutNewlines() {
        assertParses(
                GLM,
                PLAIN,
                "<tool_call>special_function\n<arg_key>arg1</arg_key>\n<arg_value>1</arg_value>\n</tool_call>",
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                GLM,
                PLAIN,
                "<tool_call>special_function<arg_key>arg1</arg_key><arg_value>1</arg_value></tool_call>",
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsThinkingThatStartedInThePrompt() {
        assertParses(
                GLM,
                THINKING,
                "I'm\nthinking</think>Hello, world!\nWhat's up?",
                thinking("I'm\nthinking"),
                text("Hello, world!\nWhat's up?"));
        assertParses(
                GLM,
                THINKING,
                "I'm\nthinking</think><tool_call>special_function<arg_key>"
                        + "arg1</arg_key><arg_value>1</arg_value></tool_call>",
                thinking("I'm\nthinking"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsSeveralCalls() {
        assertParses(
                GLM,
                PLAIN,
                TWO_CALLS,
                call("special_function", "{\"arg1\": 1}"),
                call("special_function_with_opt", "{\"arg1\": 1, \"arg2\": 2}"));
    }

    @Test
    void readsACallWithoutArguments() {
        assertParses(
                GLM,
                THINKING,
                "Let me read the diff content.</think><tool_call>read_file_diff_md</tool_call>",
                thinking("Let me read the diff content."),
                call("read_file_diff_md", "{}"));
    }

    @Test
    void typesValuesByTheSchema() {
        assertParses(
                GLM,
                PLAIN,
                "<tool_call>get_time\n<arg_key>city</arg_key>\n<arg_value>123</arg_value>\n</tool_call>",
                call("get_time", "{\"city\": \"123\"}"));
        assertParses(
                GLM,
                PLAIN,
                "<tool_call>todo_list<arg_key>todos</arg_key><arg_value>[\"a\", \"b\"]</arg_value></tool_call>",
                call("todo_list", "{\"todos\": [\"a\", \"b\"]}"));
        assertParses(
                GLM,
                PLAIN,
                "<tool_call>amount<arg_key>orig</arg_key><arg_value>1.5e</arg_value></tool_call>",
                call("amount", "{\"orig\": \"1.5e\"}"));
    }

    @Test
    void aCallCutOffOrMalformedIsText() {
        String open = "Ok.<tool_call>special_function<arg_key>arg1</arg_key><arg_value>1</arg_value>";
        assertParses(GLM, PLAIN, open, true, text(open));
        String bad = "<tool_call>special_function<arg_value>1</arg_value></tool_call>";
        assertParses(GLM, PLAIN, bad, text(bad));
        String prose = "Use <tool_call> tags like this one";
        assertParses(GLM, PLAIN, prose, text(prose));
    }
}
