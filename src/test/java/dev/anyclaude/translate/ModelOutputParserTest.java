package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.toolcall.ToolCallSyntax;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelOutputParserTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Recorder rec = new Recorder();

    private static final TextFormats HERMES = TextFormats.of(ToolCallSyntax.HERMES);
    private static final TextFormats LLAMA3 = TextFormats.of(ToolCallSyntax.LLAMA3_JSON);

    private ModelOutputParser parser(TextFormats f, String... tools) {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        for (String t : tools) {
            schemas.put(t, MAPPER.createObjectNode().put("type", "object"));
        }
        return new ModelOutputParser(rec, f, schemas, true, false);
    }

    private List<String> run(TextFormats f, StopReason reason, List<String> pieces, String... tools)
            throws IOException {
        ModelOutputParser p = parser(f, tools);
        for (String s : pieces) {
            p.onText(s);
        }
        p.finish(reason, Usage.ZERO);
        return rec.merged();
    }

    /** Feeds {@code text} one character at a time. */
    private List<String> runByChar(TextFormats f, String text, String... tools) throws IOException {
        return run(
                f,
                StopReason.END_TURN,
                text.chars().mapToObj(c -> String.valueOf((char) c)).toList(),
                tools);
    }

    @Test
    void streamsPlainTextAtOnceWithoutHoldingAnything() throws IOException {
        ModelOutputParser p = parser(HERMES, "Bash");
        p.onText("Hello wor");
        assertThat(rec.text()).isEqualTo("Hello wor");
        p.onText("ld");
        assertThat(rec.text()).isEqualTo("Hello world");
    }

    @Test
    void holdsBackOnlyATailThatMayStartATag() throws IOException {
        ModelOutputParser p = parser(HERMES, "Bash");
        p.onText("a < b and <tool");
        assertThat(rec.text()).as("a trailing space waits for what follows it").isEqualTo("a < b and");
        p.onText("box>");
        assertThat(rec.text()).isEqualTo("a < b and <toolbox>");
    }

    @Test
    void splitsThinkTagsWhereverThePiecesBreak() throws IOException {
        String text = "<think>\nplan it\n</think>\n\nThe answer.";
        List<String> expected = List.of(
                "start",
                "open 0 thinking",
                "thinking plan it",
                "signature",
                "close 0",
                "open 1 text",
                "text The answer.",
                "close 1",
                "delta end_turn",
                "message_stop");
        assertThat(runByChar(TextFormats.THINK_TAGS, text)).isEqualTo(expected);
        rec.events.clear();
        assertThat(run(TextFormats.THINK_TAGS, StopReason.END_TURN, List.of(text)))
                .isEqualTo(expected);
    }

    @Test
    void startsInsideThinkingWhenThePromptOpenedIt() throws IOException {
        assertThat(runByChar(TextFormats.THINK_TAGS.withStartInThinking(true), "hmm\n</think>\nok"))
                .containsExactly(
                        "start",
                        "open 0 thinking",
                        "thinking hmm",
                        "signature",
                        "close 0",
                        "open 1 text",
                        "text ok",
                        "close 1",
                        "delta end_turn",
                        "message_stop");
    }

    @Test
    void readsHermesToolCallsIntoToolUseBlocksAndEndsWithToolUse() throws IOException {
        String text =
                "Checking.\n<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}\n</tool_call>\n"
                        + "<tool_call>{\"name\":\"Read\",\"arguments\":\"{\\\"file_path\\\":\\\"a\\\"}\"}</tool_call>";
        assertThat(runByChar(HERMES, text, "Bash", "Read"))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text Checking.",
                        "close 0",
                        "open 1 tool Bash",
                        "json {\"command\":\"ls\"}",
                        "close 1",
                        "open 2 tool Read",
                        "json {\"file_path\":\"a\"}",
                        "close 2",
                        "delta tool_use",
                        "message_stop");
    }

    @Test
    void givesEachToolCallAFreshGatewayId() throws IOException {
        run(
                HERMES,
                StopReason.END_TURN,
                List.of("<tool_call>{\"name\":\"A\",\"arguments\":{}}</tool_call>"
                        + "<tool_call>{\"name\":\"A\",\"arguments\":{}}</tool_call>"));
        List<String> ids = rec.events.stream()
                .filter(e -> e instanceof StreamEvent.BlockStart)
                .map(e -> ((StreamEvent.ToolUseBlock) ((StreamEvent.BlockStart) e).block()).id())
                .toList();
        assertThat(ids).hasSize(2).doesNotHaveDuplicates().allMatch(id -> id.matches("toolu_[0-9A-Za-z]{24}"));
    }

    @Test
    void aToolCallCutOffByTheEndOfGenerationIsTextNeverAToolUse() throws IOException {
        assertThat(run(
                        HERMES,
                        StopReason.MAX_TOKENS,
                        List.of("<tool_call>{\"name\": \"Bash\", \"arguments\": {\"command\": \"rm -rf /tm"),
                        "Bash"))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text <tool_call>{\"name\": \"Bash\", \"arguments\": {\"command\": \"rm -rf /tm",
                        "close 0",
                        "delta max_tokens",
                        "message_stop");
    }

    @Test
    void acceptsACompleteToolCallWhoseClosingTagNeverCame() throws IOException {
        assertThat(run(
                        HERMES,
                        StopReason.END_TURN,
                        List.of("<tool_call>\n{\"name\": \"Bash\", \"arguments\": {\"command\": \"ls\"}}\n"),
                        "Bash"))
                .containsExactly(
                        "start",
                        "open 0 tool Bash",
                        "json {\"command\":\"ls\"}",
                        "close 0",
                        "delta tool_use",
                        "message_stop");
    }

    @Test
    void malformedToolCallBodyStaysText() throws IOException {
        assertThat(run(HERMES, StopReason.END_TURN, List.of("<tool_call>not json</tool_call> done")))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text <tool_call>not json</tool_call> done",
                        "close 0",
                        "delta end_turn",
                        "message_stop");
    }

    @Test
    void readsLlama3JsonCallsOnlyForKnownTools() throws IOException {
        assertThat(runByChar(
                        LLAMA3,
                        " {\"name\": \"Read\", \"parameters\": {\"file_path\": \"x}\"}};"
                                + "{\"name\": \"Read\", \"parameters\": {}}",
                        "Read"))
                .containsExactly(
                        "start",
                        "open 0 tool Read",
                        "json {\"file_path\":\"x}\"}",
                        "close 0",
                        "open 1 tool Read",
                        "json {}",
                        "close 1",
                        "delta tool_use",
                        "message_stop");
        rec.events.clear();
        assertThat(runByChar(LLAMA3, "{\"name\": \"Title\", \"parameters\": {}}", "Read"))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text {\"name\": \"Title\", \"parameters\": {}}",
                        "close 0",
                        "delta end_turn",
                        "message_stop");
    }

    @Test
    void aJsonAnswerIsTextWhenItIsNotACall() throws IOException {
        assertThat(runByChar(LLAMA3, "{\"title\": \"Fix login bug\"} ok", "Read"))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text {\"title\": \"Fix login bug\"} ok",
                        "close 0",
                        "delta end_turn",
                        "message_stop");
    }

    @Test
    void aJsonCallNamingARequestToolCountsAfterText() throws IOException {
        assertThat(runByChar(LLAMA3, "Sure: {\"name\": \"Read\", \"parameters\": {}}", "Read"))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text Sure:",
                        "close 0",
                        "open 1 tool Read",
                        "json {}",
                        "close 1",
                        "delta tool_use",
                        "message_stop");
    }

    @Test
    void withNoFormatsEverythingIsText() throws IOException {
        assertThat(run(TextFormats.NONE, StopReason.END_TURN, List.of("<think>x</think><tool_call>{}</tool_call>")))
                .containsExactly(
                        "start",
                        "open 0 text",
                        "text <think>x</think><tool_call>{}</tool_call>",
                        "close 0",
                        "delta end_turn",
                        "message_stop");
    }

    @Test
    void unterminatedThinkingIsClosedWithASignatureAtTheEnd() throws IOException {
        assertThat(run(TextFormats.THINK_TAGS, StopReason.MAX_TOKENS, List.of("<think>long thought ")))
                .containsExactly(
                        "start",
                        "open 0 thinking",
                        "thinking long thought",
                        "signature",
                        "close 0",
                        "delta max_tokens",
                        "message_stop");
    }
}
