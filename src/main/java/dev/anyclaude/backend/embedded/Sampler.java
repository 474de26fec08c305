package dev.anyclaude.backend.embedded;

import java.lang.foreign.MemorySegment;

/**
 * A llama.cpp sampler chain for one request: greedy at temperature 0, otherwise top-k, top-p and
 * temperature followed by a seeded random draw.
 */
final class Sampler implements AutoCloseable {

    private final LlamaApi api;
    private MemorySegment chain;

    /**
     * @param temperature 0 for greedy decoding
     * @param topK 0 or less for no top-k cut
     * @param topP 1 or more for no nucleus cut
     * @param seed seed of the random draw
     */
    Sampler(LlamaApi api, double temperature, int topK, double topP, int seed) {
        this.api = api;
        this.chain = api.samplerChainInit();
        if (temperature <= 0) {
            api.samplerChainAdd(chain, api.samplerInitGreedy());
            return;
        }
        if (topK > 0) {
            api.samplerChainAdd(chain, api.samplerInitTopK(topK));
        }
        if (topP < 1) {
            api.samplerChainAdd(chain, api.samplerInitTopP((float) topP, 1));
        }
        api.samplerChainAdd(chain, api.samplerInitTemp((float) temperature));
        api.samplerChainAdd(chain, api.samplerInitDist(seed));
    }

    /** Draws the next token from the logits at batch index {@code idx} of {@code ctx}'s last decode. */
    int sample(LlamaContext ctx, int idx) {
        if (idx < 0) {
            throw new IllegalStateException("no logits to sample from");
        }
        return api.samplerSample(chain, ctx.handle(), idx);
    }

    @Override
    public void close() {
        if (chain != null) {
            api.samplerFree(chain);
            chain = null;
        }
    }
}
