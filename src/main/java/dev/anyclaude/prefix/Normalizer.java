package dev.anyclaude.prefix;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Tool;
import java.util.ArrayList;
import java.util.List;

/**
 * The normalize stage: removes what changes from request to request without meaning anything to a
 * local model, so that the rendered prompt of turn N+1 starts with the rendering of turn N.
 *
 * <p>Claude Code puts {@code x-anthropic-billing-header: cc_version=...;} as the first system block;
 * its hash differs per conversation and would make every backend's prefix cache miss from token ~30
 * on. {@code cache_control} never reaches the records, so it cannot change rendering. Tools loaded on demand
 * go last ({@link #deferredToolsLast}).
 */
public final class Normalizer {
    static final String BILLING_PREFIX = "x-anthropic-billing-header:";

    private final boolean enabled;

    /** @param enabled false turns normalization off (to measure what it saves). */
    public Normalizer(boolean enabled) {
        this.enabled = enabled;
    }

    public MessagesRequest normalize(MessagesRequest request) {
        if (!enabled) {
            return request;
        }
        return deferredToolsLast(withoutBillingHeader(request));
    }

    /**
     * Tools marked {@code defer_loading} after all the others. Claude Code 2.1.332's ToolSearch adds each tool it
     * loads to {@code tools} in name order (CronList lands third of twelve), and chat templates render the tool
     * list near the start of the prompt, so every tool loaded re-prefills from there; last, a loaded tool leaves
     * the system prompt and every tool before it in the server's cache. The order of tools means nothing to
     * the model; it is kept among the tools of each kind.
     */
    private static MessagesRequest deferredToolsLast(MessagesRequest request) {
        List<Tool> tools = request.tools();
        if (tools == null || tools.isEmpty()) {
            return request;
        }
        List<Tool> ordered = DEFERRED_LAST.get(tools, Normalizer::deferredLast);
        return ordered == tools ? request : request.withTools(ordered);
    }

    /** One reordered list per tool list instance (the parser hands out one per distinct tool bytes). */
    private static final Cache<List<Tool>, List<Tool>> DEFERRED_LAST =
            Caffeine.newBuilder().weakKeys().maximumSize(64).build();

    private static List<Tool> deferredLast(List<Tool> tools) {
        boolean deferredSeen = false;
        boolean needed = false;
        for (Tool t : tools) {
            deferredSeen |= t.deferLoading();
            needed |= deferredSeen && !t.deferLoading();
        }
        if (!needed) {
            return tools;
        }
        List<Tool> out = new ArrayList<>(tools.size());
        tools.stream().filter(t -> !t.deferLoading()).forEach(out::add);
        tools.stream().filter(Tool::deferLoading).forEach(out::add);
        return List.copyOf(out);
    }

    private static MessagesRequest withoutBillingHeader(MessagesRequest request) {
        if (request.system() == null || request.system().isEmpty()) {
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
