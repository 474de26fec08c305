package dev.anyclaude.bench;

/**
 * What one replayed request showed: the reuse the response reported, the reuse the gateway's
 * {@code /cache/stats} counted for it, and how long it took.
 *
 * @param agent the request's stream ({@code main} or {@code sub})
 * @param turn its turn in that stream, from 1
 * @param bodyBytes size of the request body
 * @param promptTokens prompt tokens, from the response's usage ({@code input_tokens +
 *     cache_read_input_tokens})
 * @param reusedTokens {@code usage.cache_read_input_tokens}: prompt tokens taken from the KV cache
 * @param statsPromptTokens prompt tokens the engine's slots counted for this request in {@code
 *     /cache/stats} (its change across the request); -1 when the backend reports no slot figures
 * @param statsReusedTokens reused tokens counted there the same way; -1 when not reported
 * @param slot the engine slot that served the request (the one whose request count grew); -1 when
 *     unknown
 * @param firstTokenMs time from sending the request to the first content block (the end of prefill)
 * @param totalMs time from sending the request to {@code message_stop}
 * @param stopReason the response's {@code stop_reason}
 */
public record AgentReplayTurn(
        String agent,
        int turn,
        int bodyBytes,
        long promptTokens,
        long reusedTokens,
        long statsPromptTokens,
        long statsReusedTokens,
        int slot,
        double firstTokenMs,
        double totalMs,
        String stopReason) {

    /** Reused share of the prompt, from the response's usage. */
    public double reuseRatio() {
        return promptTokens == 0 ? 0 : (double) reusedTokens / promptTokens;
    }

    /** Reused share of the prompt, from {@code /cache/stats}; NaN when not reported. */
    public double statsReuseRatio() {
        return statsPromptTokens <= 0 ? Double.NaN : (double) statsReusedTokens / statsPromptTokens;
    }
}
