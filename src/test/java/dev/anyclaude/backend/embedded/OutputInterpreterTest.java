package dev.anyclaude.backend.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.StreamEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputInterpreterTest {

    static final PromptRenderer.Prompt AUTO = new PromptRenderer.Prompt("", "", PromptRenderer.ToolMode.AUTO, false, false);
    static final PromptRenderer.Prompt NO_TOOLS = new PromptRenderer.Prompt("", "", PromptRenderer.ToolMode.NONE, false, false);

    final List<StreamEvent> events = new ArrayList<>();

    /** Feeds the text in chunks of {@code chunk} characters and renders the events compactly. */
    List<String> run(PromptRenderer.Prompt prompt, String text, int chunk, boolean truncated) throws IOException {
        OutputInterpreter in = interpreter(prompt);
        for (int i = 0; i < text.length(); i += chunk) {
            in.accept(text.substring(i, Math.min(text.length(), i + chunk)));
        }
        in.finish(truncated);
        return compact();
    }

    OutputInterpreter interpreter(PromptRenderer.Prompt prompt) {
        return new OutputInterpreter(new BlockWriter(events::add), new ObjectMapper(), prompt, true);
    }

    List<String> compact() {
        List<String> out = new ArrayList<>();
        StringBuilder current = null;
        for (StreamEvent e : events) {
            switch (e) {
                case StreamEvent.BlockStart s -> current = new StringBuilder(switch (s.block()) {
                    case StreamEvent.TextBlock t -> "text:";
                    case StreamEvent.ThinkingBlock t -> "thinking:";
                    case StreamEvent.ToolUseBlock t -> "tool:" + t.name() + ":";
                    default -> "?";
                });
                case StreamEvent.BlockDelta d -> {
                    switch (d.delta()) {
                        case StreamEvent.TextDelta t -> current.append(t.text());
                        case StreamEvent.ThinkingDelta t -> current.append(t.thinking());
                        case StreamEvent.InputJsonDelta j -> current.append(j.partialJson());
                        case StreamEvent.SignatureDelta s -> current.append("|signed");
                    }
                }
                case StreamEvent.BlockStop s -> out.add(current.toString());
                default -> out.add("?" + e);
            }
        }
        return out;
    }

    @Test
    void splitsThinkingTextAndToolCallsWhateverTheChunking() throws IOException {
        String text = "<think>\nI should list.\n</think>\n\nLet me look.\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": "
                + "{\"command\": \"ls -la\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"Read\", \"arguments\": {\"path\": \"a\"}}\n</tool_call>";
        List<String> expected = List.of("thinking:I should list.|signed", "text:Let me look.",
                "tool:Bash:{\"command\":\"ls -la\"}", "tool:Read:{\"path\":\"a\"}");
        for (int chunk : new int[] {1, 2, 3, 7, 1000}) {
            events.clear();
            assertThat(run(AUTO, text, chunk, false)).as("chunk %d", chunk).isEqualTo(expected);
        }
    }

    @Test
    void passesAnInvalidToolCallOnAsText() throws IOException {
        assertThat(run(AUTO, "Hi <tool_call>{not json}</tool_call> there", 4, false))
                .containsExactly("text:Hi <tool_call>{not json}</tool_call> there");
    }

    @Test
    void neverTurnsATruncatedToolCallIntoAToolUse() throws IOException {
        assertThat(run(AUTO, "Ok.\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"l", 5, true))
                .containsExactly("text:Ok.\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"l");
    }

    @Test
    void acceptsAToolCallWhoseClosingTagNeverCame() throws IOException {
        assertThat(run(AUTO, "<tool_call>\n{\"name\": \"Bash\", \"arguments\": {}}", 3, false))
                .containsExactly("tool:Bash:{}");
    }

    @Test
    void readsArgumentsGivenAsAJsonString() throws IOException {
        assertThat(run(AUTO, "<tool_call>{\"name\":\"Bash\",\"arguments\":\"{\\\"command\\\":\\\"pwd\\\"}\"}</tool_call>", 6, false))
                .containsExactly("tool:Bash:{\"command\":\"pwd\"}");
    }

    @Test
    void readsALlama3JsonAnswerAsAToolCall() throws IOException {
        assertThat(run(AUTO, "<|python_tag|>{\"name\": \"Bash\", \"parameters\": {\"command\": \"date\"}}", 4, false))
                .containsExactly("tool:Bash:{\"command\":\"date\"}");
        events.clear();
        assertThat(run(AUTO, "{\"answer\": 42}", 4, false)).containsExactly("text:{\"answer\": 42}");
    }

    @Test
    void leavesToolSyntaxAloneWhenToolsAreOff() throws IOException {
        assertThat(run(NO_TOOLS, "{\"name\": \"x\"} <tool_call>{\"name\":\"Bash\"}</tool_call>", 5, false))
                .containsExactly("text:{\"name\": \"x\"} <tool_call>{\"name\":\"Bash\"}</tool_call>");
    }

    @Test
    void continuesAToolCallThePromptOpened() throws IOException {
        PromptRenderer.Prompt forced = new PromptRenderer.Prompt("", "<tool_call>\n{\"name\": \"Bash\", \"arguments\": ",
                PromptRenderer.ToolMode.FORCED, true, false);
        OutputInterpreter in = interpreter(forced);
        in.accept("{\"command\": \"ls\"}}\n</tool_call>");
        assertThat(in.stopRequested()).as("one call allowed, and it is complete").isTrue();
        in.accept("\nmore text");
        in.finish(false);
        assertThat(compact()).containsExactly("tool:Bash:{\"command\":\"ls\"}");
        assertThat(in.toolCalls()).isEqualTo(1);
    }

    @Test
    void continuesThinkingThePromptOpened() throws IOException {
        PromptRenderer.Prompt thinking = new PromptRenderer.Prompt("", "", PromptRenderer.ToolMode.NONE, false, true);
        assertThat(run(thinking, "hmm\n</think>\n\nAnswer", 2, false)).containsExactly("thinking:hmm|signed", "text:Answer");
    }

    @Test
    void dropsThinkingWhenTheRequestDidNotAskForIt() throws IOException {
        OutputInterpreter in = new OutputInterpreter(new BlockWriter(events::add), new ObjectMapper(), NO_TOOLS, false);
        in.accept("<think>secret</think>Visible");
        in.finish(false);
        assertThat(compact()).containsExactly("text:Visible");
    }

    @Test
    void keepsInnerWhitespaceButTrimsBlockEdges() throws IOException {
        assertThat(run(NO_TOOLS, "\n  Hello,\n\n  world  \n", 1, false)).containsExactly("text:Hello,\n\n  world");
    }

    @Test
    void holdsBackOnlyWhatCouldStillBeATag() throws IOException {
        OutputInterpreter in = interpreter(AUTO);
        in.accept("Hello <");
        assertThat(compact()).isEmpty();
        assertThat(events).hasSize(2).last().isEqualTo(new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta("Hello")));
        in.accept("b>");
        in.finish(false);
        assertThat(compact()).containsExactly("text:Hello <b>");
    }
}
