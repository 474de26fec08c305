package dev.anyclaude.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A hand-built model that calls a tool, for end-to-end tests of tool calling through real servers and real
 * clients: rendered through a tool-calling chat template whose tool calls look like Qwen3-Coder's ({@code
 * <tool_call>\n<function=NAME>\n<parameter=P>\n...}), it answers a conversation with no tool result in it by
 * calling {@code Bash} with one command, and a conversation that holds a tool result ({@code <tool_response>})
 * with a short text, then stops. Deterministic at any temperature.
 *
 * <p>How: one transformer block with weights written by hand (F32), a byte vocabulary plus a few whole-string
 * tokens (the tool call in three pieces, the answer text, {@code <tool_response>}). The residual stream is a
 * handful of named dimensions. The token embedding marks which token this is; the attention head attends only
 * to {@code <tool_response>} tokens (a query on the always-one dimension meets a key on the response mark; the
 * rotary frequency base is so high that positions do not matter), so its output says whether the context holds
 * a tool result; the feed-forward unit fires only when the current token is the newline that ends the
 * generation prompt and that flag is set; the output layer maps each marked token to its successor, and the
 * fired unit to the answer text. Everything else predicts the end of the text.
 */
public final class ToolCallModel {
    /** The tool the model calls and its one parameter. */
    public static final String TOOL = "Bash";

    public static final String PARAMETER = "command";

    static final int EMBD = 64;
    static final int FF = 32;
    private static final int BYTES = 256;
    private static final int FIRST_BYTE = 3;
    private static final int SPACE = FIRST_BYTE + BYTES; // the SentencePiece space marker
    private static final int RESPONSE = SPACE + 1;
    private static final int CALL_OPEN = RESPONSE + 1;
    private static final int CALL_VALUE = CALL_OPEN + 1;
    private static final int CALL_CLOSE = CALL_VALUE + 1;
    private static final int ANSWER = CALL_CLOSE + 1;
    /** The judge's cue ({@link #JUDGE_CUE}) and its whole verdict: used only when a verdict is given. */
    private static final int JUDGE = ANSWER + 1;

    private static final int VERDICT = JUDGE + 1;
    static final int VOCAB = VERDICT + 1;
    /**
     * Text that the gateway's safety check puts in every prompt it asks a model to judge (see the safeguard
     * package's LocalClassifier): in a context with it, a model with a verdict answers with the verdict.
     */
    public static final String JUDGE_CUE = "The tool call to judge:";

    private static final int EOS = 2;
    private static final int NEWLINE = FIRST_BYTE + '\n';

    // residual dimensions
    private static final int D_BIAS = 0;
    private static final int D_NEWLINE = 1;
    private static final int D_OPEN = 2;
    private static final int D_VALUE = 3;
    private static final int D_CLOSE = 4;
    private static final int D_ANSWER = 5;
    private static final int D_OTHER = 6;
    private static final int D_RESPONSE = 7;
    private static final int D_FLAG = 8;
    private static final int D_SWITCH = 9;
    private static final int D_JUDGE = 10;
    private static final int D_JUDGE_FLAG = 11;
    private static final int D_JUDGE_SWITCH = 12;
    private static final int D_VERDICT = 13;
    /** The head dimension the query and key meet in: the last rotary pair, which turns slowest. */
    private static final int D_MEET = EMBD - 2;

    private ToolCallModel() {}

    /**
     * Writes the model to {@code out}.
     *
     * @param command the command its Bash call runs
     * @param answer what it says once it has seen a tool result
     * @param chatTemplate the Jinja chat template to carry (a Qwen3-Coder-style tool format)
     */
    public static void write(Path out, String command, String answer, String chatTemplate) throws IOException {
        write(out, command, answer, chatTemplate, null);
    }

    /**
     * Writes the model to {@code out}; with a {@code verdict}, a context that holds {@link #JUDGE_CUE} is answered
     * with that text (e.g. a safety verdict's JSON) instead of a tool call — a second attention value and
     * feed-forward unit, the same mechanism as the tool-result flag.
     *
     * @param verdict what it answers when asked to judge, or null for a model that only calls the tool
     */
    public static void write(Path out, String command, String answer, String chatTemplate, String verdict)
            throws IOException {
        GgufWriter w = new GgufWriter();
        w.string("general.architecture", "llama");
        w.string("general.name", "anyclaude-tool-call");
        w.u32("general.alignment", 32);
        w.u32("general.file_type", 0); // all F32
        w.u32("llama.vocab_size", VOCAB);
        w.u32("llama.context_length", 131072);
        w.u32("llama.embedding_length", EMBD);
        w.u32("llama.block_count", 1);
        w.u32("llama.feed_forward_length", FF);
        w.u32("llama.attention.head_count", 1);
        w.u32("llama.attention.head_count_kv", 1);
        w.u32("llama.rope.dimension_count", EMBD);
        w.f32("llama.rope.freq_base", 1e12f);
        w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.string("tokenizer.ggml.model", "llama");
        String[] tokens = new String[VOCAB];
        float[] scores = new float[VOCAB];
        int[] types = new int[VOCAB];
        tokens[0] = "<unk>";
        types[0] = 2;
        tokens[1] = "<s>";
        types[1] = 3;
        tokens[2] = "</s>";
        types[2] = 3;
        for (int b = 0; b < BYTES; b++) {
            tokens[FIRST_BYTE + b] = String.format("<0x%02X>", b);
            types[FIRST_BYTE + b] = 6;
        }
        tokens[SPACE] = "\u2581";
        types[SPACE] = 1;
        scores[SPACE] = -1f;
        String[] whole = {
            "<tool_response>",
            "<tool_call>\n<function=" + TOOL + ">\n<parameter=" + PARAMETER + ">\n",
            command,
            "\n</parameter>\n</function>\n</tool_call>",
            answer,
            verdict != null ? JUDGE_CUE : "<unused-judge-cue>",
            verdict != null ? verdict : "<unused-verdict>"
        };
        for (int i = 0; i < whole.length; i++) {
            tokens[RESPONSE + i] = whole[i];
            types[RESPONSE + i] = 4; // user-defined: matched as a whole string, printed verbatim
        }
        w.stringArray("tokenizer.ggml.tokens", tokens);
        w.f32Array("tokenizer.ggml.scores", scores);
        w.i32Array("tokenizer.ggml.token_type", types);
        w.u32("tokenizer.ggml.bos_token_id", 1);
        w.u32("tokenizer.ggml.eos_token_id", EOS);
        w.u32("tokenizer.ggml.unknown_token_id", 0);
        w.bool("tokenizer.ggml.add_bos_token", true);
        w.bool("tokenizer.ggml.add_eos_token", false);
        w.bool("tokenizer.ggml.add_space_prefix", false);
        if (chatTemplate != null) {
            w.string("tokenizer.chat_template", chatTemplate);
        }

        float[][] embd = new float[VOCAB][EMBD];
        for (int t = 0; t < VOCAB; t++) {
            embd[t][D_BIAS] = 1;
            embd[t][mark(t)] = 1;
        }
        w.tensor("token_embd.weight", new long[] {EMBD, VOCAB}, GgufWriter.TensorType.F32, f32(embd));
        w.tensor("blk.0.attn_norm.weight", new long[] {EMBD}, GgufWriter.TensorType.F32, ones(EMBD));
        float[][] q = new float[EMBD][EMBD];
        q[D_MEET][D_BIAS] = 3.4f;
        float[][] k = new float[EMBD][EMBD];
        k[D_MEET][D_RESPONSE] = 3.4f;
        k[D_MEET][D_JUDGE] = 3.4f;
        float[][] v = new float[EMBD][EMBD];
        v[0][D_RESPONSE] = 1;
        v[1][D_JUDGE] = 1;
        float[][] o = new float[EMBD][EMBD];
        o[D_FLAG][0] = 0.1767767f; // back to ~1 from the normalized mark (1 / sqrt(32))
        o[D_JUDGE_FLAG][1] = 0.1767767f;
        w.tensor("blk.0.attn_q.weight", new long[] {EMBD, EMBD}, GgufWriter.TensorType.F32, f32(q));
        w.tensor("blk.0.attn_k.weight", new long[] {EMBD, EMBD}, GgufWriter.TensorType.F32, f32(k));
        w.tensor("blk.0.attn_v.weight", new long[] {EMBD, EMBD}, GgufWriter.TensorType.F32, f32(v));
        w.tensor("blk.0.attn_output.weight", new long[] {EMBD, EMBD}, GgufWriter.TensorType.F32, f32(o));
        w.tensor("blk.0.ffn_norm.weight", new long[] {EMBD}, GgufWriter.TensorType.F32, ones(EMBD));
        float[][] gate = new float[FF][EMBD];
        gate[0][D_FLAG] = 10;
        gate[0][D_NEWLINE] = 10;
        gate[0][D_BIAS] = -15;
        float[][] up = new float[FF][EMBD];
        up[0][D_BIAS] = 1;
        gate[1][D_JUDGE_FLAG] = 10;
        gate[1][D_NEWLINE] = 10;
        gate[1][D_BIAS] = -15;
        up[1][D_BIAS] = 1;
        float[][] down = new float[EMBD][FF];
        down[D_SWITCH][0] = 1;
        down[D_JUDGE_SWITCH][1] = 1;
        w.tensor("blk.0.ffn_gate.weight", new long[] {EMBD, FF}, GgufWriter.TensorType.F32, f32(gate));
        w.tensor("blk.0.ffn_up.weight", new long[] {EMBD, FF}, GgufWriter.TensorType.F32, f32(up));
        w.tensor("blk.0.ffn_down.weight", new long[] {FF, EMBD}, GgufWriter.TensorType.F32, f32(down));
        w.tensor("output_norm.weight", new long[] {EMBD}, GgufWriter.TensorType.F32, ones(EMBD));
        float[][] out2 = new float[VOCAB][EMBD];
        out2[CALL_OPEN][D_NEWLINE] = 10;
        out2[CALL_VALUE][D_OPEN] = 10;
        out2[CALL_CLOSE][D_VALUE] = 10;
        out2[EOS][D_CLOSE] = 10;
        out2[EOS][D_ANSWER] = 10;
        out2[EOS][D_OTHER] = 10;
        out2[EOS][D_RESPONSE] = 10;
        out2[ANSWER][D_SWITCH] = 10;
        out2[EOS][D_JUDGE] = 10;
        out2[EOS][D_VERDICT] = 10;
        out2[VERDICT][D_JUDGE_SWITCH] = 10;
        w.tensor("output.weight", new long[] {EMBD, VOCAB}, GgufWriter.TensorType.F32, f32(out2));
        w.write(out);
    }

    /** The residual dimension that marks token {@code t}. */
    private static int mark(int t) {
        return switch (t) {
            case NEWLINE -> D_NEWLINE;
            case CALL_OPEN -> D_OPEN;
            case CALL_VALUE -> D_VALUE;
            case CALL_CLOSE -> D_CLOSE;
            case ANSWER -> D_ANSWER;
            case RESPONSE -> D_RESPONSE;
            case JUDGE -> D_JUDGE;
            case VERDICT -> D_VERDICT;
            default -> D_OTHER;
        };
    }

    /** Rows of {@code m} in order: ggml's layout for a matrix of {@code m.length} outputs. */
    private static GgufWriter.TensorData f32(float[][] m) {
        return out -> {
            ByteBuffer b = ByteBuffer.allocate(m[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] row : m) {
                b.clear();
                for (float x : row) {
                    b.putFloat(x);
                }
                out.write(b.array());
            }
        };
    }

    private static GgufWriter.TensorData ones(int n) {
        float[][] m = new float[1][n];
        java.util.Arrays.fill(m[0], 1f);
        return f32(m);
    }
}
