package dev.anyclaude.messages;

/** Why generation stopped, as Anthropic names it. */
public enum StopReason {
    END_TURN,
    MAX_TOKENS,
    STOP_SEQUENCE,
    TOOL_USE,
    PAUSE_TURN,
    REFUSAL;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
