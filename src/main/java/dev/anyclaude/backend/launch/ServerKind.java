package dev.anyclaude.backend.launch;

import dev.anyclaude.backend.Flavor;
import java.util.Locale;

/** A model server that anyclaude can launch: its executable, its health endpoint and the flavor it speaks. */
public enum ServerKind {
    LLAMA_SERVER("llama-server", "llama-server", "/health", Flavor.LLAMACPP),
    MLX("mlx", "mlx_lm.server", "/health", Flavor.MLX),
    VLLM("vllm", "vllm", "/health", Flavor.VLLM),
    OLLAMA("ollama", "ollama", "/api/version", Flavor.OLLAMA);

    private final String label;
    private final String executable;
    private final String healthPath;
    private final Flavor flavor;

    ServerKind(String label, String executable, String healthPath, Flavor flavor) {
        this.label = label;
        this.executable = executable;
        this.healthPath = healthPath;
        this.flavor = flavor;
    }

    /** Parses the {@code --launch} value; accepts a few spellings users type (llamacpp, mlx_lm.server, ...). */
    public static ServerKind parse(String s) {
        String k = s.strip().toLowerCase(Locale.ROOT);
        return switch (k) {
            case "llama-server", "llama.cpp", "llamacpp", "llama-cpp", "llama" -> LLAMA_SERVER;
            case "mlx", "mlx_lm", "mlx-lm", "mlx_lm.server" -> MLX;
            case "vllm" -> VLLM;
            case "ollama" -> OLLAMA;
            default -> throw new IllegalArgumentException("--launch: " + s
                    + " (expected: llama-server, mlx, vllm or ollama)");
        };
    }

    /** The name users type, e.g. {@code llama-server}. */
    public String label() {
        return label;
    }

    /** The executable looked up on PATH when {@code --server-bin} is not given. */
    public String executable() {
        return executable;
    }

    /** The path that answers 200 once the server can take requests. */
    public String healthPath() {
        return healthPath;
    }

    /** How the gateway should talk to it. */
    public Flavor flavor() {
        return flavor;
    }
}
