package dev.anyclaude.engine;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A writer of GGUF v3 files (the llama.cpp model format), and the generator of the tiny random-weight
 * llama models the tests, the demo and the benchmark run on.
 *
 * <p>The file is metadata key/values, then tensor descriptions, then the tensor data, each tensor
 * aligned to 32 bytes. Tensor data is produced while writing, so a model of any size streams to disk.
 * The file appears atomically (written next to the target, then moved), so a reader never sees half a
 * model.
 */
public final class GgufWriter {

    private static final int ALIGNMENT = 32;
    private static final int TYPE_U32 = 4;
    private static final int TYPE_I32 = 5;
    private static final int TYPE_F32 = 6;
    private static final int TYPE_BOOL = 7;
    private static final int TYPE_STRING = 8;
    private static final int TYPE_ARRAY = 9;
    /** Standard deviation of a uniform random int8, which Q8_0 scales are divided by. */
    private static final double INT8_STD = 73.9;

    /** Tensor element types written by this class, with their ggml type codes. */
    enum TensorType {
        F32(0), Q8_0(8);

        final int code;

        TensorType(int code) {
            this.code = code;
        }

        long bytes(long elements) {
            return this == F32 ? elements * 4 : elements / 32 * 34;
        }
    }

    /** Writes a tensor's data; called once, in file order, with exactly {@code bytes} to write. */
    @FunctionalInterface
    interface TensorData {
        void write(OutputStream out) throws IOException;
    }

    private record Tensor(String name, long[] ne, TensorType type, TensorData data) {
        long elements() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return n;
        }
    }

    private ByteBuffer meta = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private int kvCount;
    private final List<Tensor> tensors = new ArrayList<>();

    GgufWriter() {}

    /** Writes the model {@code spec} describes to {@code out}; the same spec always gives the same bytes. */
    public static void writeTinyLlama(TinyLlamaSpec spec, Path out) throws IOException {
        tinyLlama(spec).write(out);
    }

    /**
     * Writes the model {@code spec} describes with {@code chatTemplate} as its {@code tokenizer.chat_template}
     * (the Jinja source a server renders prompts with), or none when null.
     */
    public static void writeTinyLlama(TinyLlamaSpec spec, String chatTemplate, Path out) throws IOException {
        GgufWriter w = tinyLlama(spec, chatTemplate == null ? List.of() : specialTokens(chatTemplate));
        if (chatTemplate != null) {
            w.string("tokenizer.chat_template", chatTemplate);
        }
        w.write(out);
    }

    /**
     * The special tokens a chat template writes, as a real model of its family has them in its vocabulary: {@code
     * <|im_start|>}, {@code <|python_tag|>}, {@code <｜tool▁calls▁begin｜>}, {@code [TOOL_CALLS]}, and the tags
     * Qwen-style vocabularies add ({@code <tool_call>}, {@code </think>}, ...), in order of first appearance.
     */
    static List<String> specialTokens(String template) {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = SPECIAL.matcher(template);
        while (m.find()) {
            out.add(m.group());
        }
        out.remove("<s>");
        out.remove("</s>");
        return List.copyOf(out);
    }

    private static final java.util.regex.Pattern SPECIAL = java.util.regex.Pattern.compile(
            "<\\|[A-Za-z0-9_.:/-]{1,40}\\|>" // <|im_start|>, <|start_header_id|>
                    + "|<\uFF5C[^\uFF5C<>'\"]{1,40}\uFF5C>" // <｜tool▁calls▁begin｜>
                    + "|\\[(?:TOOL_CALLS|TOOL_RESULTS|/TOOL_RESULTS|AVAILABLE_TOOLS|/AVAILABLE_TOOLS|INST|/INST|"
                    + "SYSTEM_PROMPT|/SYSTEM_PROMPT|ARGS|CALL_ID|THINK|/THINK)\\]"
                    + "|</?(?:tool_call|tool_response|think|tools|arg_key|arg_value|minimax:tool_call)>");

    static GgufWriter tinyLlama(TinyLlamaSpec s) {
        return tinyLlama(s, List.of());
    }

    /** The tiny model with {@code specials} as control tokens after the byte vocabulary. */
    static GgufWriter tinyLlama(TinyLlamaSpec s, List<String> specials) {
        int vocab = TinyLlamaSpec.VOCAB + specials.size();
        GgufWriter w = new GgufWriter();
        int headDim = s.headDim();
        w.string("general.architecture", "llama");
        w.string("general.name", "anyclaude-tiny-" + s.embd() + "x" + s.layers());
        w.u32("general.alignment", ALIGNMENT);
        w.u32("general.file_type", 7); // mostly Q8_0
        w.u32("llama.vocab_size", vocab);
        w.u32("llama.context_length", s.ctx());
        w.u32("llama.embedding_length", s.embd());
        w.u32("llama.block_count", s.layers());
        w.u32("llama.feed_forward_length", s.ff());
        w.u32("llama.attention.head_count", s.heads());
        w.u32("llama.attention.head_count_kv", s.kvHeads());
        w.u32("llama.rope.dimension_count", headDim);
        w.f32("llama.rope.freq_base", 10000f);
        w.f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.string("tokenizer.ggml.model", "llama");
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        for (int i = 0; i < specials.size(); i++) {
            tokens[TinyLlamaSpec.VOCAB + i] = specials.get(i);
            types[TinyLlamaSpec.VOCAB + i] = 3; // control: read as one token in a prompt, as llama.cpp reads special text
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

        SplittableRandom random = new SplittableRandom(s.seed());
        int q = s.heads() * headDim;
        int kv = s.kvHeads() * headDim;
        w.tensor("token_embd.weight", new long[] {s.embd(), vocab}, TensorType.Q8_0, q8(random, 1.0));
        for (int i = 0; i < s.layers(); i++) {
            String p = "blk." + i + ".";
            w.tensor(p + "attn_norm.weight", new long[] {s.embd()}, TensorType.F32, ones());
            w.tensor(p + "attn_q.weight", new long[] {s.embd(), q}, TensorType.Q8_0, q8(random, fanIn(s.embd())));
            w.tensor(p + "attn_k.weight", new long[] {s.embd(), kv}, TensorType.Q8_0, q8(random, fanIn(s.embd())));
            w.tensor(p + "attn_v.weight", new long[] {s.embd(), kv}, TensorType.Q8_0, q8(random, fanIn(s.embd())));
            w.tensor(p + "attn_output.weight", new long[] {q, s.embd()}, TensorType.Q8_0, q8(random, fanIn(q)));
            w.tensor(p + "ffn_norm.weight", new long[] {s.embd()}, TensorType.F32, ones());
            w.tensor(p + "ffn_gate.weight", new long[] {s.embd(), s.ff()}, TensorType.Q8_0, q8(random, fanIn(s.embd())));
            w.tensor(p + "ffn_up.weight", new long[] {s.embd(), s.ff()}, TensorType.Q8_0, q8(random, fanIn(s.embd())));
            w.tensor(p + "ffn_down.weight", new long[] {s.ff(), s.embd()}, TensorType.Q8_0, q8(random, fanIn(s.ff())));
        }
        w.tensor("output_norm.weight", new long[] {s.embd()}, TensorType.F32, ones());
        w.tensor("output.weight", new long[] {s.embd(), vocab}, TensorType.Q8_0, q8(random, fanIn(s.embd())));
        return w;
    }

    private static double fanIn(int n) {
        return 1.0 / Math.sqrt(n);
    }

    /** Marks the tensor's data: a generator shared by all tensors, so it must be drained in file order. */
    private static TensorGen q8(SplittableRandom random, double std) {
        return new TensorGen(random, std, false);
    }

    private static TensorGen ones() {
        return new TensorGen(null, 1.0, true);
    }

    /** Random Q8_0 blocks of a given standard deviation, or F32 ones. */
    private record TensorGen(SplittableRandom random, double std, boolean ones) {}

    void u32(String key, int value) {
        key(key, TYPE_U32);
        buf(4).putInt(value);
    }

    void f32(String key, float value) {
        key(key, TYPE_F32);
        buf(4).putFloat(value);
    }

    void bool(String key, boolean value) {
        key(key, TYPE_BOOL);
        buf(1).put((byte) (value ? 1 : 0));
    }

    void string(String key, String value) {
        key(key, TYPE_STRING);
        putString(value);
    }

    void stringArray(String key, String[] values) {
        key(key, TYPE_ARRAY);
        buf(12).putInt(TYPE_STRING).putLong(values.length);
        for (String v : values) {
            putString(v);
        }
    }

    void i32Array(String key, int[] values) {
        key(key, TYPE_ARRAY);
        ByteBuffer b = buf(12 + 4L * values.length).putInt(TYPE_I32).putLong(values.length);
        for (int v : values) {
            b.putInt(v);
        }
    }

    void f32Array(String key, float[] values) {
        key(key, TYPE_ARRAY);
        ByteBuffer b = buf(12 + 4L * values.length).putInt(TYPE_F32).putLong(values.length);
        for (float v : values) {
            b.putFloat(v);
        }
    }

    private void tensor(String name, long[] ne, TensorType type, TensorGen gen) {
        tensor(name, ne, type, out -> fill(out, ne, type, gen));
    }

    void tensor(String name, long[] ne, TensorType type, TensorData data) {
        if (type == TensorType.Q8_0 && ne[0] % 32 != 0) {
            throw new IllegalArgumentException(name + ": first dimension " + ne[0] + " is not a multiple of 32");
        }
        tensors.add(new Tensor(name, ne.clone(), type, data));
    }

    private static void fill(OutputStream out, long[] ne, TensorType type, TensorGen gen) throws IOException {
        long elements = 1;
        for (long d : ne) {
            elements *= d;
        }
        if (type == TensorType.F32) {
            byte[] one = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).array();
            for (long i = 0; i < elements; i++) {
                out.write(one);
            }
            return;
        }
        short scale = Float.floatToFloat16((float) (gen.std() / INT8_STD));
        byte[] block = new byte[34];
        block[0] = (byte) scale;
        block[1] = (byte) (scale >> 8);
        byte[] q = new byte[32];
        for (long b = 0; b < elements / 32; b++) {
            gen.random().nextBytes(q);
            System.arraycopy(q, 0, block, 2, 32);
            out.write(block);
        }
    }

    private void key(String key, int type) {
        putString(key);
        buf(4).putInt(type);
        kvCount++;
    }

    private void putString(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        buf(8 + bytes.length).putLong(bytes.length).put(bytes);
    }

    private ByteBuffer buf(long need) {
        if (meta.remaining() < need) {
            long size = Math.max(meta.capacity() * 2L, meta.position() + need);
            ByteBuffer bigger = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
            meta.flip();
            bigger.put(meta);
            meta = bigger;
        }
        return meta;
    }

    /** Writes the file atomically: to a temporary sibling first, then moved over {@code out}. */
    void write(Path out) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".part");
        try {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writeTo(os);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeTo(OutputStream os) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(tensors.size()).putLong(kvCount);
        long written = writeBuffer(os, header);
        written += writeBuffer(os, meta.duplicate());

        long offset = 0;
        long[] offsets = new long[tensors.size()];
        ByteBuffer infos = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            if (infos.remaining() < 8 + name.length + 4 + 8 * t.ne().length + 12) {
                written += writeBuffer(os, infos);
                infos.clear();
            }
            infos.putLong(name.length).put(name).putInt(t.ne().length);
            for (long d : t.ne()) {
                infos.putLong(d);
            }
            infos.putInt(t.type().code).putLong(offset);
            offsets[i] = offset;
            offset = align(offset + t.type().bytes(t.elements()));
        }
        written += writeBuffer(os, infos);
        written += pad(os, written);

        long dataWritten = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            if (dataWritten != offsets[i]) {
                throw new IllegalStateException("tensor " + t.name() + " at " + dataWritten + ", expected " + offsets[i]);
            }
            CountingStream counting = new CountingStream(os);
            t.data().write(counting);
            long expected = t.type().bytes(t.elements());
            if (counting.count != expected) {
                throw new IllegalStateException(
                        "tensor " + t.name() + " wrote " + counting.count + " bytes, expected " + expected);
            }
            dataWritten += expected;
            dataWritten += pad(os, dataWritten);
        }
    }

    private static long align(long n) {
        return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static long pad(OutputStream os, long position) throws IOException {
        int n = (int) (align(position) - position);
        os.write(new byte[n]);
        return n;
    }

    private static long writeBuffer(OutputStream os, ByteBuffer b) throws IOException {
        b.flip();
        int n = b.remaining();
        os.write(b.array(), b.arrayOffset() + b.position(), n);
        return n;
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
