package dev.anyclaude.engine;

import java.util.List;

/**
 * The llama.cpp architecture a generated tiny model is written in: which tensors its blocks have and the prefix of
 * its metadata keys. Each is loaded by the pinned llama.cpp as a real model of that family would be.
 */
public sealed interface Architecture {

    /** Every architecture by its name, in the order a user is told them. */
    List<String> NAMES = List.of("llama", "qwen3", "qwen3moe");

    Architecture LLAMA = new Llama();

    /** The name llama.cpp knows it by: the value of {@code general.architecture} and the prefix of its keys. */
    String ggufName();

    /** Llama: attention and a dense SwiGLU feed-forward in each block. */
    record Llama() implements Architecture {
        @Override
        public String ggufName() {
            return "llama";
        }
    }

    /**
     * Qwen3: llama's blocks with an RMS norm over each query and key head ({@code attn_q_norm}, {@code attn_k_norm}).
     */
    record Qwen3() implements Architecture {
        @Override
        public String ggufName() {
            return "qwen3";
        }
    }

    /**
     * Qwen3-MoE: Qwen3's attention, and instead of the dense feed-forward a router that sends each token to
     * {@code expertsUsed} of {@code experts} feed-forward experts. Validated here against llama.cpp's own limits.
     *
     * @param experts feed-forward experts per block, 1 to 1024 (llama.cpp's {@code LLAMA_MAX_EXPERTS})
     * @param expertsUsed experts each token is routed to, 1 to {@code experts}
     * @param expertFf each expert's feed-forward width, a multiple of 32 (Q8_0 blocks)
     */
    record Qwen3Moe(int experts, int expertsUsed, int expertFf) implements Architecture {
        static final int MAX_EXPERTS = 1024;

        public Qwen3Moe {
            require(
                    experts > 0 && experts <= MAX_EXPERTS,
                    "experts: " + experts + " (expected: 1 to " + MAX_EXPERTS + ")");
            require(
                    expertsUsed > 0 && expertsUsed <= experts,
                    "experts-used: " + expertsUsed + " (expected: 1 to experts " + experts + ")");
            require(
                    expertFf > 0 && expertFf % 32 == 0,
                    "expert-ff: " + expertFf + " (expected: a positive multiple of 32)");
        }

        @Override
        public String ggufName() {
            return "qwen3moe";
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
