package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.call;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static dev.anyclaude.toolcall.ToolCallSyntax.HARMONY;

import org.junit.jupiter.api.Test;

/** Outputs and expected parses of llama.cpp's tests/test-chat.cpp (openai-gpt-oss-120b.jinja). */
class HarmonyParserTest {
    static final String THOUGHTS_AND_ANSWER = "<|channel|>analysis<|message|>I'm\nthinking<|end|><|start|>assistant"
            + "<|channel|>final<|message|>Hello, world!\nWhat's up?";

    @Test
    void readsTheFinalAndCommentaryChannelsAsText() {
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>final<|message|>Hello, world!\nWhat's up?",
                text("Hello, world!\nWhat's up?"));
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>commentary<|message|>Hello, world!\nWhat's up?",
                text("Hello, world!\nWhat's up?"));
    }

    @Test
    void readsTheAnalysisChannelAsThinking() {
        assertParses(HARMONY, PLAIN, THOUGHTS_AND_ANSWER, thinking("I'm\nthinking"), text("Hello, world!\nWhat's up?"));
        assertParses(HARMONY, PLAIN, "<|channel|>analysis<|message|>I'm\nthinking", true, thinking("I'm\nthinking"));
    }

    @Test
    void readsCallsWhereverTheRecipientIsWritten() {
        for (String output : new String[] {
            " to=functions.special_function<|channel|>analysis<|message|>{\"arg1\": 1}",
            "<|channel|>analysis to=functions.special_function<|message|>{\"arg1\": 1}",
            " to=functions.special_function<|channel|>analysis <|constrain|>json<|message|>{\"arg1\": 1}",
            "<|channel|>commentary to=functions.special_function<|message|>{\"arg1\": 1}",
            "<|channel|>commentary to=functions.special_function <|constrain|>json<|message|>{\"arg1\": 1}<|call|>",
        }) {
            assertParses(HARMONY, PLAIN, output, call("special_function", "{\"arg1\": 1}"));
        }
    }

    @Test
    void readsThinkingThenACall() {
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>analysis<|message|>I'm\nthinking<|end|>"
                        + "<|start|>assistant to=functions.special_function<|channel|>analysis<|message|>{\"arg1\": 1}",
                thinking("I'm\nthinking"),
                call("special_function", "{\"arg1\": 1}"));
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>analysis<|message|>Thinking about edit...<|end|>"
                        + "<|start|>assistant<|channel|>commentary to=functions.edit <|constrain|>json"
                        + "<|message|>{\"oldString\": \"if (part < railCount - 1) {\", "
                        + "\"newString\": \"if (part < 4) {\", \"replaceAll\": false}",
                thinking("Thinking about edit..."),
                call(
                        "edit",
                        "{\"oldString\": \"if (part < railCount - 1) {\", "
                                + "\"newString\": \"if (part < 4) {\", \"replaceAll\": false}"));
    }

    @Test
    void readsSeveralCalls() {
        String first =
                "<|channel|>commentary to=functions.special_function <|constrain|>json<|message|>{\"arg1\": 1}<|call|>";
        String second =
                "<|start|>assistant<|channel|>commentary to=functions.special_function_with_opt <|constrain|>json"
                        + "<|message|>{\"arg1\": 1, \"arg2\": 2}<|call|>";
        assertParses(
                HARMONY,
                PLAIN,
                first + second,
                call("special_function", "{\"arg1\": 1}"),
                call("special_function_with_opt", "{\"arg1\": 1, \"arg2\": 2}"));
    }

    @Test
    void readsStructuredOutputAsText() {
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>analysis<|message|>I need to output the invoice details in JSON<|end|>"
                        + "<|start|>assistant<|channel|>final "
                        + "<|constrain|>json<|message|>{\"amount\": 123.45, \"date\": \"2025-12-03\"}",
                thinking("I need to output the invoice details in JSON"),
                text("{\"amount\": 123.45, \"date\": \"2025-12-03\"}"));
    }

    @Test
    void dropsMessagesToBuiltInTools() {
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>analysis<|message|>I will execute python to say hello<|end|><|start|>assistant "
                        + "to=container.exec<|channel|>commentary<|message|>python3 -c 'print(\"hello\")'",
                thinking("I will execute python to say hello"));
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>analysis<|message|>I will execute python to say hello<|end|>"
                        + "<|start|>assistant<|channel|>commentary to=python "
                        + "<|constrain|>code<|message|>print(\"hello\")",
                thinking("I will execute python to say hello"));
    }

    @Test
    void ignoresARecipientThatIsTheAssistant() {
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>commentary to=assistant<|channel|>analysis<|message|>I'm\nthinking<|end|>"
                        + "<|start|>assistant<|channel|>final<|message|>Hello, world!\nWhat's up?",
                thinking("I'm\nthinking"),
                text("Hello, world!\nWhat's up?"));
        assertParses(
                HARMONY,
                PLAIN,
                "<|channel|>analysis<|message|>I'm\nthinking<|end|><|start|>assistant<|channel|>commentary "
                        + "to=assistant<|channel|>final<|message|>Hello, world!\nWhat's up?",
                thinking("I'm\nthinking"),
                text("Hello, world!\nWhat's up?"));
    }

    @Test
    void aCallCutOffOrMalformedIsText() {
        String open = "<|channel|>commentary to=functions.special_function <|constrain|>json<|message|>{\"arg1\": ";
        assertParses(HARMONY, PLAIN, open, true, text(open));
        String bad = "<|channel|>commentary to=functions.special_function<|message|>arg1=1";
        assertParses(HARMONY, PLAIN, bad, text(bad));
    }

    @Test
    void readsOutputWithoutAHeaderAsText() {
        assertParses(HARMONY, PLAIN, "tomorrow <|channel|", true, text("tomorrow <|channel|"));
    }
}
