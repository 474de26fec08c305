package dev.anyclaude.backend.embedded;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A llama.cpp sampler chain for one request: the request's grammar first (when it has one), then greedy at
 * temperature 0, otherwise top-k, top-p and temperature followed by a seeded random draw.
 */
final class Sampler implements AutoCloseable {

    private final LlamaApi api;
    private MemorySegment chain;

    /** The chain {@code params} ask for, over {@code model}'s vocabulary. */
    Sampler(NativeModel model, Engine.Params params) {
        this(model.api, params.temperature(), params.topK(), params.topP(), params.seed());
        if (params.grammar() != null) {
            MemorySegment grammar = grammarSampler(model, params.grammar());
            // The chain owns what is added to it; the grammar goes first so the draw sees only allowed tokens.
            MemorySegment chain = api.samplerChainInit();
            api.samplerChainAdd(chain, grammar);
            api.samplerChainAdd(chain, this.chain);
            this.chain = chain;
        }
    }

    private static MemorySegment grammarSampler(NativeModel model, Grammar g) {
        int[] tokens = new int[g.triggerTokens().size()];
        for (int i = 0; i < tokens.length; i++) {
            int[] t = model.tokenizeSpecial(g.triggerTokens().get(i));
            if (t.length != 1) {
                throw new IllegalArgumentException("grammar trigger " + g.triggerTokens().get(i)
                        + " is not one token of this model's vocabulary (" + t.length + " tokens)");
            }
            tokens[i] = t[0];
        }
        List<String> patterns = g.triggerPatterns().stream().map(Sampler::wholeOutputPattern).toList();
        MemorySegment sampler = model.api.samplerInitGrammar(model.vocab, g.gbnf(), g.root(), patterns, tokens);
        if (sampler.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("llama.cpp could not parse the grammar (see its log)");
        }
        return sampler;
    }

    /**
     * A trigger pattern as the bundled llama.cpp (b4916) applies it: matched against the whole output so far
     * ({@code std::regex_match}), where the pinned server's release (v0.5.0) searches for it unless it is anchored at
     * both ends. An unanchored pattern {@code P} becomes {@code [\s\S]*?(?:P)[\s\S]*} (group 1 stays P's first
     * group: where the constrained text begins); {@code ^P} becomes {@code (?:P)[\s\S]*}; {@code ^P$} is kept.
     */
    static String wholeOutputPattern(String p) {
        boolean start = p.startsWith("^");
        boolean end = p.endsWith("$") && !p.endsWith("\\$");
        if (start && end) {
            return p;
        }
        String body = start ? p.substring(1) : p;
        return (start ? "" : "[\\s\\S]*?") + "(?:" + body + ")" + "[\\s\\S]*";
    }

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
