package dev.anyclaude.toolcall;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds outputs to a parser and records what it reports. Events are kept as strings ({@code text:..},
 * {@code thinking:..}, {@code start:NAME}, {@code args:..}, {@code end}) with adjacent text and adjacent thinking
 * merged, since how text is cut into events depends on how it was fed.
 */
final class ParserHarness {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** The tools of llama.cpp's tests/test-chat.cpp that the cases use, by name. */
    static final Map<String, JsonNode> TOOLS = tools(Map.of(
            "special_function",
                    "{\"type\":\"object\",\"properties\":{\"arg1\":{\"type\":\"integer\"}},\"required\":[\"arg1\"]}",
            "special_function_with_opt",
                    "{\"type\":\"object\",\"properties\":{\"arg1\":{\"type\":"
                            + "\"integer\"},\"arg2\":{\"type\":\"integer\"}},\"required\":[\"arg1\"]}",
            "python", "{\"type\":\"object\",\"properties\":{\"code\":{\"type\":\"string\"}},\"required\":[\"code\"]}",
            "html", "{\"type\":\"object\",\"properties\":{\"markup\":{\"type\":\"string\"}},\"required\":[\"markup\"]}",
            "get_time", "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
            "get_weather",
                    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}",
            "todo_list",
                    "{\"type\":\"object\",\"properties\":{\"todos\":{\"type\":\"array\"}},\"required\":[\"todos\"]}",
            "amount", "{\"type\":\"object\",\"properties\":{\"orig\":{\"type\":\"number\"}},\"required\":[\"orig\"]}",
            "empty_args", "{\"type\":\"object\",\"properties\":{}}"));

    static final ParserOptions PLAIN = new ParserOptions(false, TOOLS);
    static final ParserOptions THINKING = new ParserOptions(true, TOOLS);

    private ParserHarness() {}

    private static Map<String, JsonNode> tools(Map<String, String> schemas) {
        Map<String, JsonNode> tools = new LinkedHashMap<>();
        schemas.forEach((name, schema) -> tools.put(name, parse(schema)));
        return tools;
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A reported item, calls with their arguments joined and parsed (so key order and spacing do not matter). */
    record Item(String kind, String value, JsonNode arguments) {}

    static Item text(String text) {
        return new Item("text", text, null);
    }

    static Item thinking(String text) {
        return new Item("thinking", text, null);
    }

    static Item call(String name, String arguments) {
        return new Item("call", name, parse(arguments));
    }

    /** The events reported for the output fed in these pieces. */
    static List<String> events(ToolCallSyntax syntax, ParserOptions options, List<String> pieces, boolean truncated) {
        Recorder recorder = new Recorder();
        OutputParser parser = OutputParsers.create(syntax, options, recorder);
        try {
            for (String piece : pieces) {
                parser.feed(piece);
            }
            parser.finish(truncated);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return recorder.events;
    }

    static List<String> whole(ToolCallSyntax syntax, ParserOptions options, String output, boolean truncated) {
        return events(syntax, options, List.of(output), truncated);
    }

    static List<String> charByChar(ToolCallSyntax syntax, ParserOptions options, String output, boolean truncated) {
        List<String> pieces = new ArrayList<>();
        output.codePoints().forEach(cp -> pieces.add(Character.toString(cp)));
        return events(syntax, options, pieces, truncated);
    }

    /** Asserts the items of the output fed whole and fed one character at a time, which must report the same. */
    static void assertParses(
            ToolCallSyntax syntax, ParserOptions options, String output, boolean truncated, Item... expected) {
        List<String> whole = whole(syntax, options, output, truncated);
        assertThat(charByChar(syntax, options, output, truncated))
                .as("fed char by char")
                .isEqualTo(whole);
        assertThat(items(whole)).as("items of %s", whole).containsExactly(expected);
    }

    static void assertParses(ToolCallSyntax syntax, ParserOptions options, String output, Item... expected) {
        assertParses(syntax, options, output, false, expected);
    }

    /** The items of recorded events; asserts each call's fragments join into one JSON object. */
    static List<Item> items(List<String> events) {
        List<Item> items = new ArrayList<>();
        String name = null;
        StringBuilder arguments = new StringBuilder();
        for (String event : events) {
            if (event.startsWith("text:")) {
                items.add(text(event.substring(5)));
            } else if (event.startsWith("thinking:")) {
                items.add(thinking(event.substring(9)));
            } else if (event.startsWith("start:")) {
                name = event.substring(6);
                arguments.setLength(0);
            } else if (event.startsWith("args:")) {
                arguments.append(event.substring(5));
            } else {
                JsonNode node = parse(arguments.toString());
                assertThat(node.isObject()).as("arguments %s", arguments).isTrue();
                items.add(new Item("call", name, node));
            }
        }
        return items;
    }

    static final class Recorder implements OutputListener {
        final List<String> events = new ArrayList<>();

        private void merge(String kind, String text) {
            assertThat(text).as("empty %s", kind).isNotEmpty();
            int last = events.size() - 1;
            if (last >= 0 && events.get(last).startsWith(kind)) {
                events.set(last, events.get(last) + text);
            } else {
                events.add(kind + text);
            }
        }

        @Override
        public void text(String text) {
            merge("text:", text);
        }

        @Override
        public void thinking(String text) {
            merge("thinking:", text);
        }

        @Override
        public void toolCallStart(String name) {
            events.add("start:" + name);
        }

        @Override
        public void toolCallArguments(String jsonFragment) {
            events.add("args:" + jsonFragment);
        }

        @Override
        public void toolCallEnd() {
            events.add("end");
        }
    }
}
