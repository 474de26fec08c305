package dev.anyclaude.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.messages.StreamEvent.BlockDelta;
import dev.anyclaude.messages.StreamEvent.BlockStart;
import dev.anyclaude.messages.StreamEvent.BlockStop;
import dev.anyclaude.messages.StreamEvent.MessageDelta;
import dev.anyclaude.messages.StreamEvent.MessageStart;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final EventJson json = new EventJson(MAPPER);

    private static final List<StreamEvent> TEXT_ANSWER = List.of(
            new MessageStart("msg_capture_0001", "claude-opus-4-8", new Usage(11, 1, 0, 0)),
            StreamEvent.PING,
            new BlockStart(0, new StreamEvent.TextBlock()),
            new BlockDelta(0, new StreamEvent.TextDelta("Hello fro")),
            new BlockDelta(0, new StreamEvent.TextDelta("m capture")),
            new BlockStop(0),
            new MessageDelta(StopReason.END_TURN, null, new Usage(11, 5, 0, 0)),
            StreamEvent.MESSAGE_STOP);

    private static final List<StreamEvent> TOOL_ANSWER = List.of(
            new MessageStart("msg_capture_0002", "claude-opus-4-8", new Usage(26, 1, 0, 0)),
            StreamEvent.PING,
            new BlockStart(0, new StreamEvent.TextBlock()),
            new BlockDelta(0, new StreamEvent.TextDelta("Calling Bash (c")),
            new BlockDelta(0, new StreamEvent.TextDelta("apture step 1).")),
            new BlockStop(0),
            new BlockStart(1, new StreamEvent.ToolUseBlock("toolu_capture_0002_0", "Bash")),
            new BlockDelta(
                    1, new StreamEvent.InputJsonDelta("{\"command\":\"echo hello-from-tool && git status --sho")),
            new BlockDelta(
                    1, new StreamEvent.InputJsonDelta("rt\",\"description\":\"Print a greeting and git status\"}")),
            new BlockStop(1),
            new MessageDelta(StopReason.TOOL_USE, null, new Usage(26, 34, 0, 0)),
            StreamEvent.MESSAGE_STOP);

    private String sse(List<StreamEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            sb.append(new String(json.sse(e), StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    private static String fixture(String name) throws Exception {
        return Files.readString(Fixtures.claudeCode().resolve("responses").resolve(name));
    }

    /**
     * The captured streams carry only output_tokens in message_delta; the gateway sends the whole usage
     * there (as the Anthropic API does today) because a backend reports prompt and cache figures only at
     * the end, after message_start went out.
     */
    private static String withFullDeltaUsage(String sse, long input) {
        return sse.replaceAll(
                "\"usage\":\\{\"output_tokens\":(\\d+)}}",
                "\"usage\":{\"input_tokens\":" + input + ",\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":0,\"output_tokens\":$1}}");
    }

    @Test
    void writesTheCapturedTextStreamByteForByte() throws Exception {
        assertThat(sse(TEXT_ANSWER)).isEqualTo(withFullDeltaUsage(fixture("sse-text.txt"), 11));
    }

    @Test
    void writesTheCapturedToolUseStreamByteForByte() throws Exception {
        assertThat(sse(TOOL_ANSWER)).isEqualTo(withFullDeltaUsage(fixture("sse-tool-use.txt"), 26));
    }

    @Test
    void writesThinkingRedactedAndErrorEvents() {
        assertThat(frame(new BlockStart(0, new StreamEvent.ThinkingBlock())))
                .isEqualTo("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                        + "\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n");
        assertThat(frame(new BlockDelta(0, new StreamEvent.ThinkingDelta("hm\"m"))))
                .isEqualTo("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hm\\\"m\"}}\n\n");
        assertThat(frame(new BlockDelta(0, new StreamEvent.SignatureDelta("c2ln"))))
                .isEqualTo("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"signature_delta\",\"signature\":\"c2ln\"}}\n\n");
        assertThat(frame(new BlockStart(2, new StreamEvent.RedactedThinkingBlock("opaque"))))
                .isEqualTo("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,"
                        + "\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"opaque\"}}\n\n");
        assertThat(frame(new MessageDelta(StopReason.STOP_SEQUENCE, "END", new Usage(3, 4, 5, 6))))
                .isEqualTo("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                        + "\"stop_sequence\","
                        + "\"stop_sequence\":\"END\"},\"usage\":{\"input_tokens\":3,"
                        + "\"cache_creation_input_tokens\":6,"
                        + "\"cache_read_input_tokens\":5,\"output_tokens\":4}}\n\n");
        assertThat(frame(new StreamEvent.Error(ErrorKind.BACKEND_OVERLOADED, "busy \n now")))
                .isEqualTo("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"busy \\n now\"}}\n\n");
        assertThat(new String(
                        json.error(ErrorKind.INVALID_REQUEST, "max_tokens: -5 (expected: a positive integer)"),
                        StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\","
                        + "\"message\":\"max_tokens: -5 (expected: a positive integer)\"}}");
    }

    @Test
    void keepsNonAsciiTextIntactInTheWire() throws Exception {
        String text = "héllo — 你好 😀 \u0000";
        byte[] data = json.data(new BlockDelta(0, new StreamEvent.TextDelta(text)));
        assertThat(MAPPER.readTree(data).at("/delta/text").asText()).isEqualTo(text);
    }

    private String frame(StreamEvent e) {
        return new String(json.sse(e), StandardCharsets.UTF_8);
    }

    @Test
    void everyFrameIsAnEventTheAnthropicSdkReads() {
        for (StreamEvent e : mixedAnswer()) {
            if (e instanceof StreamEvent.Ping) {
                continue; // the SDK's SSE reader drops ping frames before parsing
            }
            RawMessageStreamEvent parsed = sdkEvent(json.sse(e));
            parsed.validate();
        }
    }

    @Test
    void aggregatedMessageEqualsWhatTheAnthropicSdkAccumulatesFromTheStream() throws Exception {
        List<StreamEvent> events = mixedAnswer();
        MessageAccumulator acc = MessageAccumulator.create();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.Ping) {
                continue;
            }
            acc.accumulate(sdkEvent(json.sse(e)));
        }
        Message fromStream = acc.message();
        Message fromJson = ObjectMappers.jsonMapper().readValue(json.message(events), Message.class);
        fromJson.validate();

        assertThat(fromJson.id()).isEqualTo("msg_1").isEqualTo(fromStream.id());
        assertThat(fromJson.model().asString()).isEqualTo(fromStream.model().asString());
        assertThat(fromJson.stopReason()).isEqualTo(fromStream.stopReason());
        assertThat(fromJson.stopReason().orElseThrow().asString()).isEqualTo("tool_use");
        assertThat(fromJson.usage().inputTokens())
                .isEqualTo(fromStream.usage().inputTokens())
                .isEqualTo(7);
        assertThat(fromJson.usage().outputTokens())
                .isEqualTo(fromStream.usage().outputTokens())
                .isEqualTo(42);
        assertThat(fromJson.usage().cacheReadInputTokens())
                .isEqualTo(fromStream.usage().cacheReadInputTokens())
                .hasValue(1000L);
        assertThat(fromJson.content()).hasSize(4).hasSameSizeAs(fromStream.content());
        for (int i = 0; i < 4; i++) {
            assertThat(describe(fromJson.content().get(i)))
                    .isEqualTo(describe(fromStream.content().get(i)));
        }
        assertThat(describe(fromJson.content().get(3)))
                .isEqualTo("tool_use toolu_x Read {file_path=/a/b.md, limit=10}");
    }

    @Test
    void aggregatesEmptyToolInputAsEmptyObjectAndNoBlocksAsEmptyContent() throws Exception {
        byte[] out = json.message(List.of(
                new MessageStart("msg_2", "m", Usage.ZERO),
                new BlockStart(0, new StreamEvent.ToolUseBlock("toolu_1", "Now")),
                new BlockStop(0),
                new MessageDelta(StopReason.TOOL_USE, null, new Usage(1, 2, 0, 0)),
                StreamEvent.MESSAGE_STOP));
        assertThat(new String(out, StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"msg_2\",\"type\":\"message\",\"role\":"
                        + "\"assistant\",\"model\":\"m\",\"content\":[{\"type\":"
                        + "\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Now\",\"input\":"
                        + "{}}],\"stop_reason\":\"tool_use\","
                        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":1,\"cache_creation_input_tokens\":0,"
                        + "\"cache_read_input_tokens\":0,\"output_tokens\":2}}");
        JsonNode empty = MAPPER.readTree(json.message(List.of(
                new MessageStart("msg_3", "m", Usage.ZERO),
                new MessageDelta(StopReason.MAX_TOKENS, null, Usage.ZERO),
                StreamEvent.MESSAGE_STOP)));
        assertThat(empty.get("content").isArray()).isTrue();
        assertThat(empty.get("content")).isEmpty();
        assertThat(empty.get("stop_reason").asText()).isEqualTo("max_tokens");
    }

    @Test
    void refusesToAggregateToolInputThatIsNotAJsonObject() {
        List<StreamEvent> events = List.of(
                new MessageStart("msg_4", "m", Usage.ZERO),
                new BlockStart(0, new StreamEvent.ToolUseBlock("toolu_1", "Bash")),
                new BlockDelta(0, new StreamEvent.InputJsonDelta("{\"command\":\"ls")),
                new BlockStop(0),
                new MessageDelta(StopReason.TOOL_USE, null, Usage.ZERO),
                StreamEvent.MESSAGE_STOP);
        assertThatThrownBy(() -> json.message(events))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION))
                .hasMessageContaining("tool Bash is not a JSON object");
    }

    @Test
    void aggregatingAStreamThatFailedThrowsItsError() {
        List<StreamEvent> events = List.of(
                new MessageStart("msg_5", "m", Usage.ZERO), new StreamEvent.Error(ErrorKind.BACKEND_BUG, "boom"));
        assertThatThrownBy(() -> json.message(events))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BACKEND_BUG))
                .hasMessage("boom");
    }

    private static List<StreamEvent> mixedAnswer() {
        List<StreamEvent> events = new ArrayList<>();
        events.add(new MessageStart("msg_1", "local-model", new Usage(0, 0, 0, 0)));
        events.add(StreamEvent.PING);
        events.add(new BlockStart(0, new StreamEvent.ThinkingBlock()));
        events.add(new BlockDelta(0, new StreamEvent.ThinkingDelta("Let me ")));
        events.add(new BlockDelta(0, new StreamEvent.ThinkingDelta("think.")));
        events.add(new BlockDelta(0, new StreamEvent.SignatureDelta("c2lnbmF0dXJl")));
        events.add(new BlockStop(0));
        events.add(new BlockStart(1, new StreamEvent.RedactedThinkingBlock("b3BhcXVl")));
        events.add(new BlockStop(1));
        events.add(new BlockStart(2, new StreamEvent.TextBlock()));
        events.add(new BlockDelta(2, new StreamEvent.TextDelta("I will read ")));
        events.add(new BlockDelta(2, new StreamEvent.TextDelta("the file — 😀.")));
        events.add(new BlockStop(2));
        events.add(new BlockStart(3, new StreamEvent.ToolUseBlock("toolu_x", "Read")));
        events.add(new BlockDelta(3, new StreamEvent.InputJsonDelta("")));
        events.add(new BlockDelta(3, new StreamEvent.InputJsonDelta("{\"file_path\": \"/a/b")));
        events.add(new BlockDelta(3, new StreamEvent.InputJsonDelta(".md\", \"limit\": 10}")));
        events.add(new BlockStop(3));
        events.add(new MessageDelta(StopReason.TOOL_USE, null, new Usage(7, 42, 1000, 0)));
        events.add(StreamEvent.MESSAGE_STOP);
        return events;
    }

    private static RawMessageStreamEvent sdkEvent(byte[] frame) {
        String s = new String(frame, StandardCharsets.UTF_8);
        assertThat(s).startsWith("event: ").endsWith("\n\n");
        String[] lines = s.split("\n");
        assertThat(lines).hasSize(2);
        String type = lines[0].substring("event: ".length());
        String data = lines[1].substring("data: ".length());
        try {
            RawMessageStreamEvent e = ObjectMappers.jsonMapper().readValue(data, RawMessageStreamEvent.class);
            assertThat(MAPPER.readTree(data).get("type").asText()).isEqualTo(type);
            return e;
        } catch (Exception ex) {
            throw new AssertionError(data, ex);
        }
    }

    private static String describe(ContentBlock b) {
        if (b.isText()) {
            return "text " + b.asText().text();
        }
        if (b.isThinking()) {
            return "thinking " + b.asThinking().thinking() + " "
                    + b.asThinking().signature();
        }
        if (b.isRedactedThinking()) {
            return "redacted " + b.asRedactedThinking().data();
        }
        if (b.isToolUse()) {
            JsonValue input = b.asToolUse()._input();
            Map<?, ?> map = input.convert(Map.class);
            return "tool_use " + b.asToolUse().id() + " " + b.asToolUse().name() + " " + map;
        }
        return b.toString();
    }
}
