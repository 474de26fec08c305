package dev.anyclaude.backend.launch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The exact process to start for a {@link LaunchSpec}: argument vector, extra environment, and what the
 * gateway should expect from it (served model name, context size).
 *
 * <p>Each kind gets the flags that make its prefix cache hit for Claude Code: llama-server keeps several
 * slots over one unified KV pool (so the main agent and its sub-agents do not evict each other), saves slots
 * to disk, renders tools with the model's own Jinja template and exposes metrics; mlx_lm.server keeps more
 * prompts in its LRU cache; vLLM turns on prefix caching and a tool-call parser; Ollama gets a context that
 * holds Claude Code's prompt and never unloads the model between turns. The user's extra arguments come last
 * so that they can override any of ours.
 *
 * @param argv the command line, executable first
 * @param env variables added to the server's environment
 * @param servedModel the model name the server answers to, or null when the gateway should ask the server
 * @param contextTokens the context size configured, or 0 when the server decides (the gateway probes it)
 */
public record ServerCommand(List<String> argv, Map<String, String> env, String servedModel, long contextTokens) {

    /** Context configured when the user gives none: Claude Code's prompt alone is ~20k tokens. */
    static final long DEFAULT_CONTEXT = 65_536;

    private static final Set<String> LLAMA_MODEL_FLAGS =
            Set.of("-m", "--model", "-hf", "-hfr", "--hf-repo", "-mu", "--model-url", "-dr", "--docker-repo");
    private static final Pattern GGUF_SHARD = Pattern.compile("-\\d{5}-of-\\d{5}$");

    public ServerCommand {
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env)); // ordered: display() is pasted by users
    }

    /**
     * Builds the command for a spec.
     *
     * @param port the port the server must listen on (already chosen)
     * @param slotDir llama-server's slot directory
     * @param memoryBytes physical memory, to size mlx_lm.server's prompt cache
     */
    public static ServerCommand of(LaunchSpec spec, int port, Path slotDir, long memoryBytes) {
        String exe = spec.executable() != null
                ? spec.executable()
                : spec.kind().launch().executable();
        List<String> argv = new ArrayList<>();
        argv.add(exe);
        Map<String, String> env = new LinkedHashMap<>();
        String served;
        long ctx;
        switch (spec.kind()) {
            case LLAMACPP -> {
                ctx = spec.contextTokens() > 0 ? spec.contextTokens() : DEFAULT_CONTEXT;
                argv.addAll(List.of("--host", "127.0.0.1", "--port", Integer.toString(port)));
                served = null;
                if (spec.model() != null) {
                    served = servedName(spec.model());
                    argv.addAll(List.of("-m", spec.model(), "--alias", served));
                } else if (spec.extraArgs().stream().noneMatch(LLAMA_MODEL_FLAGS::contains)) {
                    throw new IllegalArgumentException(
                            "--model: missing (expected: the GGUF file llama-server should load)");
                }
                argv.addAll(List.of(
                        "-c",
                        Long.toString(ctx),
                        "--parallel",
                        Integer.toString(Math.max(1, spec.parallel())),
                        "--kv-unified",
                        "--slot-save-path",
                        slotDir.toString(),
                        "--jinja",
                        "--metrics"));
            }
            case MLX -> {
                requireModel(spec, "the MLX model directory or Hugging Face id mlx_lm.server should load");
                ctx = spec.contextTokens();
                served = spec.model();
                argv.addAll(List.of(
                        "--model",
                        spec.model(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--prompt-cache-size",
                        Integer.toString(Math.max(10, 4 * Math.max(1, spec.parallel()))),
                        "--prompt-cache-bytes",
                        Long.toString(mlxCacheBytes(memoryBytes)),
                        "--max-tokens",
                        Long.toString(maxOutputTokens(ctx))));
            }
            case VLLM -> {
                requireModel(spec, "the model directory or Hugging Face id vLLM should serve");
                ctx = spec.contextTokens();
                served = servedName(spec.model());
                argv.addAll(List.of(
                        "serve",
                        spec.model(),
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--served-model-name",
                        served));
                if (ctx > 0) {
                    argv.addAll(List.of("--max-model-len", Long.toString(ctx)));
                }
                argv.addAll(List.of(
                        "--enable-prefix-caching",
                        "--enable-auto-tool-choice",
                        "--tool-call-parser",
                        spec.toolParser() != null ? spec.toolParser() : toolParserFor(spec.model())));
            }
            case OLLAMA -> {
                ctx = spec.contextTokens() > 0 ? spec.contextTokens() : DEFAULT_CONTEXT;
                served = spec.model();
                argv.add("serve");
                env.put("OLLAMA_HOST", "127.0.0.1:" + port);
                env.put("OLLAMA_CONTEXT_LENGTH", Long.toString(ctx));
                env.put("OLLAMA_KEEP_ALIVE", "-1"); // never unload between turns: reloading drops the KV cache
            }
            default -> throw new IllegalStateException("no command line for " + spec.kind());
        }
        argv.addAll(spec.extraArgs());
        return new ServerCommand(argv, env, served, ctx);
    }

    private static void requireModel(LaunchSpec spec, String what) {
        if (spec.model() == null || spec.model().isBlank()) {
            throw new IllegalArgumentException("--model: missing (expected: " + what + ")");
        }
    }

    /**
     * The name the server should answer to: a file's or directory's base name (without {@code .gguf} and a
     * shard suffix), a repository id unchanged. It is what Claude Code shows and sends as the model.
     */
    static String servedName(String model) {
        Path p = Path.of(model);
        boolean local = model.startsWith("/") || model.startsWith(".") || model.startsWith("~") || Files.exists(p);
        if (!local) {
            return model;
        }
        String name = p.getFileName() == null ? model : p.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
            name = name.substring(0, name.length() - 5);
        }
        return GGUF_SHARD.matcher(name).replaceFirst("");
    }

    /** vLLM's tool-call parser for a model family; hermes is the format most fine-tunes follow. */
    static String toolParserFor(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        if (m.contains("qwen3-coder") || m.contains("qwen3_coder")) {
            return "qwen3_coder";
        }
        if (m.contains("llama-4") || m.contains("llama4")) {
            return "llama4_pythonic";
        }
        if (m.contains("llama-3") || m.contains("llama3")) {
            return "llama3_json";
        }
        if (m.contains("mistral") || m.contains("devstral") || m.contains("codestral")) {
            return "mistral";
        }
        if (m.contains("gpt-oss")) {
            return "openai";
        }
        if (m.contains("deepseek-v3") || m.contains("deepseek-r1")) {
            return "deepseek_v3";
        }
        if (m.contains("glm-4.5") || m.contains("glm-4.6") || m.contains("glm4.5")) {
            return "glm45";
        }
        if (m.contains("kimi-k2")) {
            return "kimi_k2";
        }
        if (m.contains("granite")) {
            return "granite";
        }
        return "hermes";
    }

    /** A quarter of physical memory, at most 16 GiB, at least 1 GiB: room for a few 30k-token prompts. */
    static long mlxCacheBytes(long memoryBytes) {
        long gib = 1L << 30;
        if (memoryBytes <= 0) {
            return 4 * gib;
        }
        return Math.max(gib, Math.min(16 * gib, memoryBytes / 4));
    }

    /**
     * The output budget for a context: an eighth of it, between 1,024 and 32,000 tokens. Claude Code compacts
     * the conversation at (context - min(output, 20,000) - 13,000) tokens, so a smaller share leaves more room
     * for the conversation itself.
     */
    public static long maxOutputTokens(long contextTokens) {
        if (contextTokens <= 0) {
            return 32_000;
        }
        return Math.max(1_024, Math.min(32_000, contextTokens / 8));
    }

    /** The command line as one string a user can paste into a POSIX shell. */
    public String display() {
        StringBuilder sb = new StringBuilder();
        env.forEach((k, v) -> sb.append(k).append('=').append(shellQuote(v)).append(' '));
        for (int i = 0; i < argv.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(shellQuote(argv.get(i)));
        }
        return sb.toString();
    }

    /** Quotes a word for a POSIX shell only when it needs it. */
    public static String shellQuote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./:=,+@%".indexOf(c) >= 0)) {
            return s;
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }
}
