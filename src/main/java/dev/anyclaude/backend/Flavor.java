package dev.anyclaude.backend;

import java.util.Locale;

/** Which OpenAI-compatible server sits upstream; each offers different cache and reasoning controls. */
public enum Flavor {
    AUTO, LLAMACPP, VLLM, SGLANG, MLX, OLLAMA, LMSTUDIO, GENERIC;

    public static Flavor parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", "").replace(".", "").replace("_", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("flavor: " + s
                    + " (expected: auto, llamacpp, vllm, sglang, mlx, ollama, lmstudio or generic)");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
