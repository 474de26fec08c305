package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * What a parser needs to know of the request.
 *
 * @param startInThinking the prompt ended inside a thinking segment (the template's generation prompt opened
 *     {@code <think>}), so the output begins as thinking
 * @param toolSchemas the request's tools: name → JSON schema of the input (for typing the values of formats that
 *     write arguments as text, and for deciding whether bare JSON names a tool)
 */
public record ParserOptions(boolean startInThinking, Map<String, JsonNode> toolSchemas) {
    public ParserOptions {
        toolSchemas = Map.copyOf(toolSchemas);
    }
}
