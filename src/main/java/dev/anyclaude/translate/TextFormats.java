package dev.anyclaude.translate;

/**
 * Which conventions a model uses to write thinking and tool calls into plain text, for backends that
 * hand the gateway raw text: the embedded engine, and model servers running without a reasoning or
 * tool-call parser.
 *
 * @param thinkTags {@code <think>...</think>} marks a thinking segment
 * @param startInThinking the output begins inside a thinking segment, without an opening tag (templates
 *     such as Qwen3's and DeepSeek-R1's end the prompt with {@code <think>})
 * @param hermesToolCalls Qwen/Hermes {@code <tool_call>{"name":..,"arguments":{..}}</tool_call>}
 * @param jsonToolCalls Llama 3 style: the whole answer is {@code {"name":..,"parameters":{..}}} (several
 *     such objects may follow one another, separated by whitespace or {@code ;})
 */
public record TextFormats(boolean thinkTags, boolean startInThinking, boolean hermesToolCalls, boolean jsonToolCalls) {
    /** Text is text: nothing is interpreted. */
    public static final TextFormats NONE = new TextFormats(false, false, false, false);
    /** Only {@code <think>} tags are interpreted. */
    public static final TextFormats THINK_TAGS = new TextFormats(true, false, false, false);
    /** Every convention this package knows. */
    public static final TextFormats ALL = new TextFormats(true, false, true, true);

    /** Whether any text needs interpreting at all. */
    public boolean any() {
        return thinkTags || startInThinking || hermesToolCalls || jsonToolCalls;
    }

    public TextFormats withStartInThinking(boolean b) {
        return new TextFormats(thinkTags, b, hermesToolCalls, jsonToolCalls);
    }
}
