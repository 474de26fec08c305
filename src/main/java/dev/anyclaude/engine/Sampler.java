package dev.anyclaude.engine;

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
        MemorySegment grammar = params.grammar() == null ? null : grammarSampler(model, params.grammar());
        if (grammar != null) {
            // The chain owns what is added to it; the grammar goes first so the draw sees only allowed tokens.
            MemorySegment chain = api.samplerChainInit();
            api.samplerChainAdd(chain, grammar);
            api.samplerChainAdd(chain, this.chain);
            this.chain = chain;
        }
    }

    /**
     * The llama.cpp grammar sampler for {@code g}, or null when a lazy grammar has no trigger this engine can use.
     *
     * <p>Lazy triggers are given to llama.cpp as tokens, never as patterns: the bundled library (b4916) matches a
     * pattern with {@code std::regex_match} against the whole output after every token, which costs time growing
     * with the square of the answer and, past a few thousand characters, overflows the native stack (measured: a
     * segmentation fault at 6,000 tokens). A pattern that is a call opener written literally ({@code
     * (<tool_call>)}) becomes that opener's token when the vocabulary has it as one token — as real models have
     * their {@code <tool_call>}, {@code [TOOL_CALLS]}, {@code <|python_tag|>}. Other patterns are left out; without
     * any trigger the answer is sampled freely and still parsed.
     */
    private static MemorySegment grammarSampler(NativeModel model, Grammar g) {
        java.util.LinkedHashSet<Integer> tokens = new java.util.LinkedHashSet<>();
        for (String t : g.triggerTokens()) {
            int[] ids = model.tokenizeSpecial(t);
            if (ids.length != 1) {
                throw new IllegalArgumentException("grammar trigger " + t
                        + " is not one token of this model's vocabulary (" + ids.length + " tokens)");
            }
            tokens.add(ids[0]);
        }
        for (String p : g.triggerPatterns()) {
            for (String opener : literalOpeners(p)) {
                int[] ids = model.tokenizeSpecial(opener);
                if (ids.length == 1 && model.tokenText(ids[0]).equals(opener)) {
                    tokens.add(ids[0]);
                }
            }
        }
        if (g.lazy() && tokens.isEmpty()) {
            return null;
        }
        int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
        MemorySegment sampler = model.api.samplerInitGrammar(model.vocab, g.gbnf(), g.root(), List.of(), ids);
        if (sampler.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("llama.cpp could not parse the grammar (see its log)");
        }
        return sampler;
    }

    /**
     * The literal texts a trigger pattern of the form {@code (A)} or {@code (A|B)} stands for, each alternative a
     * regex-escaped literal; empty for any other pattern.
     */
    static List<String> literalOpeners(String pattern) {
        if (!pattern.startsWith("(") || !pattern.endsWith(")") || pattern.endsWith("\\)")) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        StringBuilder lit = new StringBuilder();
        String body = pattern.substring(1, pattern.length() - 1);
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                lit.append(body.charAt(++i));
            } else if (c == '|') {
                out.add(lit.toString());
                lit.setLength(0);
            } else if (".^$()*+?[]{}".indexOf(c) >= 0) {
                return List.of(); // a real regex, not a literal
            } else {
                lit.append(c);
            }
        }
        out.add(lit.toString());
        return out.stream().filter(x -> !x.isEmpty()).toList();
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
