package dev.anyclaude.engine;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which accelerator the engine asks for ({@code --gpu}); it decides which native package of the pinned
 * llama.cpp release is loaded. The CPU variant inside a package is chosen by ggml's own loader.
 */
public enum Accelerator {
    /** CUDA where an NVIDIA driver is present, Metal on Apple silicon, otherwise the CPU. */
    AUTO,
    CUDA,
    VULKAN,
    METAL,
    /** The CPU only. */
    NONE;

    /** The constant for a command-line value, or an exception naming the accepted ones. */
    public static Accelerator parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Accelerator a : values()) {
            if (a.flag().equals(v)) {
                return a;
            }
        }
        throw new IllegalArgumentException("--gpu: '" + value + "' (expected one of: "
                + Arrays.stream(values()).map(Accelerator::flag).collect(Collectors.joining(", ")) + ")");
    }

    /** The value as written on the command line. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
