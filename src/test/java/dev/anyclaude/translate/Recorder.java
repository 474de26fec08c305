package dev.anyclaude.translate;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.StreamEvent;
import java.util.ArrayList;
import java.util.List;

/** A sink that keeps the events, with views that make assertions short. */
final class Recorder implements EventSink {
    final List<StreamEvent> events = new ArrayList<>();

    @Override
    public void accept(StreamEvent event) {
        events.add(event);
    }

    /**
     * The events as compact lines: start, text:Hi, thinking:.., sig, tool:Bash, json:{..}, stop, end_turn,
     * message_stop.
     */
    List<String> lines() {
        List<String> out = new ArrayList<>();
        for (StreamEvent e : events) {
            out.add(
                    switch (e) {
                        case StreamEvent.MessageStart s -> "start";
                        case StreamEvent.BlockStart s ->
                            "open " + s.index() + " "
                                    + switch (s.block()) {
                                        case StreamEvent.TextBlock t -> "text";
                                        case StreamEvent.ThinkingBlock t -> "thinking";
                                        case StreamEvent.RedactedThinkingBlock r -> "redacted";
                                        case StreamEvent.ToolUseBlock u -> "tool " + u.name();
                                    };
                        case StreamEvent.BlockDelta d ->
                            switch (d.delta()) {
                                case StreamEvent.TextDelta t -> "text " + t.text();
                                case StreamEvent.ThinkingDelta t -> "thinking " + t.thinking();
                                case StreamEvent.SignatureDelta s -> "signature";
                                case StreamEvent.InputJsonDelta j -> "json " + j.partialJson();
                            };
                        case StreamEvent.BlockStop s -> "close " + s.index();
                        case StreamEvent.MessageDelta d ->
                            "delta " + d.stopReason().wire() + (d.stopSequence() == null ? "" : " " + d.stopSequence());
                        case StreamEvent.MessageStop s -> "message_stop";
                        case StreamEvent.Ping p -> "ping";
                        case StreamEvent.Error err -> "error " + err.message();
                    });
        }
        return out;
    }

    /** All text of text deltas, concatenated. */
    String text() {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockDelta d && d.delta() instanceof StreamEvent.TextDelta t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    /** Merges consecutive deltas of the same block, so differently split streams compare equal. */
    List<String> merged() {
        List<String> out = new ArrayList<>();
        for (String l : lines()) {
            int sp = l.indexOf(' ');
            String kind = sp < 0 ? l : l.substring(0, sp);
            if (!out.isEmpty()
                    && (kind.equals("text") || kind.equals("thinking") || kind.equals("json"))
                    && out.getLast().startsWith(kind + " ")) {
                out.set(out.size() - 1, out.getLast() + l.substring(sp + 1));
            } else {
                out.add(l);
            }
        }
        return out;
    }
}
