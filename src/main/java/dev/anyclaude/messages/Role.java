package dev.anyclaude.messages;

/** Role of a request message. Unknown roles ({@code ctx}, {@code msg}, ...) are read as USER. */
public enum Role {
    USER,
    ASSISTANT,
    SYSTEM;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
