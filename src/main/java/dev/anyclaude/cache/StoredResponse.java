package dev.anyclaude.cache;

import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One cached answer: the canonical request it answers (to confirm a hit), the events of the response as
 * the client first received them (pings left out), how long it may live, and what it costs in memory.
 *
 * @param ttlNanos time to live from the moment it enters the memory tier; shorter than the configured TTL
 *     when the entry comes from the shared tier, where it has already aged
 * @param weight estimated heap bytes, the memory tier's unit of account
 */
record StoredResponse(byte[] canonical, List<StreamEvent> events, long ttlNanos, int weight) {

    /** Object header plus the reference and length fields every entry pays for. */
    private static final int ENTRY_OVERHEAD = 160;

    private static final int EVENT_OVERHEAD = 48;
    private static final int STRING_OVERHEAD = 48;

    static StoredResponse of(byte[] canonical, List<StreamEvent> events, long ttlNanos) {
        long bytes = ENTRY_OVERHEAD + 16L + canonical.length + 16L + 8L * events.size();
        for (StreamEvent e : events) {
            bytes += estimate(e);
        }
        return new StoredResponse(canonical, List.copyOf(events), ttlNanos, (int) Math.min(Integer.MAX_VALUE, bytes));
    }

    /**
     * Estimated heap bytes of one event: records and their strings, a string counted at two bytes a char
     * (the worst case of Java's compact strings) so the estimate errs on the side of the bound.
     */
    static long estimate(StreamEvent event) {
        return EVENT_OVERHEAD
                + switch (event) {
                    case StreamEvent.MessageStart s -> str(s.id()) + str(s.model()) + usage(s.usage());
                    case StreamEvent.BlockStart s ->
                        EVENT_OVERHEAD
                                + switch (s.block()) {
                                    case StreamEvent.ToolUseBlock b -> str(b.id()) + str(b.name());
                                    case StreamEvent.RedactedThinkingBlock b -> str(b.data());
                                    case StreamEvent.TextBlock b -> 0;
                                    case StreamEvent.ThinkingBlock b -> 0;
                                    case null -> 0;
                                };
                    case StreamEvent.BlockDelta d ->
                        EVENT_OVERHEAD
                                + switch (d.delta()) {
                                    case StreamEvent.TextDelta t -> str(t.text());
                                    case StreamEvent.ThinkingDelta t -> str(t.thinking());
                                    case StreamEvent.SignatureDelta t -> str(t.signature());
                                    case StreamEvent.InputJsonDelta t -> str(t.partialJson());
                                    case null -> 0;
                                };
                    case StreamEvent.MessageDelta d -> str(d.stopSequence()) + usage(d.usage());
                    case StreamEvent.Error e -> str(e.message());
                    case StreamEvent.BlockStop s -> 0;
                    case StreamEvent.MessageStop s -> 0;
                    case StreamEvent.Ping p -> 0;
                };
    }

    private static long str(@Nullable String s) {
        return s == null ? 0 : STRING_OVERHEAD + 2L * s.length();
    }

    private static long usage(@Nullable Usage u) {
        return u == null ? 0 : 48;
    }
}
