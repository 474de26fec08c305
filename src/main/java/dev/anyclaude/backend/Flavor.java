package dev.anyclaude.backend;

import dev.anyclaude.translate.OpenAiDialect;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which OpenAI-compatible server sits upstream, and everything that follows from it: the request dialect it
 * understands, how it counts tokens, how a probe recognises it and, for the servers anyclaude can start, how
 * it is launched. Adding a server is adding a constant here (and, when it can be launched, its command line in
 * the launch package's {@code ServerCommand}).
 */
public enum Flavor {
    /** Not a server: probe the upstream and take the flavor it answers as. */
    AUTO(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of(), null),
    LLAMACPP(
            OpenAiDialect.llamaCpp(),
            TokenCounting.APPLY_TEMPLATE_THEN_TOKENIZE,
            true,
            Set.of("llamacpp"),
            new Launch(
                    "llama-server",
                    "llama-server",
                    "/health",
                    List.of("llama-server", "llama.cpp", "llamacpp", "llama-cpp", "llama"))),
    MLX(
            OpenAiDialect.mlx(),
            TokenCounting.ESTIMATE,
            false,
            Set.of(),
            new Launch("mlx", "mlx_lm.server", "/health", List.of("mlx", "mlx_lm", "mlx-lm", "mlx_lm.server"))),
    VLLM(
            OpenAiDialect.vllm(),
            TokenCounting.TOKENIZE_CHAT,
            false,
            Set.of("vllm"),
            new Launch("vllm", "vllm", "/health", List.of("vllm"))),
    SGLANG(OpenAiDialect.vllm(), TokenCounting.TOKENIZE_CHAT, false, Set.of("sglang"), null),
    OLLAMA(
            OpenAiDialect.openAi(),
            TokenCounting.ESTIMATE,
            false,
            Set.of("library", "ollama"),
            new Launch("ollama", "ollama", "/api/version", List.of("ollama"))),
    LMSTUDIO(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of(), null),
    GENERIC(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of(), null);

    /** How the exact prompt token count of a request is obtained from the server. */
    public enum TokenCounting {
        /** llama.cpp: {@code POST /apply-template} renders the prompt, {@code POST /tokenize} counts it. */
        APPLY_TEMPLATE_THEN_TOKENIZE,
        /** vLLM, SGLang: {@code POST /tokenize} takes the chat request itself. */
        TOKENIZE_CHAT,
        /** The server cannot count: the gateway estimates. */
        ESTIMATE
    }

    /**
     * How anyclaude starts the server ({@code --launch}).
     *
     * @param name the name users type and logs show, e.g. {@code llama-server}
     * @param executable the executable looked up on PATH when {@code --server-bin} is not given
     * @param healthPath the path that answers 200 once the server can take requests
     * @param spellings the {@code --launch} values that name it (lower case)
     */
    public record Launch(String name, String executable, String healthPath, List<String> spellings) {}

    private final OpenAiDialect dialect;
    private final TokenCounting tokenCounting;
    private final boolean llamaCppApi;
    private final Set<String> owners;
    private final Launch launch;

    Flavor(OpenAiDialect dialect, TokenCounting tokenCounting, boolean llamaCppApi, Set<String> owners, Launch launch) {
        this.dialect = dialect;
        this.tokenCounting = tokenCounting;
        this.llamaCppApi = llamaCppApi;
        this.owners = owners;
        this.launch = launch;
    }

    /** Parses {@code --flavor}: the label, ignoring case, dashes, dots and underscores. */
    public static Flavor parse(String s) {
        try {
            return valueOf(s.trim()
                    .toUpperCase(Locale.ROOT)
                    .replace("-", "")
                    .replace(".", "")
                    .replace("_", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("flavor: " + s + " (expected: "
                    + either(Arrays.stream(values()).map(Flavor::label).toList()) + ")");
        }
    }

    /** Parses {@code --launch}: one of the servers anyclaude can start, by any of its {@link Launch#spellings()}. */
    public static Flavor parseLaunch(String s) {
        String k = s.strip().toLowerCase(Locale.ROOT);
        List<Flavor> launchable =
                Arrays.stream(values()).filter(f -> f.launch != null).toList();
        return launchable.stream()
                .filter(f -> f.launch.spellings().contains(k))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--launch: " + s + " (expected: "
                        + either(launchable.stream().map(f -> f.launch.name()).toList()) + ")"));
    }

    /** The flavor of a server that answers llama.cpp's {@code GET /props}. */
    public static Flavor answeringProps() {
        return Arrays.stream(values()).filter(f -> f.llamaCppApi).findFirst().orElseThrow();
    }

    /** The flavor a {@code /v1/models} entry's {@code owned_by} names, or {@link #GENERIC} when it names none. */
    public static Flavor ownedBy(String owner) {
        return Arrays.stream(values())
                .filter(f -> f.owners.contains(owner))
                .findFirst()
                .orElse(GENERIC);
    }

    /** "a, b or c". */
    private static String either(List<String> names) {
        return names.size() == 1
                ? names.getFirst()
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    }

    /** The request switches this server understands (before the inline-system choice). */
    public OpenAiDialect dialect() {
        return dialect;
    }

    public TokenCounting tokenCounting() {
        return tokenCounting;
    }

    /**
     * Whether the server answers llama.cpp's own endpoints beside the chat API: {@code /props}, {@code /health}
     * (503 while a model loads), {@code /apply-template}, {@code /tokenize}, {@code /slots}.
     */
    public boolean llamaCppApi() {
        return llamaCppApi;
    }

    /** How anyclaude starts this server, or null when it cannot. */
    public Launch launch() {
        return launch;
    }

    /** Metric, log and option label: the lower-case enum name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
