package dev.anyclaude.prefix;

import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Names the conversation stream a request belongs to — Claude Code's session id plus the fingerprint of
 * its system prompt and tools, so a sub-agent is a stream of its own — and reports where each request's
 * prompt diverged from the previous one of its stream.
 */
public final class ConversationStreams implements StatsSection {
    private final DivergenceTracker tracker;
    private final Normalizer forKeys = new Normalizer(true);

    public ConversationStreams(int maxStreams, Clock clock) {
        this.tracker = new DivergenceTracker(maxStreams, Duration.ofHours(2), clock);
    }

    /** A request's stream key and how its prompt relates to the stream's previous one. */
    public record Identity(
            String streamKey, long agentFingerprint, PromptShape shape, PromptShape.@Nullable Divergence divergence) {}

    /**
     * Identifies {@code request} (as it will be sent). The stream key is computed from its normalized form,
     * so that with normalization off a changing billing header still counts as the same stream — and shows
     * up as the divergence it causes.
     */
    public Identity identify(@Nullable String sessionId, MessagesRequest request) {
        PromptShape shape = PromptShape.of(request);
        MessagesRequest normalized = forKeys.normalize(request);
        PromptShape keyShape = normalized == request ? shape : PromptShape.of(normalized);
        String key = (sessionId != null && !sessionId.isBlank()
                        ? sessionId.strip()
                        : "anon-" + Long.toHexString(keyShape.firstMessageHash()))
                + "/" + Long.toHexString(keyShape.agentFingerprint());
        return new Identity(key, keyShape.agentFingerprint(), shape, tracker.observe(key, shape));
    }

    @Override
    public String name() {
        return "streams";
    }

    @Override
    public Object snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "note",
                "per conversation stream: requests that only extended the previous prompt vs ones that "
                        + "diverged from it, and where the last divergence was");
        out.put("recent", tracker.report(50));
        return out;
    }
}
