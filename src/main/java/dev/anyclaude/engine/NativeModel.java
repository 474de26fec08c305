package dev.anyclaude.engine;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.DoubleConsumer;

/**
 * The one llama.cpp model of this process, with its tokenizer.
 *
 * <p>A model is loaded at most once per process and never freed: contexts of any number of engines
 * share it, and loading a second, different file is refused. This mirrors what the bundled library
 * tolerates (repeated load/free cycles leak native memory, see docs/embedded.md) and keeps the weights
 * mapped once however many slots use them. All methods are thread-safe: the vocabulary is read-only.
 */
public final class NativeModel {

    private static NativeModel loaded;

    final LlamaApi api;
    public final Path path;
    final MemorySegment model;
    final MemorySegment vocab;
    final int nVocab;
    public final int nCtxTrain;
    final int nEmbd;
    final int nLayer;
    final int nHead;
    final int nHeadKv;
    public final String description;
    public final String chatTemplate;
    private final AtomicReferenceArray<byte[]> pieces;

    private NativeModel(LlamaApi api, Path path, MemorySegment model) {
        this.api = api;
        this.path = path;
        this.model = model;
        this.vocab = api.modelGetVocab(model);
        this.nVocab = api.vocabNTokens(vocab);
        this.nCtxTrain = api.modelNCtxTrain(model);
        this.nEmbd = api.modelNEmbd(model);
        this.nLayer = api.modelNLayer(model);
        this.nHead = api.modelNHead(model);
        this.nHeadKv = api.modelNHeadKv(model);
        this.description = api.modelDesc(model) + ", " + api.modelNParams(model) + " parameters, "
                + api.modelSize(model) + " bytes";
        this.chatTemplate = api.modelChatTemplate(model);
        this.pieces = new AtomicReferenceArray<>(nVocab);
    }

    /**
     * The model at {@code path}, loading it (and, the first time, the libraries {@code natives} names)
     * on first use. Loading another file after one is loaded is
     * refused: one native model per process.
     */
    public static synchronized NativeModel load(NativeOptions natives, Path path, DoubleConsumer progress) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("model file: " + path + " cannot be read (" + e + ")", e);
        }
        requireGguf(path, real);
        if (loaded != null) {
            if (!loaded.path.equals(real)) {
                throw new IllegalStateException("model file: " + path + " cannot be loaded, this process already runs "
                        + loaded.path + " (expected: one model per process)");
            }
            return loaded;
        }
        LlamaApi api = LlamaApi.get(natives.llamaLib(), natives.gpu());
        MemorySegment model = api.modelLoad(real, natives.gpuLayers(), progress);
        if (model.equals(MemorySegment.NULL)) {
            throw new IllegalArgumentException("model file: " + path
                    + " could not be loaded by llama.cpp (expected: a GGUF model of an architecture llama.cpp "
                    + NpmNatives.RELEASE + " supports)");
        }
        loaded = new NativeModel(api, real, model);
        return loaded;
    }

    /** Tokens in the model's vocabulary. */
    public int vocabSize() {
        return nVocab;
    }

    /** The llama.cpp libraries the model runs on. */
    public NativeLibrary library() {
        return api.library();
    }

    /**
     * One line for logs and {@code /health}: release, commit, version string of the library, what ggml
     * loaded for this machine and where the libraries came from, e.g. {@code llama.cpp v0.5.0 (de3ff81,
     * 0.5.0-dev), CPU (AMD EPYC) via libggml-cpu-zen4, from npm @node-llama-cpp/linux-x64@3.22.1}.
     */
    public String engineLine() {
        NativeLibrary lib = api.library();
        String variant = lib.variant().isEmpty() ? "" : " via " + lib.variant();
        return "llama.cpp " + NpmNatives.RELEASE + " (" + NpmNatives.COMMIT + ", " + api.version() + "), "
                + lib.devices().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(", "))
                + variant + ", from " + lib.source();
    }

    /** {@code llama_version()} of the loaded library. */
    public String libraryVersion() {
        return api.version();
    }

    /** Refuses anything but a GGUF file before llama.cpp parses it. */
    private static void requireGguf(Path path, Path real) {
        byte[] magic = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(real)) {
            n = in.readNBytes(magic, 0, 4);
        } catch (IOException e) {
            throw new IllegalArgumentException("model file: " + path + " cannot be read (" + e + ")", e);
        }
        if (n < 4 || !new String(magic, StandardCharsets.ISO_8859_1).equals("GGUF")) {
            throw new IllegalArgumentException("model file: " + path + " is not a GGUF file (expected: a .gguf model)");
        }
    }

    /** KV-cache bytes per token of one sequence with f16 keys and values. */
    public long kvBytesPerToken() {
        long headDim = nEmbd / Math.max(1, nHead);
        return (long) nLayer * 2 * headDim * nHeadKv * 2;
    }

    /**
     * Tokenizes text as a prompt: BOS added when the vocabulary asks for it, and special-token text
     * (a template's {@code <|im_start|>}) read as the special token, as llama.cpp's server does.
     */
    public int[] tokenize(String text) {
        return tokenize(text, true);
    }

    /** Tokenizes a piece of text with special-token text read as the special token, and no BOS. */
    public int[] tokenizeSpecial(String text) {
        return tokenize(text, false);
    }

    private int[] tokenize(String text, boolean addBos) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(1, utf8.length));
            MemorySegment.copy(utf8, 0, in, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, utf8.length);
            int capacity = utf8.length + 8;
            MemorySegment out = arena.allocate(JAVA_INT, capacity);
            int n = api.tokenize(vocab, in, utf8.length, out, capacity, addBos, true);
            if (n < 0) {
                capacity = -n;
                out = arena.allocate(JAVA_INT, capacity);
                n = api.tokenize(vocab, in, utf8.length, out, capacity, addBos, true);
            }
            if (n < 0) {
                throw new IllegalStateException("tokenizer asked for " + (-n) + " tokens after resizing");
            }
            return out.asSlice(0, 4L * n).toArray(JAVA_INT);
        }
    }

    /** The BOS and EOS texts a chat template sees, and whether the tokenizer adds them itself. */
    public dev.anyclaude.template.TemplateTokens templateTokens() {
        return new dev.anyclaude.template.TemplateTokens(
                tokenText(api.vocabBos(vocab)),
                tokenText(api.vocabEos(vocab)),
                api.vocabGetAddBos(vocab),
                api.vocabGetAddEos(vocab));
    }

    /** The text of a token ({@code <s>}, {@code <|im_end|>}), or "" for none (-1). */
    public String tokenText(int token) {
        return token < 0 || token >= nVocab ? "" : new String(piece(token), StandardCharsets.UTF_8);
    }

    /** The bytes a token stands for (special tokens as their text). */
    public byte[] piece(int token) {
        if (token < 0 || token >= nVocab) {
            throw new IllegalArgumentException("token " + token + " outside the vocabulary of " + nVocab);
        }
        byte[] cached = pieces.get(token);
        if (cached != null) {
            return cached;
        }
        try (Arena arena = Arena.ofConfined()) {
            int len = 64;
            MemorySegment buf = arena.allocate(len);
            int n = api.tokenToPiece(vocab, token, buf, len, true);
            if (n < 0) {
                len = -n;
                buf = arena.allocate(len);
                n = api.tokenToPiece(vocab, token, buf, len, true);
            }
            byte[] bytes = n <= 0 ? new byte[0] : buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            pieces.set(token, bytes);
            return bytes;
        }
    }

    /** The text of a token sequence, with invalid UTF-8 replaced. */
    public String detokenize(int[] tokens) {
        Utf8Stream utf8 = new Utf8Stream();
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            sb.append(utf8.accept(piece(t)));
        }
        return sb.append(utf8.finish()).toString();
    }

    public boolean isEndOfGeneration(int token) {
        return api.vocabIsEog(vocab, token);
    }

    public String fileStem() {
        String name = path.getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
