package dev.anyclaude.testing;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.ArrayList;
import java.util.List;

/** OpenAI chat-completion stream chunks, as model servers send them, for scripted replies. */
public final class Chunks {
    private Chunks() {}

    static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"stub-model\","
                + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    public static String usage(int prompt, int completion, int cached) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"stub-model\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + ",\"prompt_tokens_details\":{\"cached_tokens\":"
                + cached + "}}}";
    }

    /** A whole answer of plain text, split in a few pieces, with usage. */
    public static List<String> text(String text) {
        List<String> out = new ArrayList<>();
        out.add(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        int step = Math.max(1, text.length() / 3);
        for (int i = 0; i < text.length(); i += step) {
            out.add(chunk("{\"content\":" + quote(text.substring(i, Math.min(text.length(), i + step))) + "}", null));
        }
        out.add(chunk("{}", "stop"));
        out.add(usage(120, 7, 100));
        return out;
    }

    /** An answer that calls one tool with the given JSON arguments, streamed in two pieces. */
    public static List<String> toolCall(String name, String argumentsJson) {
        List<String> out = new ArrayList<>();
        out.add(chunk("{\"role\":\"assistant\",\"content\":null}", null));
        int half = argumentsJson.length() / 2;
        out.add(chunk(
                "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
                        + quote(name) + ",\"arguments\":" + quote(argumentsJson.substring(0, half)) + "}}]}",
                null));
        out.add(chunk(
                "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":" + quote(argumentsJson.substring(half))
                        + "}}]}",
                null));
        out.add(chunk("{}", "tool_calls"));
        out.add(usage(300, 20, 0));
        return out;
    }

    /** Reasoning first (reasoning_content), then the answer. */
    public static List<String> thinkingThen(String thinking, String text) {
        List<String> out = new ArrayList<>();
        out.add(chunk("{\"role\":\"assistant\",\"content\":null}", null));
        out.add(chunk("{\"reasoning_content\":" + quote(thinking) + "}", null));
        out.add(chunk("{\"content\":" + quote(text) + "}", null));
        out.add(chunk("{}", "stop"));
        out.add(usage(50, 30, 0));
        return out;
    }

    /** A non-streaming chat completion with text. */
    public static String completion(String text, int prompt, int completion, int cached) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"stub-model\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + quote(text)
                + "},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + ",\"total_tokens\":" + (prompt + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cached + "}}}";
    }

    public static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
