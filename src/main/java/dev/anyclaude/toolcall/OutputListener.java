package dev.anyclaude.toolcall;

import java.io.IOException;

/**
 * What a model's output holds, reported in order as an {@link OutputParser} reads it: answer text, thinking, and tool
 * calls. A call is reported as its start (the tool's name), its arguments as fragments whose concatenation is one
 * JSON object, and its end.
 */
public interface OutputListener {
    void text(String text) throws IOException;

    void thinking(String text) throws IOException;

    void toolCallStart(String name) throws IOException;

    void toolCallArguments(String jsonFragment) throws IOException;

    void toolCallEnd() throws IOException;
}
