package dev.anyclaude.toolcall;

import java.io.IOException;

/**
 * Reads a model's generated text as it streams, in one {@link ToolCallSyntax}, and reports it to an
 * {@link OutputListener}. One parser reads one response on one thread.
 */
public interface OutputParser {
    /** The next piece of generated text. */
    void feed(String piece) throws IOException;

    /**
     * The end of the text: what is still held is reported.
     *
     * @param truncated generation was cut off (max tokens): a tool call still open is not reported as a call
     */
    void finish(boolean truncated) throws IOException;
}
