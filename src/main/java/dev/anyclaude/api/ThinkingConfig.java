package dev.anyclaude.api;

/** {@code thinking}: type is enabled, adaptive or disabled; budget is 0 when not given. */
public record ThinkingConfig(String type, int budgetTokens) {
    public boolean on() {
        return !"disabled".equals(type);
    }
}
