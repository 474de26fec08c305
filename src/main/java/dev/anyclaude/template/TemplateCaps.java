package dev.anyclaude.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a chat template does with a conversation, found as llama.cpp finds it: by rendering probe conversations and
 * watching which of their values the template reads.
 *
 * @param systemRole the template reads a leading system message (else llama.cpp folds it into the next message)
 * @param tools the template reads the tool list
 * @param toolCalls the template reads an assistant message's tool calls
 * @param objectArguments the template reads tool-call arguments as an object (else they stay a JSON string)
 * @param thinking the template renders a reasoning block when {@code enable_thinking} is on: llama-server then
 *     turns thinking on by default
 */
public record TemplateCaps(
        boolean systemRole, boolean tools, boolean toolCalls, boolean objectArguments, boolean thinking) {

    static TemplateCaps probe(ChatTemplate template) {
        boolean systemRole = true;
        {
            String content = new String("System message");
            List<Object> messages = list(message("system", content), message("user", "User message"));
            Set<Object> read = new Probe(template, messages, null).read;
            if (!read.contains(content)) {
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
        List<Object> messages = list(
                message("user", "User message"),
                assistant,
                toolMessage,
                message("assistant", "The tool response was 'tool response'"),
                message("user", "User message"));
        Probe first = new Probe(template, messages, list(tool(toolName)));
        if (first.succeeded) {
            tools = first.read.contains(toolName);
            toolCalls = first.read.contains(calls);
            objectArguments = toolCalls && first.read.contains(argument);
        }
        if (!objectArguments) {
            List<Object> stringCalls = list(toolCall("{\"arg\":\"value\"}"));
            assistant.put("tool_calls", stringCalls);
            Probe again = new Probe(template, messages, list(tool(toolName)));
            if (!again.succeeded) {
                toolCalls = false;
                tools = false;
            } else {
                tools = tools && again.read.contains(toolName);
                toolCalls = toolCalls && again.read.contains(stringCalls);
            }
        }
        return new TemplateCaps(systemRole, tools, toolCalls, objectArguments, thinks(template));
    }

    /**
     * Whether a user turn's generation prompt changes with {@code enable_thinking} and names a reasoning block;
     * an approximation of what llama.cpp's parser generator decides from the template's reasoning markers.
     */
    private static boolean thinks(ChatTemplate template) {
        String on = thinkingProbe(template, true);
        String off = thinkingProbe(template, false);
        return on != null
                && off != null
                && !on.equals(off)
                && (on + off).toLowerCase(java.util.Locale.ROOT).contains("think");
    }

    private static @Nullable String thinkingProbe(ChatTemplate template, boolean enabled) {
        Map<String, Object> variables = new LinkedHashMap<>();
        variables.put("messages", list(message("user", "test")));
        variables.put("bos_token", "");
        variables.put("eos_token", "");
        variables.put("enable_thinking", enabled);
        variables.put("add_generation_prompt", true);
        try {
            return template.render(variables);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** One rendering of a probe conversation: the values the template read, and whether it got to the end. */
    private static final class Probe {
        final Set<Object> read = Collections.newSetFromMap(new IdentityHashMap<>());
        final boolean succeeded;

        Probe(ChatTemplate template, List<Object> messages, @Nullable List<Object> tools) {
            Map<String, Object> variables = new LinkedHashMap<>();
            variables.put("messages", messages);
            variables.put("tools", tools == null ? new ArrayList<>() : tools);
            variables.put("bos_token", "");
            variables.put("eos_token", "");
            variables.put("add_generation_prompt", true);
            boolean ok;
            try {
                template.render(variables, read);
                ok = true;
            } catch (RuntimeException e) {
                ok = false;
            }
            succeeded = ok;
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

    private static Map<String, Object> toolCall(@Nullable Object arguments) {
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
