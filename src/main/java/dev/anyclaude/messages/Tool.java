package dev.anyclaude.messages;

import org.jspecify.annotations.Nullable;

/**
 * A tool definition. {@code type} is null for custom tools; server tools (web search, ...) carry
 * their type and have no schema. {@code inputSchemaJson} is compact JSON text in the client's order.
 *
 * @param deferLoading {@code defer_loading: true}: a tool the client loads on demand (Claude Code 2.1.332's
 *     ToolSearch adds each tool it found to the list with it, and its {@code DeferredToolPlaceholder})
 */
public record Tool(
        String name,
        @Nullable String description,
        @Nullable String inputSchemaJson,
        @Nullable String type,
        boolean deferLoading) {

    public Tool(String name, @Nullable String description, @Nullable String inputSchemaJson, @Nullable String type) {
        this(name, description, inputSchemaJson, type, false);
    }

    public boolean custom() {
        return type == null || "custom".equals(type);
    }
}
