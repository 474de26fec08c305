package dev.anyclaude.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How one {@link ToolCallSyntax} writes tool calls into text: the markers that may begin a call block, and how a
 * block that begins with one of them is read. {@link MarkedOutputParser} does the rest (text, thinking, holding).
 */
interface CallFormat {
    /** Markers that begin a call block. */
    List<String> openers();

    /** Pairs of markers that enclose thinking: open, close. */
    default List<String> thinkTags() {
        return List.of("<think>", "</think>");
    }

    /**
     * Reads the block at the start of {@code s}, which begins with one of {@link #openers()}.
     *
     * @param ended no more text will come: never answer {@link Read.More}
     */
    /**
     * {@link #read(String, boolean)} knowing why the text ended: {@code truncated} when generation was cut off, so a
     * call the model had not closed is not a call even when its body is complete.
     */
    default Read read(String s, boolean ended, boolean truncated) {
        return read(s, ended);
    }

    Read read(String s, boolean ended);

    /** What a block turned out to be. */
    sealed interface Read {
        /** Not decided yet: wait for more text. */
        record More() implements Read {}

        /** Not a call (or a call that does not parse): its opener is text, and reading goes on after it. */
        record NotACall() implements Read {}

        /** Complete calls taking up the first {@code length} characters. */
        record Calls(int length, List<ToolCall> calls) implements Read {}
    }

    Read MORE = new Read.More();
    Read NOT_A_CALL = new Read.NotACall();

    /** Runs a reader of one block over a cursor: a {@link Cursor.Stop} becomes {@link Read.More} or not-a-call. */
    static Read attempt(Cursor c, Supplier<List<ToolCall>> reader) {
        try {
            List<ToolCall> calls = reader.get();
            return calls.isEmpty() ? NOT_A_CALL : new Read.Calls(c.pos, calls);
        } catch (Cursor.Stop stop) {
            return stop == Cursor.MORE ? MORE : NOT_A_CALL;
        }
    }

    /**
     * Reads calls one after another inside a section (DeepSeek, Kimi, MiniMax, DSML). When the text ends inside the
     * section, the calls that closed are kept and the rest is left to be text.
     */
    static Read section(Cursor c, Runnable open, Supplier<Boolean> close, Supplier<ToolCall> call) {
        List<ToolCall> calls = new java.util.ArrayList<>();
        int lastComplete = 0;
        try {
            open.run();
            while (true) {
                c.skipWhitespace();
                if (close.get()) {
                    return calls.isEmpty() ? NOT_A_CALL : new Read.Calls(c.pos, calls);
                }
                calls.add(call.get());
                lastComplete = c.pos;
            }
        } catch (Cursor.Stop stop) {
            if (stop == Cursor.MORE) {
                return MORE;
            }
            return c.ended && !calls.isEmpty() ? new Read.Calls(lastComplete, calls) : NOT_A_CALL;
        }
    }

    /**
     * A call written as a JSON object naming the tool and holding its arguments under one of {@code argumentKeys}
     * (an object, or a string holding one); missing arguments are {@code {}}.
     */
    static @Nullable ToolCall fromJsonObject(@Nullable JsonNode node, String... argumentKeys) {
        if (node == null || !node.isObject() || !node.path("name").isTextual()) {
            return null;
        }
        JsonNode arguments = null;
        for (String key : argumentKeys) {
            if (node.has(key)) {
                arguments = node.get(key);
                break;
            }
        }
        return fromArguments(node.get("name").asText(), arguments);
    }

    /** A call of the named tool with the given arguments (an object, a string holding one, or none). */
    static @Nullable ToolCall fromArguments(String name, @Nullable JsonNode arguments) {
        if (arguments == null || arguments.isNull()) {
            return new ToolCall(name, List.of("{}"));
        }
        if (arguments.isTextual()) {
            arguments = JsonText.parse(arguments.asText());
        }
        if (arguments == null || !arguments.isObject() || name.isBlank()) {
            return null;
        }
        return new ToolCall(name, List.of(JsonText.write(arguments)));
    }
}
