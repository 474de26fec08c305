package dev.anyclaude.translate;

import dev.anyclaude.toolcall.ToolCallSyntax;

/**
 * Whether and how a model's raw text is read for thinking and tool calls, for backends that hand the gateway raw
 * text: the embedded engine, and model servers running without a reasoning or tool-call parser.
 *
 * @param interpret whether the text is read at all (else text is text)
 * @param syntax the tool-call format the model writes ({@link ToolCallSyntax#NONE}: {@code <think>} tags only)
 * @param startInThinking the output begins inside a thinking segment, without an opening tag (the prompt ended
 *     with {@code <think>}, as Qwen3's and DeepSeek-R1's templates leave it)
 */
public record TextFormats(boolean interpret, ToolCallSyntax syntax, boolean startInThinking) {
    /** Text is text: nothing is interpreted. */
    public static final TextFormats NONE = new TextFormats(false, ToolCallSyntax.NONE, false);
    /** Only {@code <think>} tags are interpreted. */
    public static final TextFormats THINK_TAGS = new TextFormats(true, ToolCallSyntax.NONE, false);

    /** Thinking tags and the tool calls of {@code syntax}. */
    public static TextFormats of(ToolCallSyntax syntax) {
        return new TextFormats(true, syntax, false);
    }

    /** Whether any text needs interpreting at all. */
    public boolean any() {
        return interpret;
    }

    public TextFormats withStartInThinking(boolean b) {
        return new TextFormats(interpret || b, syntax, b);
    }
}
