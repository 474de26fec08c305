package dev.anyclaude.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a chat template does with a conversation, found as llama.cpp finds it: by rendering probe conversations and
 * watching which of their values the template reads.
 *
 * @param systemRole the template reads a leading system message (else llama.cpp folds it into the next message)
 * @param tools the template reads the tool list
 * @param toolCalls the template reads an assistant message's tool calls
 * @param objectArguments the template reads tool-call arguments as an object (else they stay a JSON string)
 */
public record TemplateCaps(boolean systemRole, boolean tools, boolean toolCalls, boolean objectArguments) {

    static TemplateCaps probe(ChatTemplate template) {
        boolean systemRole = true;
        {
            String content = new String("System message");
            List<Object> messages = list(message("system", content), message("user", "User message"));
            Set<Object> read = probeRender(template, messages, null);
            if (read != null && !read.contains(content)) {
                systemRole = false;
            }
        }
        boolean tools = true;
        boolean toolCalls = true;
        boolean objectArguments = false;
        String toolName = new String("tool1");
        String argument = new String("value");
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("arg", argument);
        List<Object> calls = list(toolCall(arguments));
        Map<String, Object> assistant = message("assistant", "");
        assistant.put("tool_calls", calls);
        Map<String, Object> toolMessage = message("tool", "Tool response");
        toolMessage.put("tool_call_id", "call00001");
        List<Object> messages = list(message("user", "User message"), assistant, toolMessage,
                message("assistant", "The tool response was 'tool response'"), message("user", "User message"));
        Set<Object> read = probeRender(template, messages, list(tool(toolName)));
        if (read != null) {
            tools = read.contains(toolName);
            toolCalls = read.contains(calls);
            objectArguments = toolCalls && read.contains(argument);
        }
        if (!objectArguments) {
            List<Object> stringCalls = list(toolCall("{\"arg\":\"value\"}"));
            assistant.put("tool_calls", stringCalls);
            Set<Object> again = probeRender(template, messages, list(tool(toolName)));
            if (again == null) {
                toolCalls = false;
                tools = false;
            } else {
                tools = tools && again.contains(toolName);
                toolCalls = toolCalls && again.contains(stringCalls);
            }
        }
        return new TemplateCaps(systemRole, tools, toolCalls, objectArguments);
    }

    /** The values the template read, or null when the probe made it fail. */
    private static Set<Object> probeRender(ChatTemplate template, List<Object> messages, List<Object> tools) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("messages", messages);
        variables.put("tools", tools == null ? new ArrayList<>() : tools);
        variables.put("bos_token", "");
        variables.put("eos_token", "");
        variables.put("add_generation_prompt", true);
        Set<Object> read = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            template.render(variables, read);
            return read;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static List<Object> list(Object... items) {
        return new ArrayList<>(List.of(items));
    }

    private static Map<String, Object> message(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    private static Map<String, Object> toolCall(Object arguments) {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", "tool1");
        function.put("arguments", arguments);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", "call00001");
        call.put("type", "function");
        call.put("function", function);
        return call;
    }

    private static Map<String, Object> tool(String name) {
        Map<String, Object> arg = new LinkedHashMap<>();
        arg.put("type", "string");
        arg.put("description", "Arg description");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("arg", arg);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("type", "object");
        parameters.put("properties", properties);
        parameters.put("required", list("arg"));
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        function.put("description", "Tool description");
        function.put("parameters", parameters);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("name", "tool");
        tool.put("type", "function");
        tool.put("function", function);
        return tool;
    }
}
