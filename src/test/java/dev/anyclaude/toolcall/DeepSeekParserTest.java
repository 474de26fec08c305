package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.THINKING;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.DEEPSEEK_DSML;
import static dev.anyclaude.toolcall.ToolCallSyntax.DEEPSEEK_V3;

import org.junit.jupiter.api.Test;

/**
 * Outputs and expected parses of llama.cpp's tests/test-chat.cpp (DeepSeek V3.1, V3.2, V4; R1 as its template writes).
 */
class DeepSeekParserTest {
    static final String V31_TWO_CALLS =
            "REASONING</think>CONTENT<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>"
                    + "{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁call▁begin｜>"
                    + "get_weather<｜tool▁sep｜>{\"city\": \"Paris\"}"
                    + "<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
    static final String DSML_TWO_CALLS =
            "Calling both</think>\n\n<｜DSML｜function_calls>\n<｜DSML｜invoke name=\"get_time\">\n"
                    + "<｜DSML｜parameter name=\"city\" string=\"true\">Paris</｜DSML｜parameter>\n</｜DSML｜invoke>\n"
                    + "<｜DSML｜invoke name=\"get_weather\">\n<｜DSML｜parameter "
                    + "name=\"city\" string=\"true\">Paris</｜DSML｜parameter>\n"
                    + "</｜DSML｜invoke>\n</｜DSML｜function_calls>";

    @Test
    void readsAV31Call() {
        assertParses(
                DEEPSEEK_V3,
                PLAIN,
                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{\"city\": "
                        + "\"XYZCITY\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
                call("get_time", "{\"city\":\"XYZCITY\"}"));
        assertParses(
                DEEPSEEK_V3,
                THINKING,
                "REASONING</think><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>"
                        + "{\"city\": \"Tokyo\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
                thinking("REASONING"),
                call("get_time", "{\"city\":\"Tokyo\"}"));
    }

    @Test
    void readsSeveralV31CallsAfterThinkingAndText() {
        assertParses(
                DEEPSEEK_V3,
                THINKING,
                V31_TWO_CALLS,
                thinking("REASONING"),
                text("CONTENT"),
                call("get_time", "{\"city\":\"Paris\"}"),
                call("get_weather", "{\"city\":\"Paris\"}"));
        assertParses(DEEPSEEK_V3, THINKING, "REASONING</think>\nCONTENT", thinking("REASONING"), text("CONTENT"));
    }

    @Test
    void readsAnR1Call() {
        assertParses(
                DEEPSEEK_V3,
                PLAIN,
                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>special_function\n"
                        + "```json\n{\"arg1\": 1}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void keepsTheCallsThatClosedBeforeTheCut() {
        String second = "<｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Par";
        assertParses(
                DEEPSEEK_V3,
                PLAIN,
                "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜>"
                        + second,
                true,
                call("get_time", "{\"city\":\"Paris\"}"),
                text(second));
        String open = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>{\"city\"";
        assertParses(DEEPSEEK_V3, PLAIN, open, true, text(open));
    }

    @Test
    void malformedV31CallsAreText() {
        String bad = "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_time<｜tool▁sep｜>"
                + "city=Paris<｜tool▁call▁end｜><｜tool▁calls▁end｜>";
        assertParses(DEEPSEEK_V3, PLAIN, bad, text(bad));
    }

    @Test
    void readsDsmlCalls() {
        assertParses(
                DEEPSEEK_DSML,
                THINKING,
                "I'm\nthinking</think>Hello, world!\nWhat's up?",
                thinking("I'm\nthinking"),
                text("Hello, world!\nWhat's up?"));
        assertParses(
                DEEPSEEK_DSML,
                THINKING,
                "Let me check the time</think>\n\n<｜DSML｜function_calls>\n"
                        + "<｜DSML｜invoke name=\"get_time\">\n<｜DSML｜parameter "
                        + "name=\"city\" string=\"true\">Tokyo</｜DSML｜parameter>\n"
                        + "</｜DSML｜invoke>\n</｜DSML｜function_calls>",
                thinking("Let me check the time"),
                call("get_time", "{\"city\": \"Tokyo\"}"));
        assertParses(
                DEEPSEEK_DSML,
                PLAIN,
                "<｜DSML｜function_calls>\n<｜DSML｜invoke name=\"special_function\">\n<｜DSML｜parameter name=\"arg1\" "
                        + "string=\"false\">1</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜function_calls>",
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                DEEPSEEK_DSML,
                THINKING,
                DSML_TWO_CALLS,
                thinking("Calling both"),
                call("get_time", "{\"city\": \"Paris\"}"),
                call("get_weather", "{\"city\": \"Paris\"}"));
    }

    @Test
    void readsV4DsmlCalls() {
        assertParses(
                DEEPSEEK_DSML,
                PLAIN,
                "Sure.\n\n<｜DSML｜tool_calls>\n<｜DSML｜invoke name=\"special_function\">\n"
                        + "<｜DSML｜parameter name=\"arg1\" "
                        + "string=\"false\">1</｜DSML｜parameter>\n</｜DSML｜invoke>\n</｜DSML｜tool_calls>",
                text("Sure.\n\n"),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void dsmlStringMarksDecideTheType() {
        assertParses(
                DEEPSEEK_DSML,
                PLAIN,
                "<｜DSML｜function_calls><｜DSML｜invoke name=\"get_time\">"
                        + "<｜DSML｜parameter name=\"city\" string=\"true\">42</｜DSML｜parameter>"
                        + "<｜DSML｜parameter name=\"n\" string=\"false\">{\"a\": [1]}</｜DSML｜parameter>"
                        + "<｜DSML｜parameter name=\"bad\" string=\"false\">{oops</｜DSML｜parameter>"
                        + "</｜DSML｜invoke></｜DSML｜function_calls>",
                call("get_time", "{\"city\": \"42\", \"n\": {\"a\": [1]}, \"bad\": \"{oops\"}"));
    }

    @Test
    void aDsmlCallCutOffIsText() {
        String open = "<｜DSML｜function_calls>\n<｜DSML｜invoke "
                + "name=\"get_time\">\n<｜DSML｜parameter name=\"city\" string=\"true\">To";
        assertParses(DEEPSEEK_DSML, PLAIN, open, true, text(open));
    }
}
