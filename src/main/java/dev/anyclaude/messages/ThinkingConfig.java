package dev.anyclaude.messages;

import org.jspecify.annotations.Nullable;

/**
 * {@code thinking}: type is enabled, adaptive or disabled; budget is 0 when not given; {@code display} is how the
 * client wants thinking shown ({@code summarized}, {@code omitted}, ...), null when not given.
 */
public record ThinkingConfig(
        String type, int budgetTokens, @Nullable String display) {
    public ThinkingConfig(String type, int budgetTokens) {
        this(type, budgetTokens, null);
    }

    public boolean on() {
        return !"disabled".equals(type);
    }

    /**
     * {@code display: "omitted"} (Claude Code 2.1.332 in {@code -p} runs): the model still thinks, but the answer
     * carries its thinking blocks empty, with their signatures only.
     */
    public boolean omitted() {
        return "omitted".equals(display);
    }
}
