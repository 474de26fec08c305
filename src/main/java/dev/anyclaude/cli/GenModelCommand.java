package dev.anyclaude.cli;

import dev.anyclaude.engine.Architecture;
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

/** {@code anyclaude gen-model}: writes a tiny random-weight model (llama, qwen3 or qwen3moe) for tests and demos. */
@Command(
        name = "gen-model",
        mixinStandardHelpOptions = true,
        description = {
            "Writes a tiny GGUF model (llama, qwen3 or qwen3moe architecture) with random Q8_0 weights and a"
                    + " byte vocabulary (260 tokens: one per byte, plus <unk>, <s>, </s> and the space marker).",
            "The same options always give the same file. It loads in the embedded engine in well under a second"
                    + " and answers with random text: for tests, demos and benchmarks, no download needed."
        })
public final class GenModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "Where to write the model.")
    Path out;

    @Option(
            names = "--arch",
            paramLabel = "llama|qwen3|qwen3moe",
            defaultValue = "llama",
            description = "Architecture: llama; qwen3 (adds per-head query/key norms); qwen3moe (qwen3 with a"
                    + " mixture of experts in place of the dense feed-forward). Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(
            names = "--experts",
            paramLabel = "N",
            description = "With --arch qwen3moe: experts per block, 1 to 1024 (default: 4).")
    Integer experts;

    @Option(
            names = "--experts-used",
            paramLabel = "K",
            description = "With --arch qwen3moe: experts each token is routed to, 1 to --experts (default: 2).")
    Integer expertsUsed;

    @Option(
            names = "--expert-ff",
            paramLabel = "N",
            description = "With --arch qwen3moe: each expert's feed-forward width, a multiple of 32 (default: --ff).")
    Integer expertFf;

    @Option(
            names = "--embd",
            defaultValue = "256",
            description = "Embedding width, a multiple of 32 (default: ${DEFAULT-VALUE}).")
    int embd;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", description = "Key/value heads for grouped-query attention (default: --heads).")
    Integer kvHeads;

    @Option(
            names = "--ff",
            defaultValue = "704",
            description = "Feed-forward width, a multiple of 32 (default: ${DEFAULT-VALUE}).")
    int ff;

    @Option(
            names = "--ctx",
            defaultValue = "16384",
            description = "Training context length (default: ${DEFAULT-VALUE}).")
    int ctx;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--chat-template",
            paramLabel = "FILE|NAME",
            description = "Jinja chat template to write into the model: a file, or the name of a template of the pinned"
                    + " llama.cpp release (e.g. Qwen3-Coder, from scripts/llama-server.sh's cache); its special tokens"
                    + " (<|im_start|>, <tool_call>, [TOOL_CALLS], ...) join the "
                    + "vocabulary as control tokens. Default: none"
                    + " (servers then fall back to chatml, which drops tools).")
    String chatTemplate;

    @Option(
            names = "--tool-call",
            paramLabel = "COMMAND",
            description =
                    "Write instead a hand-built model that calls the Bash tool with COMMAND (Qwen3-Coder's tool-call"
                            + " format; give a template of that family, default "
                            + "Qwen3-Coder) until the conversation holds a tool"
                            + " result, then answers --answer. Deterministic: for end-to-end tests of tool calling.")
    String toolCall;

    @Option(
            names = "--answer",
            paramLabel = "TEXT",
            defaultValue = "Done: the command ran.",
            description = "With --tool-call: what the model says after the tool result. Default: ${DEFAULT-VALUE}.")
    String answer;

    @Option(
            names = "--verdict",
            paramLabel = "JSON",
            description = "With --tool-call: what the model answers when anyclaude's auto-mode safety check asks it to"
                    + " judge a call, e.g. {\"outcome\": \"not_flagged\", "
                    + "\"explanation\": \"Harmless.\"}. Default: none"
                    + " (it cannot judge, so its calls are blocked).")
    String verdict;

    @Override
    public Integer call() throws Exception {
        Architecture architecture = architecture();
        if (toolCall != null) {
            if (!(architecture instanceof Architecture.Llama)) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--arch: " + arch + " (expected: llama with --tool-call, whose hand-built model is llama)");
            }
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
        GgufWriter.writeTiny(model, architecture, template, out);
        spec.commandLine()
                .getOut()
                .printf(
                        "wrote %s (%d bytes): %s, %d x %d layers, %d heads (%d kv), %s, context %d, seed %d%s%n",
                        out,
                        Files.size(out),
                        architecture.ggufName(),
                        embd,
                        layers,
                        heads,
                        model.kvHeads(),
                        architecture instanceof Architecture.Qwen3Moe moe
                                ? moe.experts() + " experts (" + moe.expertsUsed() + " used) of ff " + moe.expertFf()
                                : "ff " + ff,
                        ctx,
                        seed,
                        chatTemplate == null ? "" : ", chat template " + chatTemplate);
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * The architecture {@code --arch} names, with its expert options; each option is refused where it means nothing.
     */
    private Architecture architecture() {
        onlyWithExperts("--experts", experts);
        onlyWithExperts("--experts-used", expertsUsed);
        onlyWithExperts("--expert-ff", expertFf);
        try {
            return switch (arch) {
                case "llama" -> Architecture.LLAMA;
                case "qwen3" -> new Architecture.Qwen3();
                case "qwen3moe" ->
                    new Architecture.Qwen3Moe(
                            experts == null ? 4 : experts,
                            expertsUsed == null ? 2 : expertsUsed,
                            expertFf == null ? ff : expertFf);
                default ->
                    throw new ParameterException(
                            spec.commandLine(),
                            "--arch: " + arch + " (expected: one of " + String.join(", ", Architecture.NAMES) + ")");
            };
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
    }

    private void onlyWithExperts(String option, Integer value) {
        if (value != null && !arch.equals("qwen3moe")) {
            throw new ParameterException(spec.commandLine(), option + ": only with --arch qwen3moe");
        }
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
        spec.commandLine()
                .getOut()
                .printf(
                        "wrote %s (%d bytes): a model that calls %s(%s=%s) until it sees a tool result,"
                                + " then says %s%s; chat template %s%n",
                        out,
                        Files.size(out),
                        ToolCallModel.TOOL,
                        ToolCallModel.PARAMETER,
                        toolCall,
                        answer,
                        verdict == null ? "" : "; asked to judge, it answers " + verdict,
                        name);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
