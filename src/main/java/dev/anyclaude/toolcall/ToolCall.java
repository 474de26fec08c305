package dev.anyclaude.toolcall;

import java.util.List;

/** One complete tool call read from the output: the tool's name and its arguments as fragments of one JSON object. */
record ToolCall(String name, List<String> argumentFragments) {
    ToolCall {
        argumentFragments = List.copyOf(argumentFragments);
    }

    String arguments() {
        return String.join("", argumentFragments);
    }
}
