package dev.anyclaude.messages;

import java.util.List;

/** One turn of the conversation. */
public record Message(Role role, List<ContentBlock> content) {}
