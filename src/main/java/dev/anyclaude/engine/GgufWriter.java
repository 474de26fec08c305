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

/**
 * A writer of GGUF v3 files (the llama.cpp model format), and the entry point for writing the tiny random-weight
 * models ({@link TinyModel}) the tests, the demo and the benchmark run on.
 *
 * <p>The file is metadata key/values, then tensor descriptions, then the tensor data, each tensor
 * aligned to 32 bytes. Tensor data is produced while writing, so a model of any size streams to disk.
 * The file appears atomically (written next to the target, then moved), so a reader never sees half a
 * model.
 */
public final class GgufWriter {

    static final int ALIGNMENT = 32;
    private static final int TYPE_U32 = 4;
    private static final int TYPE_I32 = 5;
    private static final int TYPE_F32 = 6;
    private static final int TYPE_BOOL = 7;
    private static final int TYPE_STRING = 8;
    private static final int TYPE_ARRAY = 9;

    /** Tensor element types written by this class, with their ggml type codes. */
    enum TensorType {
        F32(0),
        Q8_0(8);

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

    /** Writes the llama model {@code spec} describes to {@code out}; the same spec always gives the same bytes. */
    public static void writeTinyLlama(TinyLlamaSpec spec, Path out) throws IOException {
        writeTiny(spec, Architecture.LLAMA, null, out);
    }

    /**
     * Writes the llama model {@code spec} describes with {@code chatTemplate} as its {@code tokenizer.chat_template},
     * or none when null.
     */
    public static void writeTinyLlama(TinyLlamaSpec spec, String chatTemplate, Path out) throws IOException {
        writeTiny(spec, Architecture.LLAMA, chatTemplate, out);
    }

    /**
     * Writes the model {@code spec} describes in architecture {@code arch}, with {@code chatTemplate} as its {@code
     * tokenizer.chat_template} (the Jinja source a server renders prompts with) and the template's special tokens
     * in its vocabulary, or neither when null. The same arguments always give the same bytes.
     */
    public static void writeTiny(TinyLlamaSpec spec, Architecture arch, String chatTemplate, Path out)
            throws IOException {
        GgufWriter w =
                TinyModel.build(spec, arch, chatTemplate == null ? List.of() : TinyModel.specialTokens(chatTemplate));
        if (chatTemplate != null) {
            w.string("tokenizer.chat_template", chatTemplate);
        }
        w.write(out);
    }

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

    void tensor(String name, long[] ne, TensorType type, TensorData data) {
        if (type == TensorType.Q8_0 && ne[0] % 32 != 0) {
            throw new IllegalArgumentException(name + ": first dimension " + ne[0] + " is not a multiple of 32");
        }
        tensors.add(new Tensor(name, ne.clone(), type, data));
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
        header.put("GGUF".getBytes(StandardCharsets.US_ASCII))
                .putInt(3)
                .putLong(tensors.size())
                .putLong(kvCount);
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
                throw new IllegalStateException(
                        "tensor " + t.name() + " at " + dataWritten + ", expected " + offsets[i]);
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
