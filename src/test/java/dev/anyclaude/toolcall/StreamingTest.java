package dev.anyclaude.toolcall;

import static dev.anyclaude.toolcall.ParserHarness.PLAIN;
import static dev.anyclaude.toolcall.ParserHarness.THINKING;
import static dev.anyclaude.toolcall.ParserHarness.assertParses;
import static dev.anyclaude.toolcall.ParserHarness.text;
import static dev.anyclaude.toolcall.ParserHarness.thinking;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** What is reported before the output ends: text and thinking at once, a possible marker and an open call held. */
class StreamingTest {
    @Test
    void reportsTextAtOnceAndHoldsOnlyWhatMayBeginAMarker() throws IOException {
        var recorder = new ParserHarness.Recorder();
        OutputParser parser = OutputParsers.create(ToolCallSyntax.HERMES, PLAIN, recorder);
        parser.feed("Hello <tool");
        assertThat(recorder.events).containsExactly("text:Hello ");
        parser.feed("_call>{\"name\": \"special_function\", \"arguments\": {\"arg1\": 1}}");
        assertThat(recorder.events).containsExactly("text:Hello ");
        parser.feed("</tool_call>");
        assertThat(recorder.events)
                .containsExactly("text:Hello ", "start:special_function", "args:{\"arg1\":1}", "end");
    }

    @Test
    void reportsThinkingAtOnce() throws IOException {
        var recorder = new ParserHarness.Recorder();
        OutputParser parser = OutputParsers.create(ToolCallSyntax.QWEN3_CODER, THINKING, recorder);
        parser.feed("Let me think</th");
        assertThat(recorder.events).containsExactly("thinking:Let me think");
        parser.feed("ink>\n\nDone");
        assertThat(recorder.events).containsExactly("thinking:Let me think", "text:Done");
    }

    @Test
    void noneReadsOnlyThinkTags() {
        assertParses(
                ToolCallSyntax.NONE,
                PLAIN,
                "<think>hm</think>\nA <tool_call>{\"name\": \"x\"}</tool_call> [TOOL_CALLS]",
                thinking("hm"),
                text("A <tool_call>{\"name\": \"x\"}</tool_call> [TOOL_CALLS]"));
    }

    @Test
    void thinkingCutOffIsStillThinking() {
        assertParses(ToolCallSyntax.HERMES, PLAIN, "<think>partial thought", true, thinking("partial thought"));
    }
}
