package dev.anyclaude.toolcall;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.jspecify.annotations.Nullable;

/** JSON as text inside model output: where a value ends, and reading or writing one. */
final class JsonText {
    static final int INCOMPLETE = -1;
    static final int INVALID = -2;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonText() {}

    /**
     * Where the object or array starting at {@code from} ends (the index after its closing bracket), by bracket depth
     * outside strings; {@link #INCOMPLETE} when it has not closed yet, {@link #INVALID} when no object or array starts
     * there or the brackets do not pair.
     */
    static int end(String s, int from) {
        if (from >= s.length()) {
            return INCOMPLETE;
        }
        char first = s.charAt(from);
        if (first != '{' && first != '[') {
            return INVALID;
        }
        StringBuilder open = new StringBuilder();
        boolean inString = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
                continue;
            }
            switch (c) {
                case '"' -> inString = true;
                case '{', '[' -> open.append(c);
                case '}', ']' -> {
                    char expected = c == '}' ? '{' : '[';
                    if (open.charAt(open.length() - 1) != expected) {
                        return INVALID;
                    }
                    open.setLength(open.length() - 1);
                    if (open.isEmpty()) {
                        return i + 1;
                    }
                }
                default -> {}
            }
        }
        return INCOMPLETE;
    }

    /** The parsed value, or null when the text is not one JSON value. */
    static @Nullable JsonNode parse(String text) {
        try {
            JsonNode node = MAPPER.readTree(text);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static String write(JsonNode node) {
        return node.toString();
    }

    static String quote(String text) {
        return JsonNodeFactory.instance.textNode(text).toString();
    }
}
