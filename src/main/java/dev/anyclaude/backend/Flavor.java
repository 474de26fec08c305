package dev.anyclaude.backend;

import dev.anyclaude.translate.OpenAiDialect;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which OpenAI-compatible server sits upstream, and everything that follows from it: the request dialect it
 * understands, how it counts tokens and how a probe recognises it. Adding a server is adding a constant here.
 */
public enum Flavor {
    /** Not a server: probe the upstream and take the flavor it answers as. */
    AUTO(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of()),
    LLAMACPP(OpenAiDialect.llamaCpp(), TokenCounting.APPLY_TEMPLATE_THEN_TOKENIZE, true, Set.of("llamacpp")),
    VLLM(OpenAiDialect.vllm(), TokenCounting.TOKENIZE_CHAT, false, Set.of("vllm")),
    SGLANG(OpenAiDialect.vllm(), TokenCounting.TOKENIZE_CHAT, false, Set.of("sglang")),
    MLX(OpenAiDialect.mlx(), TokenCounting.ESTIMATE, false, Set.of()),
    OLLAMA(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of("library", "ollama")),
    LMSTUDIO(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of()),
    GENERIC(OpenAiDialect.openAi(), TokenCounting.ESTIMATE, false, Set.of());

    /** How the exact prompt token count of a request is obtained from the server. */
    public enum TokenCounting {
        /** llama.cpp: {@code POST /apply-template} renders the prompt, {@code POST /tokenize} counts it. */
        APPLY_TEMPLATE_THEN_TOKENIZE,
        /** vLLM, SGLang: {@code POST /tokenize} takes the chat request itself. */
        TOKENIZE_CHAT,
        /** The server cannot count: the gateway estimates. */
        ESTIMATE
    }

    private final OpenAiDialect dialect;
    private final TokenCounting tokenCounting;
    private final boolean llamaCppApi;
    private final Set<String> owners;

    Flavor(OpenAiDialect dialect, TokenCounting tokenCounting, boolean llamaCppApi, Set<String> owners) {
        this.dialect = dialect;
        this.tokenCounting = tokenCounting;
        this.llamaCppApi = llamaCppApi;
        this.owners = owners;
    }

    /** Parses {@code --flavor}: the label, ignoring case, dashes, dots and underscores. */
    public static Flavor parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", "").replace(".", "").replace("_", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("flavor: " + s + " (expected: " + either(Arrays.stream(values())
                    .map(Flavor::label).toList()) + ")");
        }
    }

    /** The flavor of a server that answers llama.cpp's {@code GET /props}. */
    public static Flavor answeringProps() {
        return Arrays.stream(values()).filter(f -> f.llamaCppApi).findFirst().orElseThrow();
    }

    /** The flavor a {@code /v1/models} entry's {@code owned_by} names, or {@link #GENERIC} when it names none. */
    public static Flavor ownedBy(String owner) {
        return Arrays.stream(values()).filter(f -> f.owners.contains(owner)).findFirst().orElse(GENERIC);
    }

    /** "a, b or c". */
    private static String either(List<String> names) {
        return names.size() == 1 ? names.getFirst()
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

    /** Metric, log and option label: the lower-case enum name. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
