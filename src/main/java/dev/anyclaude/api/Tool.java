package dev.anyclaude.api;

/**
 * A tool definition. {@code type} is null for custom tools; server tools (web search, ...) carry
 * their type and have no schema. {@code inputSchemaJson} is compact JSON text in the client's order.
 */
public record Tool(String name, String description, String inputSchemaJson, String type) {
    public boolean custom() {
        return type == null || "custom".equals(type);
    }
}
