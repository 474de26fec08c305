package dev.anyclaude.messages;

import org.jspecify.annotations.Nullable;

/**
 * The internal event model: Anthropic's stream events as types. Every backend produces them; the SSE
 * writer, the JSON aggregator and the response cache consume them.
 */
public sealed interface StreamEvent {

    /** Opens the message. The gateway assigns the id and echoes the requested model. */
    record MessageStart(
            @Nullable String id,
            @Nullable String model,
            @Nullable Usage usage) implements StreamEvent {}

    record BlockStart(int index, Block block) implements StreamEvent {}

    record BlockDelta(int index, Delta delta) implements StreamEvent {}

    record BlockStop(int index) implements StreamEvent {}

    /**
     * Final stop reason and cumulative usage. {@code stopSequence} is set for STOP_SEQUENCE; {@code
     * safeguardResultsJson} (compact JSON, usually null) answers a request's {@code safeguards}.
     */
    record MessageDelta(
            StopReason stopReason,
            @Nullable String stopSequence,
            @Nullable Usage usage,
            @Nullable String safeguardResultsJson)
            implements StreamEvent {
        public MessageDelta(StopReason stopReason, @Nullable String stopSequence, @Nullable Usage usage) {
            this(stopReason, stopSequence, usage, null);
        }

        public MessageDelta withSafeguardResults(@Nullable String json) {
            return new MessageDelta(stopReason, stopSequence, usage, json);
        }
    }

    record MessageStop() implements StreamEvent {}

    record Ping() implements StreamEvent {}

    /** A failure after the stream began; it ends the stream. */
    record Error(ErrorKind kind, String message) implements StreamEvent {}

    /** The start of a content block. */
    sealed interface Block {}

    record TextBlock() implements Block {}

    record ThinkingBlock() implements Block {}

    record RedactedThinkingBlock(String data) implements Block {}

    record ToolUseBlock(String id, String name) implements Block {}

    /** An increment of a content block. */
    sealed interface Delta {}

    record TextDelta(String text) implements Delta {}

    record ThinkingDelta(String thinking) implements Delta {}

    record SignatureDelta(String signature) implements Delta {}

    record InputJsonDelta(String partialJson) implements Delta {}

    StreamEvent PING = new Ping();
    StreamEvent MESSAGE_STOP = new MessageStop();
}
