package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of a call whose format writes each value as text (Qwen3-Coder, GLM, MiniMax, DSML), built as one
 * JSON fragment per parameter. A value is typed by the tool's schema, as llama.cpp does: a parameter the schema
 * allows to be a string stays a string; one declared number, integer, boolean, object, array or null is read as
 * JSON and stays a string when it does not parse. A parameter the schema does not describe (or a tool not in the
 * request) stays a string, since nothing says it is anything else.
 */
final class TypedArguments {
    private final @Nullable JsonNode properties;
    private final List<String> fragments = new ArrayList<>();

    TypedArguments(Map<String, JsonNode> toolSchemas, String toolName) {
        JsonNode schema = toolSchemas.get(toolName);
        this.properties = schema == null ? null : schema.get("properties");
    }

    /** Adds a parameter whose value is typed by the schema. */
    void add(String name, String rawValue) {
        addJson(name, typed(name, rawValue));
    }

    /** Adds a parameter whose value is already known to be a string. */
    void addString(String name, String value) {
        addJson(name, JsonText.quote(value));
    }

    /** Adds a parameter whose value the model marked as JSON; a value that does not parse stays a string. */
    void addJsonOrString(String name, String rawValue) {
        JsonNode node = JsonText.parse(rawValue.strip());
        addJson(name, node == null ? JsonText.quote(rawValue) : JsonText.write(node));
    }

    private void addJson(String name, String json) {
        fragments.add((fragments.isEmpty() ? "{" : ",") + JsonText.quote(name) + ":" + json);
    }

    ToolCall call(String toolName) {
        List<String> all = new ArrayList<>(fragments);
        if (all.isEmpty()) {
            all.add("{}");
        } else {
            all.add("}");
        }
        return new ToolCall(toolName, all);
    }

    private String typed(String name, String raw) {
        JsonNode property = properties == null ? null : properties.get(name);
        if (property == null || allowsString(property)) {
            return JsonText.quote(raw);
        }
        JsonNode node = JsonText.parse(raw.strip());
        return node == null ? JsonText.quote(raw) : JsonText.write(node);
    }

    private static boolean allowsString(JsonNode property) {
        JsonNode type = property.get("type");
        if (type == null) {
            for (String key : List.of("anyOf", "oneOf")) {
                JsonNode options = property.get(key);
                if (options != null && options.isArray()) {
                    for (JsonNode option : options) {
                        if (allowsString(option)) {
                            return true;
                        }
                    }
                    return false;
                }
            }
            return !property.has("enum") || anyTextual(property.get("enum"));
        }
        if (type.isTextual()) {
            return type.asText().equals("string");
        }
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (t.asText().equals("string")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean anyTextual(JsonNode values) {
        for (JsonNode v : values) {
            if (v.isTextual()) {
                return true;
            }
        }
        return false;
    }
}
