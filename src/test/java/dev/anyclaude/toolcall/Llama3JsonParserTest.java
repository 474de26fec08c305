package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ToolCallSyntax.LLAMA3_JSON;

import org.junit.jupiter.api.Test;

/**
 * Llama 3.x. llama.cpp's tests hold no call for these templates, so the calls are written as the templates
 * (meta-llama-Llama-3.1-8B-Instruct.jinja) render them: {@code {"name": "..", "parameters": ..}}.
 */
class Llama3JsonParserTest {
    static final String CALL = "{\"name\": \"special_function\", \"parameters\": {\"arg1\": 1}}";

    @Test
    void readsPlainText() {
        assertParses(LLAMA3_JSON, PLAIN, "Hello, world!\nWhat's up?", text("Hello, world!\nWhat's up?"));
    }

    @Test
    void readsABareCall() {
        assertParses(LLAMA3_JSON, PLAIN, CALL, call("special_function", "{\"arg1\": 1}"));
        assertParses(
                LLAMA3_JSON,
                PLAIN,
                "{\"type\": \"function\", \"name\": \"special_function\", \"parameters\": {\"arg1\": 1}}",
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsACallAfterThePythonTag() {
        assertParses(LLAMA3_JSON, PLAIN, "<|python_tag|>" + CALL, call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void readsTextBeforeACall() {
        assertParses(
                LLAMA3_JSON,
                PLAIN,
                "Let me see. " + CALL,
                text("Let me see. "),
                call("special_function", "{\"arg1\": 1}"));
    }

    @Test
    void jsonThatNamesNoToolIsText() {
        String unknown = "{\"name\": \"nope\", \"parameters\": {\"arg1\": 1}}";
        assertParses(LLAMA3_JSON, PLAIN, unknown, text(unknown));
        String answer = "Here: {\"amount\": 123.45, \"date\": \"2025-12-03\"} and {x}";
        assertParses(LLAMA3_JSON, PLAIN, answer, text(answer));
        String nameIsData = "{\"name\": \"special_function\", \"parameters\": 3}";
        assertParses(LLAMA3_JSON, PLAIN, nameIsData, text(nameIsData));
    }

    @Test
    void aCallCutOffOrMalformedIsText() {
        String open = "{\"name\": \"special_function\", \"parameters\": {\"arg1\": 1";
        assertParses(LLAMA3_JSON, PLAIN, open, true, text(open));
        String bad = "{\"name\": \"special_function\", \"parameters\": {\"arg1\": 1]} ok";
        assertParses(LLAMA3_JSON, PLAIN, bad, text(bad));
    }
}
