package dev.anyclaude.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The variables llama-server hands a chat template for an OpenAI chat request: messages re-shaped as
 * llama.cpp's common/chat.cpp re-shapes them, tools, template kwargs, the date, the special tokens.
 */
final class ChatInputs {
    private static final ObjectMapper JSON =
            new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ChatInputs() {}

    static Map<String, Object> variables(
            JsonNode request, TemplateCaps caps, TemplateSource source, TemplateTokens tokens, ZonedDateTime now) {
        List<Object> messages = messages(request.path("messages"), source.trimsContent());
        boolean gptOssChannels = source.gptOssChannels();
        if (!gptOssChannels) {
            for (Object m : messages) {
                Map<String, Object> message = map(m);
                if ("developer".equals(message.get("role"))) {
                    message.put("role", "system");
                }
            }
        }
        if (!caps.systemRole()) {
            foldSystemMessage(messages);
        }
        if (caps.objectArguments()) {
            parseArguments(messages);
        }
        if (source.mistralContentBlocks()) {
            mistralContentBlocks(messages);
        } else if (source.lfm2Thinking()) {
            for (Object m : messages) {
                if (map(m).get("reasoning_content") instanceof String reasoning) {
                    map(m).put("thinking", reasoning);
                }
            }
        } else if (source.gemma4ToolResponses()) {
            messages = Gemma4ToolTurns.merge(messages);
        }
        boolean enableThinking = caps.thinking();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        kwargs.put("preserve_reasoning", true);
        request.path("chat_template_kwargs")
                .properties()
                .forEach(e -> kwargs.put(e.getKey(), Values.fromJson(e.getValue())));
        if (kwargs.get("enable_thinking") instanceof Boolean b) {
            enableThinking = b;
        }
        if (request.has("reasoning_effort")) {
            String effort = request.path("reasoning_effort").asText("");
            if (effort.equals("none")) {
                enableThinking = false;
                kwargs.remove("reasoning_effort");
            } else if (!effort.isEmpty()) {
                kwargs.put("reasoning_effort", effort);
            }
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("messages", messages);
        vars.put("bos_token", tokens.bos());
        vars.put("eos_token", tokens.eos());
        vars.put("enable_thinking", enableThinking);
        List<Object> tools = tools(request.path("tools"));
        if (!tools.isEmpty()) {
            vars.put("tools", tools);
        }
        vars.put("datetime", Globals.strftime("%b %d %Y", now));
        vars.put("date_string", Globals.strftime("%d %b %Y", now));
        vars.putAll(kwargs);
        if (!request.has("add_generation_prompt")
                || request.path("add_generation_prompt").asBoolean(true)) {
            vars.put("add_generation_prompt", true);
        }
        if (vars.get("preserve_reasoning") instanceof Boolean enabled) {
            vars.put("preserve_thinking", enabled);
            vars.put("clear_thinking", !enabled);
            vars.put("truncate_history_thinking", !enabled);
            vars.put("drop_thinking", !enabled);
        }
        if (vars.get("reasoning_effort") instanceof String effort && !effort.isEmpty()) {
            vars.put("reasoning_strength", effort);
        }
        return vars;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** Messages as llama.cpp rebuilds them: content always present, arguments a JSON string. */
    private static List<Object> messages(JsonNode input, boolean trim) {
        List<Object> out = new ArrayList<>();
        for (JsonNode m : input) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("role", m.path("role").asText());
            JsonNode content = m.path("content");
            if (content.isArray() && !content.isEmpty()) {
                List<Object> parts = new ArrayList<>();
                for (JsonNode part : content) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("type", part.path("type").asText());
                    p.put(
                            "text",
                            trim
                                    ? part.path("text").asText().strip()
                                    : part.path("text").asText());
                    parts.add(p);
                }
                message.put("content", parts);
            } else {
                String text = content.isTextual() ? content.asText() : "";
                message.put("content", trim ? text.strip() : text);
            }
            String reasoning = m.path("reasoning_content").asText("");
            putIfNotEmpty(message, "reasoning_content", trim ? reasoning.strip() : reasoning);
            putIfNotEmpty(message, "name", m.path("name").asText(""));
            putIfNotEmpty(message, "tool_call_id", m.path("tool_call_id").asText(""));
            if (m.path("tool_calls").isArray() && !m.path("tool_calls").isEmpty()) {
                List<Object> calls = new ArrayList<>();
                for (JsonNode call : m.path("tool_calls")) {
                    JsonNode args = call.path("function").path("arguments");
                    Map<String, Object> function = new LinkedHashMap<>();
                    function.put("name", call.path("function").path("name").asText());
                    function.put("arguments", args.isTextual() ? args.asText() : args.toString());
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("type", "function");
                    c.put("function", function);
                    if (!call.path("id").asText("").isEmpty()) {
                        c.put("id", call.path("id").asText());
                    }
                    calls.add(c);
                }
                message.put("tool_calls", calls);
            }
            out.add(message);
        }
        return out;
    }

    private static void putIfNotEmpty(Map<String, Object> message, String key, String value) {
        if (!value.isEmpty()) {
            message.put(key, value);
        }
    }

    private static List<Object> tools(JsonNode input) {
        List<Object> out = new ArrayList<>();
        for (JsonNode tool : input) {
            JsonNode f = tool.path("function");
            JsonNode params = f.path("parameters");
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", f.path("name").asText());
            function.put("description", f.path("description").asText(""));
            if (params.isMissingNode() || params.isNull() || (params.isObject() && params.isEmpty())) {
                Map<String, Object> empty = new LinkedHashMap<>();
                empty.put("type", "object");
                empty.put("properties", new LinkedHashMap<>());
                function.put("parameters", empty);
            } else {
                function.put("parameters", Values.fromJson(params));
            }
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("type", "function");
            t.put("function", function);
            out.add(t);
        }
        return out;
    }

    private static void foldSystemMessage(List<Object> messages) {
        if (messages.isEmpty() || !"system".equals(map(messages.getFirst()).get("role"))) {
            return;
        }
        Map<String, Object> first = map(messages.removeFirst());
        if (!messages.isEmpty()) {
            Map<String, Object> second = map(messages.getFirst());
            second.put("content", Values.str(first.get("content")) + "\n" + Values.str(second.get("content")));
        }
    }

    private static void mistralContentBlocks(List<Object> messages) {
        for (Object m : messages) {
            Map<String, Object> message = map(m);
            if (!"system".equals(message.get("role")) && !"assistant".equals(message.get("role"))) {
                continue;
            }
            List<Object> blocks = new ArrayList<>();
            if (message.remove("reasoning_content") instanceof String reasoning) {
                Map<String, Object> thinking = new LinkedHashMap<>();
                thinking.put("type", "thinking");
                thinking.put("thinking", reasoning);
                blocks.add(thinking);
            }
            switch (message.get("content")) {
                case String text -> {
                    Map<String, Object> block = new LinkedHashMap<>();
                    block.put("type", "text");
                    block.put("text", text);
                    blocks.add(block);
                }
                case List<?> parts -> blocks.addAll(parts);
                case null, default -> {}
            }
            message.put("content", blocks);
        }
    }

    private static void parseArguments(List<Object> messages) {
        for (Object m : messages) {
            if (map(m).get("tool_calls") instanceof List<?> calls) {
                for (Object call : calls) {
                    // messages() gave every call its function
                    Map<String, Object> function =
                            map(Objects.requireNonNull(map(call).get("function")));
                    if (function.get("arguments") instanceof String text) {
                        try {
                            function.put("arguments", Values.fromJson(JSON.readTree(text)));
                        } catch (IOException e) {
                            throw new TemplateException(
                                    "Failed to parse tool call arguments as JSON: " + e.getMessage());
                        }
                    }
                }
            }
        }
    }
}
