package dev.anyclaude.prefix;

import dev.anyclaude.api.ContentBlock;
import dev.anyclaude.api.MessagesRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * The normalize stage: removes what changes from request to request without meaning anything to a
 * local model, so that the rendered prompt of turn N+1 starts with the rendering of turn N.
 *
 * <p>Claude Code puts {@code x-anthropic-billing-header: cc_version=...;} as the first system block;
 * its hash differs per conversation and would make every backend's prefix cache miss from token ~30
 * on. {@code cache_control} never reaches the records, so it cannot change rendering.
 */
public final class Normalizer {
    static final String BILLING_PREFIX = "x-anthropic-billing-header:";

    private final boolean enabled;

    /** @param enabled false turns normalization off (to measure what it saves). */
    public Normalizer(boolean enabled) {
        this.enabled = enabled;
    }

    public MessagesRequest normalize(MessagesRequest request) {
        if (!enabled || request.system() == null || request.system().isEmpty()) {
            return request;
        }
        List<ContentBlock.Text> system = request.system();
        boolean billing = false;
        for (ContentBlock.Text block : system) {
            if (isBillingHeader(block)) {
                billing = true;
                break;
            }
        }
        if (!billing) {
            return request;
        }
        List<ContentBlock.Text> kept = new ArrayList<>(system.size());
        for (ContentBlock.Text block : system) {
            if (!isBillingHeader(block)) {
                kept.add(block);
            }
        }
        return request.withSystem(List.copyOf(kept));
    }

    static boolean isBillingHeader(ContentBlock.Text block) {
        String t = block.text();
        if (t == null) {
            return false;
        }
        int i = 0;
        while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
            i++; // no stripLeading(): it copies a ~10 KB system prompt that starts with a newline
        }
        return t.startsWith(BILLING_PREFIX, i);
    }
}
