package dev.anyclaude.cache;

import dev.anyclaude.messages.Ids;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns a stored answer into the events of a new response: a fresh message id, fresh tool-use ids (one
 * per original id, so the response stays consistent with itself), the requested model where the stored
 * start had none, and usage that reports the whole prompt as read from cache, since no model had to
 * process it.
 */
final class ResponseReplay {
    private ResponseReplay() {}

    static List<StreamEvent> events(List<StreamEvent> stored, String requestModel, Ids ids) {
        List<StreamEvent> out = new ArrayList<>(stored.size());
        Map<String, String> toolIds = new HashMap<>();
        long promptTokens = 0;
        for (StreamEvent e : stored) {
            if (e instanceof StreamEvent.MessageStart s && s.usage() != null) {
                promptTokens = s.usage().promptTokens();
            }
            long startPrompt = promptTokens;
            out.add(
                    switch (e) {
                        case StreamEvent.MessageStart s ->
                            new StreamEvent.MessageStart(
                                    ids.message(), s.model() == null ? requestModel : s.model(), cached(s.usage(), 0));
                        case StreamEvent.BlockStart(int index, StreamEvent.ToolUseBlock b) ->
                            new StreamEvent.BlockStart(
                                    index,
                                    new StreamEvent.ToolUseBlock(
                                            toolIds.computeIfAbsent(String.valueOf(b.id()), k -> ids.toolUse()),
                                            b.name()));
                        case StreamEvent.MessageDelta d ->
                            new StreamEvent.MessageDelta(
                                    d.stopReason(), d.stopSequence(), cached(d.usage(), startPrompt));
                        default -> e;
                    });
        }
        return List.copyOf(out);
    }

    /**
     * Usage of a replay: nothing processed, every prompt token read from cache, the same output. A final
     * usage that left the prompt counts out takes them from the start, so that a client merging the two
     * (as the SDKs do) does not end with zero.
     */
    static @Nullable Usage cached(@Nullable Usage u, long startPromptTokens) {
        if (u == null) {
            return null;
        }
        long prompt = u.promptTokens() == 0 ? startPromptTokens : u.promptTokens();
        return new Usage(0, u.outputTokens(), prompt, 0);
    }
}
