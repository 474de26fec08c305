package dev.anyclaude.engine;

/**
 * The shape of a tiny model with random weights and a byte vocabulary, as written by {@link
 * GgufWriter#writeTiny} in any {@link Architecture} (the name is from when llama was the only one).
 * Each dimension is validated here so that a file that llama.cpp would refuse, or load into garbage,
 * is never written; an architecture's own parameters are validated by its record.
 *
 * @param embd embedding width, a multiple of 32 (Q8_0 blocks) and of {@code heads}
 * @param layers transformer blocks
 * @param heads attention heads; {@code embd / heads} must be even (rotary embedding pairs)
 * @param kvHeads key/value heads (grouped-query attention); divides {@code heads}
 * @param ff feed-forward width, a multiple of 32 (written but unused by a mixture of experts, whose width is its own)
 * @param ctx training context length written into the file
 * @param seed seed of the weights; the same spec always gives the same bytes
 */
public record TinyLlamaSpec(int embd, int layers, int heads, int kvHeads, int ff, int ctx, long seed) {

    /** The vocabulary every generated model has: unk, BOS, EOS, 256 byte tokens and the space marker. */
    public static final int VOCAB = 260;

    public TinyLlamaSpec {
        require(embd > 0 && embd % 32 == 0, "embd: " + embd + " (expected: a positive multiple of 32)");
        require(layers > 0 && layers <= 256, "layers: " + layers + " (expected: 1 to 256)");
        require(
                heads > 0 && embd % heads == 0,
                "heads: " + heads + " (expected: a positive divisor of embd " + embd + ")");
        require(
                heads <= 0 || (embd / heads) % 2 == 0,
                "heads: " + heads + " (expected: embd / heads to be even, it is " + (heads > 0 ? embd / heads : 0)
                        + ")");
        require(
                kvHeads > 0 && heads % kvHeads == 0,
                "kv-heads: " + kvHeads + " (expected: a positive divisor of heads " + heads + ")");
        require(ff > 0 && ff % 32 == 0, "ff: " + ff + " (expected: a positive multiple of 32)");
        require(ctx > 0, "ctx: " + ctx + " (expected: a positive integer)");
    }

    /** The model the tests and the benchmark default to: 3.3 M parameters, a few MiB. */
    public static TinyLlamaSpec small(long seed) {
        return new TinyLlamaSpec(256, 4, 4, 4, 704, 16384, seed);
    }

    int headDim() {
        return embd / heads;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
