package dev.anyclaude.toolcall;

import java.util.List;

/** The {@link OutputParser} of each {@link ToolCallSyntax}. */
public final class OutputParsers {
    private OutputParsers() {}

    /**
     * A parser of one response written in {@code syntax}. Text is reported as it arrives, except a tail that may be
     * the start of a marker, held until the next piece decides. A tool call is held until it is complete and then
     * reported at once (start, its arguments as one fragment for JSON formats or one per parameter for formats that
     * write parameters as tags, end): a call still open when the text ends, truncated or not, is reported as text,
     * as is a call that does not parse.
     */
    public static OutputParser create(ToolCallSyntax syntax, ParserOptions options, OutputListener listener) {
        if (syntax == ToolCallSyntax.HARMONY) {
            return new HarmonyOutputParser(listener);
        }
        var schemas = options.toolSchemas();
        CallFormat format = switch (syntax) {
            case NONE -> new NoCalls();
            case HERMES -> new HermesFormat();
            case QWEN3_CODER -> new Qwen3CoderFormat(schemas);
            case LLAMA3_JSON -> new Llama3JsonFormat(schemas);
            case MISTRAL -> new MistralFormat();
            case GLM -> new GlmFormat(schemas);
            case DEEPSEEK_V3 -> new DeepSeekV3Format();
            case DEEPSEEK_DSML -> new DsmlFormat(schemas);
            case KIMI_K2 -> new KimiK2Format();
            case MINIMAX_M2 -> new MiniMaxM2Format(schemas);
            case HARMONY -> throw new AssertionError("harmony has its own parser");
        };
        return new MarkedOutputParser(format, options, listener);
    }

    /**
     * Whether the output of a model prompted with {@code renderedPrompt} begins inside thinking: the template's
     * generation prompt ended with an open {@code <think>}.
     */
    public static boolean startsInThinking(String renderedPrompt) {
        return renderedPrompt.strip().endsWith("<think>");
    }

    private record NoCalls() implements CallFormat {
        @Override
        public List<String> openers() {
            return List.of();
        }

        @Override
        public Read read(String s, boolean ended) {
            return NOT_A_CALL;
        }
    }
}
