package dev.anyclaude.prefix;

import dev.anyclaude.messages.Usage;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What requests reused, counted from what flowed back: requests, their prompt tokens, the prompt tokens the
 * model's KV cache supplied instead of computing them, and warm-up prefills. One set per embedded slot, one
 * per model server. Thread-safe.
 */
public final class SlotFigures {
    private long requests;
    private long promptTokens;
    private long reusedTokens;
    private long warms;
    private long warmTokens;

    /** Counts a request that was answered; {@code usage} is null when the answer stopped before its usage. */
    public synchronized void request(Usage usage) {
        requests++;
        if (usage != null) {
            promptTokens += usage.promptTokens();
            reusedTokens += usage.cacheReadInputTokens();
        }
    }

    /** Counts a request with these figures (the embedded engine counts tokens itself). */
    public synchronized void request(long prompt, long reused) {
        requests++;
        promptTokens += prompt;
        reusedTokens += reused;
    }

    /** Counts a warm-up prefill. */
    public synchronized void warm(Usage usage) {
        warms++;
        if (usage != null) {
            warmTokens += usage.promptTokens();
        }
    }

    public synchronized long requests() {
        return requests;
    }

    public synchronized long promptTokens() {
        return promptTokens;
    }

    public synchronized long reusedTokens() {
        return reusedTokens;
    }

    public synchronized void reset() {
        requests = promptTokens = reusedTokens = warms = warmTokens = 0;
    }

    /** Reused share of all prompt tokens, 0 when there were none. */
    public synchronized double reuseRatio() {
        return promptTokens == 0 ? 0 : (double) reusedTokens / promptTokens;
    }

    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", requests);
        out.put("prompt_tokens", promptTokens);
        out.put("reused_tokens", reusedTokens);
        out.put(
                "reuse_ratio",
                promptTokens == 0
                        ? null
                        : Double.valueOf(String.format(Locale.ROOT, "%.3f", (double) reusedTokens / promptTokens)));
        out.put("warms", warms);
        out.put("warm_prompt_tokens", warmTokens);
        return out;
    }
}
