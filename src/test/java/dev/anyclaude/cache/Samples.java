package dev.anyclaude.cache;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Requests and responses for cache tests, built by hand. */
final class Samples {
    private Samples() {}

    static MessagesRequest request(String prompt) {
        return new MessagesRequest(
                "local-model",
                1024,
                List.of(new ContentBlock.Text("You are terse.")),
                List.of(new Message(Role.USER, List.of(new ContentBlock.Text(prompt)))),
                List.of(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                true);
    }

    static MessagesRequest withTemperature(MessagesRequest r, Double t) {
        return new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                t,
                r.topP(),
                r.topK(),
                r.stopSequences(),
                r.thinking(),
                r.outputSchemaJson(),
                r.effort(),
                r.stream());
    }

    static MessagesRequest withStream(MessagesRequest r, boolean stream) {
        return new MessagesRequest(
                r.model(),
                r.maxTokens(),
                r.system(),
                r.messages(),
                r.tools(),
                r.toolChoice(),
                r.temperature(),
                r.topP(),
                r.topK(),
                r.stopSequences(),
                r.thinking(),
                r.outputSchemaJson(),
                r.effort(),
                stream);
    }

    /** A clean text answer as a backend emits it: start, ping, one text block in two deltas, delta, stop. */
    static List<StreamEvent> textAnswer(String text) {
        int half = text.length() / 2;
        return List.of(
                new StreamEvent.MessageStart("msg_original", "local-model", new Usage(120, 1, 900, 0)),
                StreamEvent.PING,
                new StreamEvent.BlockStart(0, new StreamEvent.TextBlock()),
                new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta(text.substring(0, half))),
                new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta(text.substring(half))),
                new StreamEvent.BlockStop(0),
                new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(120, 7, 900, 0)),
                StreamEvent.MESSAGE_STOP);
    }

    /** A clean answer with text, thinking and two tool calls. */
    static List<StreamEvent> toolAnswer() {
        return List.of(
                new StreamEvent.MessageStart("msg_original", "local-model", new Usage(30, 1, 2000, 0)),
                new StreamEvent.BlockStart(0, new StreamEvent.ThinkingBlock()),
                new StreamEvent.BlockDelta(0, new StreamEvent.ThinkingDelta("need git status")),
                new StreamEvent.BlockDelta(0, new StreamEvent.SignatureDelta("sig")),
                new StreamEvent.BlockStop(0),
                new StreamEvent.BlockStart(1, new StreamEvent.TextBlock()),
                new StreamEvent.BlockDelta(1, new StreamEvent.TextDelta("Running two tools.")),
                new StreamEvent.BlockStop(1),
                new StreamEvent.BlockStart(2, new StreamEvent.ToolUseBlock("toolu_original_a", "Bash")),
                new StreamEvent.BlockDelta(2, new StreamEvent.InputJsonDelta("{\"command\":")),
                new StreamEvent.BlockDelta(2, new StreamEvent.InputJsonDelta("\"git status\"}")),
                new StreamEvent.BlockStop(2),
                new StreamEvent.BlockStart(3, new StreamEvent.ToolUseBlock("toolu_original_b", "Read")),
                new StreamEvent.BlockDelta(3, new StreamEvent.InputJsonDelta("{\"file_path\":\"README.md\"}")),
                new StreamEvent.BlockStop(3),
                new StreamEvent.MessageDelta(StopReason.TOOL_USE, null, new Usage(0, 55, 0, 0)),
                StreamEvent.MESSAGE_STOP);
    }

    /** Plays events into a sink, as a backend would. */
    static void play(List<StreamEvent> events, EventSink sink) throws IOException {
        for (StreamEvent e : events) {
            sink.accept(e);
        }
    }

    /** Runs a miss the way the gateway does: the backend's events through a recorder into a client sink. */
    static List<StreamEvent> answerMiss(ResponseCache cache, Lookup lookup, List<StreamEvent> events)
            throws IOException {
        List<StreamEvent> client = new ArrayList<>();
        try (ResponseRecorder recorder = cache.recorder((Lookup.Miss) lookup, client::add)) {
            play(events, recorder);
        }
        return client;
    }

    /** The text of an answer: its text deltas joined. */
    static String text(List<StreamEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockDelta(int i, StreamEvent.TextDelta(String t))) {
                sb.append(t);
            }
        }
        return sb.toString();
    }
}
