package dev.anyclaude.messages;

/**
 * Answers a request's {@code safeguards} (Claude Code's auto mode): wraps the sink towards the client so that the
 * response's final {@code message_delta} carries a verdict for each of its tool calls. The endpoint applies it
 * to every response, generated or replayed from the cache.
 */
public interface ToolCallJudge {
    /** Passes everything on unchanged: no safeguards are answered. */
    ToolCallJudge NONE = (request, requestId, client) -> client;

    /** The sink the response goes through on its way to {@code client}; {@code client} itself when nothing is asked. */
    EventSink wrap(MessagesRequest request, String requestId, EventSink client);
}
