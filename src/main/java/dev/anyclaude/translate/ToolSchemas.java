package dev.anyclaude.translate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.messages.Tool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A request's custom tools as name → input schema, in request order: what a raw-text parser needs to type the
 * arguments a model writes as text and to tell a call from a JSON answer, and what a grammar is built from.
 */
public final class ToolSchemas {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** One map per tool list: the request parser shares the list between the requests of one tool set. */
    private static final Cache<List<Tool>, Map<String, JsonNode>> CACHE =
            Caffeine.newBuilder().weakKeys().maximumSize(64).build();

    private ToolSchemas() {}

    /** The custom tools of {@code tools}; a schema that does not parse counts as {@code {}} (any input). */
    public static Map<String, JsonNode> of(List<Tool> tools) {
        if (tools == null || tools.isEmpty()) {
            return Map.of();
        }
        return CACHE.get(tools, ToolSchemas::build);
    }

    private static Map<String, JsonNode> build(List<Tool> tools) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Tool t : tools) {
            if (t.custom()) {
                out.put(t.name(), parse(t.inputSchemaJson()));
            }
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    private static JsonNode parse(@Nullable String json) {
        if (json == null || json.isBlank()) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return JsonNodeFactory.instance.objectNode();
        }
    }
}
