package dev.anyclaude.messages;

/**
 * Token usage in Anthropic's meaning: {@code inputTokens} are the prompt tokens the backend had to
 * process, {@code cacheReadInputTokens} the prompt tokens it reused from its prefix cache.
 */
public record Usage(long inputTokens, long outputTokens, long cacheReadInputTokens, long cacheCreationInputTokens) {
    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public long promptTokens() {
        return inputTokens + cacheReadInputTokens + cacheCreationInputTokens;
    }
}
