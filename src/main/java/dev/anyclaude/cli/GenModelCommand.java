package dev.anyclaude.cli;

import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.engine.ToolCallModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code anyclaude gen-model}: writes a tiny random-weight llama model for tests and demos. */
@Command(name = "gen-model", mixinStandardHelpOptions = true,
        description = {"Writes a tiny llama-architecture GGUF model with random Q8_0 weights and a byte vocabulary"
                + " (260 tokens: one per byte, plus <unk>, <s>, </s> and the space marker).",
                "The same options always give the same file. It loads in the embedded engine in well under a second"
                        + " and answers with random text: for tests, demos and benchmarks, no download needed."})
public final class GenModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "Where to write the model.")
    Path out;

    @Option(names = "--embd", defaultValue = "256", description = "Embedding width, a multiple of 32 (default: ${DEFAULT-VALUE}).")
    int embd;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", description = "Key/value heads for grouped-query attention (default: --heads).")
    Integer kvHeads;

    @Option(names = "--ff", defaultValue = "704", description = "Feed-forward width, a multiple of 32 (default: ${DEFAULT-VALUE}).")
    int ff;

    @Option(names = "--ctx", defaultValue = "16384", description = "Training context length (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--chat-template", paramLabel = "FILE|NAME",
            description = "Jinja chat template to write into the model: a file, or the name of a template of the pinned"
                    + " llama.cpp release (e.g. Qwen3-Coder, from scripts/llama-server.sh's cache); its special tokens"
                    + " (<|im_start|>, <tool_call>, [TOOL_CALLS], ...) join the vocabulary as control tokens. Default: none"
                    + " (servers then fall back to chatml, which drops tools).")
    String chatTemplate;

    @Option(names = "--tool-call", paramLabel = "COMMAND",
            description = "Write instead a hand-built model that calls the Bash tool with COMMAND (Qwen3-Coder's tool-call"
                    + " format; give a template of that family, default Qwen3-Coder) until the conversation holds a tool"
                    + " result, then answers --answer. Deterministic: for end-to-end tests of tool calling.")
    String toolCall;

    @Option(names = "--answer", paramLabel = "TEXT", defaultValue = "Done: the command ran.",
            description = "With --tool-call: what the model says after the tool result. Default: ${DEFAULT-VALUE}.")
    String answer;

    @Option(names = "--verdict", paramLabel = "JSON",
            description = "With --tool-call: what the model answers when anyclaude's auto-mode safety check asks it to"
                    + " judge a call, e.g. {\"outcome\": \"not_flagged\", \"explanation\": \"Harmless.\"}. Default: none"
                    + " (it cannot judge, so its calls are blocked).")
    String verdict;

    @Override
    public Integer call() throws Exception {
        if (toolCall != null) {
            return writeToolCaller();
        }
        if (verdict != null) {
            throw new ParameterException(spec.commandLine(), "--verdict: only with --tool-call");
        }
        TinyLlamaSpec model;
        try {
            model = new TinyLlamaSpec(embd, layers, heads, kvHeads == null ? heads : kvHeads, ff, ctx, seed);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        String template;
        try {
            template = chatTemplate == null ? null : ChatTemplates.read(chatTemplate);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--chat-template: " + e.getMessage());
        }
        GgufWriter.writeTinyLlama(model, template, out);
        spec.commandLine().getOut().printf("wrote %s (%d bytes): %d x %d layers, %d heads (%d kv), ff %d, context %d, seed %d%s%n",
                out, Files.size(out), embd, layers, heads, model.kvHeads(), ff, ctx, seed,
                chatTemplate == null ? "" : ", chat template " + chatTemplate);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private int writeToolCaller() throws Exception {
        if (toolCall.isBlank() || answer.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--tool-call and --answer: expected non-empty text");
        }
        String name = chatTemplate == null ? "Qwen3-Coder" : chatTemplate;
        String template;
        try {
            template = ChatTemplates.read(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--chat-template: " + e.getMessage());
        }
        if (verdict != null && verdict.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--verdict: expected non-empty text");
        }
        ToolCallModel.write(out, toolCall, answer, template, verdict);
        spec.commandLine().getOut().printf("wrote %s (%d bytes): a model that calls %s(%s=%s) until it sees a tool result,"
                + " then says %s%s; chat template %s%n", out, Files.size(out), ToolCallModel.TOOL, ToolCallModel.PARAMETER,
                toolCall, answer, verdict == null ? "" : "; asked to judge, it answers " + verdict, name);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
