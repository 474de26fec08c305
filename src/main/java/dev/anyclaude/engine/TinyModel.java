package dev.anyclaude.engine;

import static dev.anyclaude.engine.GgufWriter.TensorType.F32;
import static dev.anyclaude.engine.GgufWriter.TensorType.Q8_0;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tiny random-weight models the tests, the demo and the benchmark run on: the metadata and tensors of a {@link
 * TinyLlamaSpec} in one {@link Architecture}, with a byte vocabulary.
 *
 * <p>Weights are Q8_0 and norms F32 ones, as in a quantized real model; a MoE router stays F32 because
 * llama-quantize never quantizes {@code ffn_gate_inp}. All random weights come from one generator seeded by the
 * spec and drained in file order, so the same spec gives the same bytes. Which tensors and keys each architecture
 * needs is what the pinned llama.cpp's {@code src/models/<arch>.cpp} loads.
 */
final class TinyModel {

    /** Standard deviation of a uniform random int8, which Q8_0 scales are divided by. */
    private static final double INT8_STD = 73.9;

    private static final Pattern SPECIAL = Pattern.compile(
            "<\\|[A-Za-z0-9_.:/-]{1,40}\\|>" // <|im_start|>, <|start_header_id|>
                    + "|<\uFF5C[^\uFF5C<>'\"]{1,40}\uFF5C>" // <｜tool▁calls▁begin｜>
                    + "|\\[(?:TOOL_CALLS|TOOL_RESULTS|/TOOL_RESULTS|AVAILABLE_TOOLS|/AVAILABLE_TOOLS|INST|/INST|"
                    + "SYSTEM_PROMPT|/SYSTEM_PROMPT|ARGS|CALL_ID|THINK|/THINK)\\]"
                    + "|</?(?:tool_call|tool_response|think|tools|arg_key|arg_value|minimax:tool_call)>");

    private TinyModel() {}

    /**
     * The special tokens a chat template writes, as a real model of its family has them in its vocabulary: {@code
     * <|im_start|>}, {@code <|python_tag|>}, {@code <｜tool▁calls▁begin｜>}, {@code [TOOL_CALLS]}, and the tags
     * Qwen-style vocabularies add ({@code <tool_call>}, {@code </think>}, ...), in order of first appearance.
     */
    static List<String> specialTokens(String template) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        Matcher m = SPECIAL.matcher(template);
        while (m.find()) {
            out.add(m.group());
        }
        out.remove("<s>");
        out.remove("</s>");
        return List.copyOf(out);
    }

    /**
     * The model {@code s} describes in {@code arch}, with {@code specials} as control tokens after the byte vocabulary.
     */
    static GgufWriter build(TinyLlamaSpec s, Architecture arch, List<String> specials) {
        int vocab = TinyLlamaSpec.VOCAB + specials.size();
        GgufWriter w = new GgufWriter();
        hyperparameters(w, s, arch, vocab);
        vocabulary(w, specials);

        SplittableRandom random = new SplittableRandom(s.seed());
        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        tensor(w, "token_embd.weight", new long[] {s.embd(), vocab}, Q8_0, q8(random, 1.0));
        for (int i = 0; i < s.layers(); i++) {
            String p = "blk." + i + ".";
            tensor(w, p + "attn_norm.weight", new long[] {s.embd()}, F32, ones());
            tensor(w, p + "attn_q.weight", new long[] {s.embd(), q}, Q8_0, q8(random, fanIn(s.embd())));
            tensor(w, p + "attn_k.weight", new long[] {s.embd(), kv}, Q8_0, q8(random, fanIn(s.embd())));
            tensor(w, p + "attn_v.weight", new long[] {s.embd(), kv}, Q8_0, q8(random, fanIn(s.embd())));
            tensor(w, p + "attn_output.weight", new long[] {q, s.embd()}, Q8_0, q8(random, fanIn(q)));
            if (normsQueryAndKey(arch)) {
                tensor(w, p + "attn_q_norm.weight", new long[] {s.headDim()}, F32, ones());
                tensor(w, p + "attn_k_norm.weight", new long[] {s.headDim()}, F32, ones());
            }
            tensor(w, p + "ffn_norm.weight", new long[] {s.embd()}, F32, ones());
            switch (arch) {
                case Architecture.Qwen3Moe moe -> experts(w, p, s, moe, random);
                case Architecture.Llama _, Architecture.Qwen3 _ -> feedForward(w, p, s, random);
            }
        }
        tensor(w, "output_norm.weight", new long[] {s.embd()}, F32, ones());
        tensor(w, "output.weight", new long[] {s.embd(), vocab}, Q8_0, q8(random, fanIn(s.embd())));
        return w;
    }

    /** Whether each block norms its query and key heads: Qwen3's change to llama's attention. */
    private static boolean normsQueryAndKey(Architecture arch) {
        return switch (arch) {
            case Architecture.Llama _ -> false;
            case Architecture.Qwen3 _, Architecture.Qwen3Moe _ -> true;
        };
    }

    private static void hyperparameters(GgufWriter w, TinyLlamaSpec s, Architecture arch, int vocab) {
        String a = arch.ggufName() + ".";
        w.string("general.architecture", arch.ggufName());
        // A llama model keeps the name it had before there were other architectures, so its bytes did not change.
        w.string(
                "general.name",
                "anyclaude-tiny-" + (arch instanceof Architecture.Llama ? "" : arch.ggufName() + "-") + s.embd() + "x"
                        + s.layers());
        w.u32("general.alignment", GgufWriter.ALIGNMENT);
        w.u32("general.file_type", 7); // mostly Q8_0
        w.u32(a + "vocab_size", vocab);
        w.u32(a + "context_length", s.ctx());
        w.u32(a + "embedding_length", s.embd());
        w.u32(a + "block_count", s.layers());
        w.u32(a + "feed_forward_length", s.ff());
        w.u32(a + "attention.head_count", s.heads());
        w.u32(a + "attention.head_count_kv", s.kvHeads());
        w.u32(a + "rope.dimension_count", s.headDim());
        w.f32(a + "rope.freq_base", 10000f);
        w.f32(a + "attention.layer_norm_rms_epsilon", 1e-5f);
        if (normsQueryAndKey(arch)) {
            // Optional in llama.cpp (the default is embd / heads, which they equal), but real Qwen3 files carry them.
            w.u32(a + "attention.key_length", s.headDim());
            w.u32(a + "attention.value_length", s.headDim());
        }
        if (arch instanceof Architecture.Qwen3Moe moe) {
            w.u32(a + "expert_count", moe.experts());
            w.u32(a + "expert_used_count", moe.expertsUsed());
            w.u32(a + "expert_feed_forward_length", moe.expertFf());
        }
    }

    private static void vocabulary(GgufWriter w, List<String> specials) {
        int vocab = TinyLlamaSpec.VOCAB + specials.size();
        w.string("tokenizer.ggml.model", "llama");
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < specials.size(); i++) {
            tokens[TinyLlamaSpec.VOCAB + i] = specials.get(i);
            types[TinyLlamaSpec.VOCAB + i] =
                    3; // control: read as one token in a prompt, as llama.cpp reads special text
        }
        tokens[0] = "<unk>";
        types[0] = 2; // unknown
        tokens[1] = "<s>";
        types[1] = 3; // control
        tokens[2] = "</s>";
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6; // byte
        }
        // Without a normal token for the SentencePiece space marker every space would cost three byte tokens.
        tokens[259] = "\u2581";
        types[259] = 1;
        scores[259] = -1f;
        w.stringArray("tokenizer.ggml.tokens", tokens);
        w.f32Array("tokenizer.ggml.scores", scores);
        w.i32Array("tokenizer.ggml.token_type", types);
        w.u32("tokenizer.ggml.bos_token_id", 1);
        w.u32("tokenizer.ggml.eos_token_id", 2);
        w.u32("tokenizer.ggml.unknown_token_id", 0);
        w.bool("tokenizer.ggml.add_bos_token", true);
        w.bool("tokenizer.ggml.add_eos_token", false);
        w.bool("tokenizer.ggml.add_space_prefix", false);
    }

    private static void feedForward(GgufWriter w, String p, TinyLlamaSpec s, SplittableRandom random) {
        tensor(w, p + "ffn_gate.weight", new long[] {s.embd(), s.ff()}, Q8_0, q8(random, fanIn(s.embd())));
        tensor(w, p + "ffn_up.weight", new long[] {s.embd(), s.ff()}, Q8_0, q8(random, fanIn(s.embd())));
        tensor(w, p + "ffn_down.weight", new long[] {s.ff(), s.embd()}, Q8_0, q8(random, fanIn(s.ff())));
    }

    private static void experts(
            GgufWriter w, String p, TinyLlamaSpec s, Architecture.Qwen3Moe moe, SplittableRandom random) {
        int n = moe.experts();
        int ff = moe.expertFf();
        tensor(w, p + "ffn_gate_inp.weight", new long[] {s.embd(), n}, F32, f32(random, fanIn(s.embd())));
        tensor(w, p + "ffn_gate_exps.weight", new long[] {s.embd(), ff, n}, Q8_0, q8(random, fanIn(s.embd())));
        tensor(w, p + "ffn_up_exps.weight", new long[] {s.embd(), ff, n}, Q8_0, q8(random, fanIn(s.embd())));
        tensor(w, p + "ffn_down_exps.weight", new long[] {ff, s.embd(), n}, Q8_0, q8(random, fanIn(ff)));
    }

    private static double fanIn(int n) {
        return 1.0 / Math.sqrt(n);
    }

    /**
     * Random Q8_0 blocks of standard deviation {@code std}. The generator is shared by all tensors and drawn from
     * while the file is written, so tensors must be written in the order they were added (as the writer does).
     */
    private static Weights q8(SplittableRandom random, double std) {
        return (out, elements) -> {
            short scale = Float.floatToFloat16((float) (std / INT8_STD));
            byte[] block = new byte[34];
            block[0] = (byte) scale;
            block[1] = (byte) (scale >> 8);
            byte[] q = new byte[32];
            for (long b = 0; b < elements / 32; b++) {
                random.nextBytes(q);
                System.arraycopy(q, 0, block, 2, 32);
                out.write(block);
            }
        };
    }

    /** Random F32 values: the values a Q8_0 block of the same {@code std} would dequantize to. */
    private static Weights f32(SplittableRandom random, double std) {
        return (out, elements) -> {
            float scale = (float) (std / INT8_STD);
            byte[] q = new byte[32];
            ByteBuffer values = ByteBuffer.allocate(4 * q.length).order(ByteOrder.LITTLE_ENDIAN);
            for (long b = 0; b < elements / q.length; b++) {
                random.nextBytes(q);
                values.clear();
                for (byte v : q) {
                    values.putFloat(v * scale);
                }
                out.write(values.array());
            }
        };
    }

    private static Weights ones() {
        return (out, elements) -> {
            byte[] one = ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1f)
                    .array();
            for (long i = 0; i < elements; i++) {
                out.write(one);
            }
        };
    }

    /** Writes the {@code elements} values of one tensor. */
    @FunctionalInterface
    private interface Weights {
        void write(OutputStream out, long elements) throws IOException;
    }

    private static void tensor(GgufWriter w, String name, long[] ne, GgufWriter.TensorType type, Weights weights) {
        long elements = 1;
        for (long d : ne) {
            elements *= d;
        }
        long n = elements;
        w.tensor(name, ne, type, out -> weights.write(out, n));
    }
}
