package dev.anyclaude.messages;

import org.jspecify.annotations.Nullable;

/** {@code tool_choice}: type is auto, any, tool or none; name is set for type tool. */
public record ToolChoice(String type, @Nullable String name, boolean disableParallelToolUse) {}
