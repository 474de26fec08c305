package dev.anyclaude.template;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * llama.cpp's rewrite of tool turns for older Gemma 4 templates: an assistant message with tool calls, the tool
 * messages after it and a final assistant answer become one assistant message with {@code tool_responses}.
 */
final class Gemma4ToolTurns {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private Gemma4ToolTurns() {}

    @SuppressWarnings("unchecked")
    static List<Object> merge(List<Object> messages) {
        List<Object> out = new ArrayList<>();
        int i = 0;
        while (i < messages.size()) {
            Map<String, Object> msg = (Map<String, Object>) messages.get(i);
            if (!"assistant".equals(msg.get("role"))
                    || !(msg.get("tool_calls") instanceof List<?> calls)
                    || calls.isEmpty()) {
                out.add(msg);
                i++;
                continue;
            }
            Object reasoning = msg.get("reasoning_content") instanceof String s ? s : null;
            List<Object> toolCalls = new ArrayList<>(calls);
            List<Object> responses = new ArrayList<>();
            i++;
            while (i < messages.size() && "tool".equals(((Map<String, Object>) messages.get(i)).get("role"))) {
                responses.add(response((Map<String, Object>) messages.get(i), toolCalls, responses.size()));
                i++;
            }
            Object content = null;
            if (i < messages.size()) {
                Map<String, Object> next = (Map<String, Object>) messages.get(i);
                boolean nextCalls = next.get("tool_calls") instanceof List<?> l && !l.isEmpty();
                if ("assistant".equals(next.get("role")) && !nextCalls && hasContent(next.get("content"))) {
                    content = next.get("content");
                    i++;
                }
            }
            Map<String, Object> merged = new LinkedHashMap<>();
            merged.put("role", "assistant");
            merged.put("tool_calls", toolCalls);
            if (!responses.isEmpty()) {
                merged.put("tool_responses", responses);
            }
            if (content != null) {
                merged.put("content", content);
            }
            if (reasoning != null) {
                merged.put("reasoning_content", reasoning);
            }
            out.add(merged);
        }
        return out;
    }

    private static boolean hasContent(@Nullable Object content) {
        return (content instanceof String s && !s.isEmpty()) || (content instanceof List<?> l && !l.isEmpty());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> response(Map<String, Object> tool, List<Object> calls, int index) {
        Object response = null;
        if (tool.containsKey("content")) {
            Object content = tool.get("content");
            response = content;
            if (content instanceof String s) {
                try {
                    response = Values.fromJson(JSON.readTree(s));
                } catch (IOException | RuntimeException e) {
                    response = s;
                }
            }
        }
        String name = "";
        if (index < calls.size()
                && ((Map<String, Object>) calls.get(index)).get("function") instanceof Map<?, ?> f
                && f.get("name") instanceof String n) {
            name = n;
        }
        if (name.isEmpty() && tool.get("tool_call_id") instanceof String id) {
            name = id;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("response", response);
        return out;
    }
}
