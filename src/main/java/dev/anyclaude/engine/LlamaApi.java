package dev.anyclaude.engine;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of llama.h (llama.cpp release v0.5.0, commit de3ff81) that the engine calls, bound with the
 * Java foreign function API.
 *
 * <p>Struct layouts are those of {@code include/llama.h} at that release. They change between
 * llama.cpp versions: {@link #verifyAbi()} checks the library's version and the defaults it returns
 * against what v0.5.0 writes ({@code llama_context_default_params} in {@code src/llama-context.cpp},
 * {@code llama_model_default_params} in {@code src/llama-model.cpp}), so a different build fails loudly
 * at start instead of corrupting memory.
 *
 * <p>Every method is a thin typed wrapper; validation of sizes, ids and positions is the caller's job.
 */
// Binding native code is what this class is for; the JVM runs with --enable-native-access.
@SuppressWarnings("restricted")
final class LlamaApi {

    private static final Logger NATIVE_LOG = LoggerFactory.getLogger("dev.anyclaude.engine.llama");
    private static final Linker LINKER = Linker.nativeLinker();

    /** {@code struct llama_model_params} of v0.5.0: 80 bytes. */
    static final StructLayout MODEL_PARAMS = MemoryLayout.structLayout(
            ADDRESS.withName("devices"),
            ADDRESS.withName("tensor_buft_overrides"),
            JAVA_INT.withName("n_gpu_layers"),
            JAVA_INT.withName("split_mode"),
            JAVA_INT.withName("load_mode"),
            JAVA_INT.withName("lazy_mode"),
            JAVA_INT.withName("main_gpu"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("tensor_split"),
            ADDRESS.withName("progress_callback"),
            ADDRESS.withName("progress_callback_user_data"),
            ADDRESS.withName("kv_overrides"),
            JAVA_BOOLEAN.withName("vocab_only"),
            JAVA_BOOLEAN.withName("check_tensors"),
            JAVA_BOOLEAN.withName("use_extra_bufts"),
            JAVA_BOOLEAN.withName("no_host"),
            JAVA_BOOLEAN.withName("no_alloc"),
            JAVA_BOOLEAN.withName("load_mtp"),
            MemoryLayout.paddingLayout(2));

    /** {@code struct llama_context_params} of v0.5.0: 160 bytes. */
    static final StructLayout CONTEXT_PARAMS = MemoryLayout.structLayout(
            JAVA_INT.withName("n_ctx"),
            JAVA_INT.withName("n_batch"),
            JAVA_INT.withName("n_ubatch"),
            JAVA_INT.withName("n_seq_max"),
            JAVA_INT.withName("n_rs_seq"),
            JAVA_INT.withName("n_outputs_max"),
            JAVA_INT.withName("n_outputs_max_per_seq"),
            JAVA_INT.withName("n_threads"),
            JAVA_INT.withName("n_threads_batch"),
            JAVA_INT.withName("ctx_type"),
            JAVA_INT.withName("rope_scaling_type"),
            JAVA_INT.withName("pooling_type"),
            JAVA_INT.withName("attention_type"),
            JAVA_INT.withName("flash_attn_type"),
            JAVA_FLOAT.withName("rope_freq_base"),
            JAVA_FLOAT.withName("rope_freq_scale"),
            JAVA_FLOAT.withName("yarn_ext_factor"),
            JAVA_FLOAT.withName("yarn_attn_factor"),
            JAVA_FLOAT.withName("yarn_beta_fast"),
            JAVA_FLOAT.withName("yarn_beta_slow"),
            JAVA_INT.withName("yarn_orig_ctx"),
            JAVA_FLOAT.withName("defrag_thold"),
            ADDRESS.withName("cb_eval"),
            ADDRESS.withName("cb_eval_user_data"),
            JAVA_INT.withName("type_k"),
            JAVA_INT.withName("type_v"),
            ADDRESS.withName("abort_callback"),
            ADDRESS.withName("abort_callback_data"),
            JAVA_BOOLEAN.withName("embeddings"),
            JAVA_BOOLEAN.withName("offload_kqv"),
            JAVA_BOOLEAN.withName("no_perf"),
            JAVA_BOOLEAN.withName("op_offload"),
            JAVA_BOOLEAN.withName("swa_full"),
            JAVA_BOOLEAN.withName("kv_unified"),
            MemoryLayout.paddingLayout(2),
            ADDRESS.withName("samplers"),
            JAVA_LONG.withName("n_samplers"),
            ADDRESS.withName("ctx_other"));

    static final StructLayout BATCH = MemoryLayout.structLayout(
            JAVA_INT.withName("n_tokens"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("token"),
            ADDRESS.withName("embd"),
            ADDRESS.withName("pos"),
            ADDRESS.withName("n_seq_id"),
            ADDRESS.withName("seq_id"),
            ADDRESS.withName("logits"));

    static final StructLayout SAMPLER_CHAIN_PARAMS = MemoryLayout.structLayout(JAVA_BOOLEAN.withName("no_perf"));

    static final long MODEL_N_GPU_LAYERS = offset(MODEL_PARAMS, "n_gpu_layers");
    static final long MODEL_PROGRESS_CALLBACK = offset(MODEL_PARAMS, "progress_callback");
    static final long CTX_N_CTX = offset(CONTEXT_PARAMS, "n_ctx");
    static final long CTX_N_BATCH = offset(CONTEXT_PARAMS, "n_batch");
    static final long CTX_N_UBATCH = offset(CONTEXT_PARAMS, "n_ubatch");
    static final long CTX_N_SEQ_MAX = offset(CONTEXT_PARAMS, "n_seq_max");
    static final long CTX_N_THREADS = offset(CONTEXT_PARAMS, "n_threads");
    static final long CTX_N_THREADS_BATCH = offset(CONTEXT_PARAMS, "n_threads_batch");
    static final long CTX_FLASH_ATTN = offset(CONTEXT_PARAMS, "flash_attn_type");
    static final long CTX_TYPE_K = offset(CONTEXT_PARAMS, "type_k");
    static final long CTX_TYPE_V = offset(CONTEXT_PARAMS, "type_v");
    static final long CTX_NO_PERF = offset(CONTEXT_PARAMS, "no_perf");
    static final long CTX_KV_UNIFIED = offset(CONTEXT_PARAMS, "kv_unified");

    private final MethodHandle backendInit;
    private final MethodHandle modelDefaultParams;
    private final MethodHandle contextDefaultParams;
    private final MethodHandle modelLoadFromFile;
    private final MethodHandle modelGetVocab;
    private final MethodHandle modelChatTemplate;
    private final MethodHandle modelNCtxTrain;
    private final MethodHandle modelNEmbd;
    private final MethodHandle modelNLayer;
    private final MethodHandle modelNHead;
    private final MethodHandle modelNHeadKv;
    private final MethodHandle modelDesc;
    private final MethodHandle modelSize;
    private final MethodHandle modelNParams;
    private final MethodHandle initFromModel;
    private final MethodHandle free;
    private final MethodHandle nCtx;
    private final MethodHandle vocabNTokens;
    private final MethodHandle vocabIsEog;
    private final MethodHandle vocabBos;
    private final MethodHandle vocabEos;
    private final MethodHandle vocabGetAddBos;
    private final MethodHandle vocabGetAddEos;
    private final MethodHandle tokenize;
    private final MethodHandle tokenToPiece;
    private final MethodHandle batchInit;
    private final MethodHandle batchFree;
    private final MethodHandle decode;
    private final MethodHandle getMemory;
    private final MethodHandle version;
    private final MethodHandle systemInfo;
    private final MethodHandle kvSeqRm;
    private final MethodHandle kvClear;
    private final MethodHandle kvSeqPosMax;
    private final MethodHandle kvSeqCp;
    private final MethodHandle stateSeqGetSize;
    private final MethodHandle stateSeqGetData;
    private final MethodHandle stateSeqSetData;
    private final MethodHandle samplerChainInit;
    private final MethodHandle samplerChainAdd;
    private final MethodHandle samplerInitGreedy;
    private final MethodHandle samplerInitDist;
    private final MethodHandle samplerInitTopK;
    private final MethodHandle samplerInitTopP;
    private final MethodHandle samplerInitTemp;
    private final MethodHandle samplerSample;
    private final MethodHandle samplerFree;
    private final MethodHandle samplerInitGrammar;
    private final MethodHandle samplerInitGrammarLazyPatterns;

    private static volatile LlamaApi instance;
    private static final List<String> LOADED_BACKENDS = new CopyOnWriteArrayList<>();
    private static final Pattern LOADED_BACKEND = Pattern.compile("loaded (\\S+) backend from (\\S+)");

    private final NativeLibrary library;

    private LlamaApi(NativeLibrary library) {
        this.library = library;
        SymbolLookup lib = library.llama();
        backendInit = bind(lib, "llama_backend_init", FunctionDescriptor.ofVoid());
        modelDefaultParams = bind(lib, "llama_model_default_params", FunctionDescriptor.of(MODEL_PARAMS));
        contextDefaultParams = bind(lib, "llama_context_default_params", FunctionDescriptor.of(CONTEXT_PARAMS));
        modelLoadFromFile =
                bind(lib, "llama_model_load_from_file", FunctionDescriptor.of(ADDRESS, ADDRESS, MODEL_PARAMS));
        modelGetVocab = bind(lib, "llama_model_get_vocab", FunctionDescriptor.of(ADDRESS, ADDRESS));
        modelChatTemplate = bind(lib, "llama_model_chat_template", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        modelNCtxTrain = bind(lib, "llama_model_n_ctx_train", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNEmbd = bind(lib, "llama_model_n_embd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNLayer = bind(lib, "llama_model_n_layer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNHead = bind(lib, "llama_model_n_head", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelNHeadKv = bind(lib, "llama_model_n_head_kv", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        modelDesc = bind(lib, "llama_model_desc", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        modelSize = bind(lib, "llama_model_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        modelNParams = bind(lib, "llama_model_n_params", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        initFromModel = bind(lib, "llama_init_from_model", FunctionDescriptor.of(ADDRESS, ADDRESS, CONTEXT_PARAMS));
        free = bind(lib, "llama_free", FunctionDescriptor.ofVoid(ADDRESS));
        nCtx = bind(lib, "llama_n_ctx", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabNTokens = bind(lib, "llama_vocab_n_tokens", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabIsEog = bind(lib, "llama_vocab_is_eog", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT));
        vocabBos = bind(lib, "llama_vocab_bos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabEos = bind(lib, "llama_vocab_eos", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        vocabGetAddBos = bind(lib, "llama_vocab_get_add_bos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        vocabGetAddEos = bind(lib, "llama_vocab_get_add_eos", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
        tokenize = bind(
                lib,
                "llama_tokenize",
                FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_BOOLEAN, JAVA_BOOLEAN));
        tokenToPiece = bind(
                lib,
                "llama_token_to_piece",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_BOOLEAN));
        batchInit = bind(lib, "llama_batch_init", FunctionDescriptor.of(BATCH, JAVA_INT, JAVA_INT, JAVA_INT));
        batchFree = bind(lib, "llama_batch_free", FunctionDescriptor.ofVoid(BATCH));
        decode = bind(lib, "llama_decode", FunctionDescriptor.of(JAVA_INT, ADDRESS, BATCH));
        getMemory = bind(lib, "llama_get_memory", FunctionDescriptor.of(ADDRESS, ADDRESS));
        kvSeqRm = bind(
                lib, "llama_memory_seq_rm", FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
        kvClear = bind(lib, "llama_memory_clear", FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
        kvSeqPosMax = bind(lib, "llama_memory_seq_pos_max", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        kvSeqCp = bind(
                lib, "llama_memory_seq_cp", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        version = bind(lib, "llama_version", FunctionDescriptor.of(ADDRESS));
        systemInfo = bind(lib, "llama_print_system_info", FunctionDescriptor.of(ADDRESS));
        stateSeqGetSize = bind(lib, "llama_state_seq_get_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
        stateSeqGetData = bind(
                lib,
                "llama_state_seq_get_data",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        stateSeqSetData = bind(
                lib,
                "llama_state_seq_set_data",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
        samplerChainInit = bind(lib, "llama_sampler_chain_init", FunctionDescriptor.of(ADDRESS, SAMPLER_CHAIN_PARAMS));
        samplerChainAdd = bind(lib, "llama_sampler_chain_add", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        samplerInitGreedy = bind(lib, "llama_sampler_init_greedy", FunctionDescriptor.of(ADDRESS));
        samplerInitDist = bind(lib, "llama_sampler_init_dist", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        samplerInitTopK = bind(lib, "llama_sampler_init_top_k", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        samplerInitTopP = bind(lib, "llama_sampler_init_top_p", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT, JAVA_LONG));
        samplerInitTemp = bind(lib, "llama_sampler_init_temp", FunctionDescriptor.of(ADDRESS, JAVA_FLOAT));
        samplerSample = bind(lib, "llama_sampler_sample", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        samplerFree = bind(lib, "llama_sampler_free", FunctionDescriptor.ofVoid(ADDRESS));
        samplerInitGrammar =
                bind(lib, "llama_sampler_init_grammar", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        samplerInitGrammarLazyPatterns = bind(
                lib,
                "llama_sampler_init_grammar_lazy_patterns",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
    }

    /**
     * The bindings, loading the libraries on first use: from {@code llamaLib} when it is not null, else
     * the npm package of the pinned release for this machine and {@code gpu}. The libraries are loaded
     * once per process; a later call gets the same bindings whatever it asks for.
     */
    static LlamaApi get(Path llamaLib, Accelerator gpu) {
        if (llamaLib == null) {
            NpmNatives.platform(gpu); // an accelerator this machine cannot have is refused even once loaded
        }
        LlamaApi api = instance;
        if (api != null) {
            return api;
        }
        synchronized (LlamaApi.class) {
            if (instance == null) {
                NativeLibrary library = NativeLibrary.open(
                        llamaLib, gpu, LlamaApi::routeLogs, () -> String.join(", ", LOADED_BACKENDS));
                LlamaApi created = new LlamaApi(library);
                created.verifyAbi();
                created.backendInit();
                instance = created;
            }
            return instance;
        }
    }

    /** The libraries the bindings run on. */
    NativeLibrary library() {
        return library;
    }

    private static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private static MethodHandle bind(SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment symbol = lib.find(name)
                .orElseThrow(() -> new IllegalStateException("the llama.cpp library has no symbol " + name
                        + " (expected: release " + NpmNatives.RELEASE + ")"));
        return LINKER.downcallHandle(symbol, fd);
    }

    private static IllegalStateException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    /**
     * Refuses a library that is not the ABI this binding was written for: its {@code llama_version()}
     * must be of the pinned release, and the default parameters it returns must read back, through this
     * binding's struct layouts, as that release writes them (a struct that grew or moved a field reads
     * as garbage here, before anything is passed to the library).
     */
    void verifyAbi() {
        String v = version();
        String expected = NpmNatives.RELEASE.substring(1); // 0.5.0
        if (!v.equals(expected) && !v.startsWith(expected + "-")) {
            throw new IllegalStateException(
                    "the llama.cpp library in " + library.dir() + " is version " + v + " (expected: " + expected
                            + ", the release the binding is written for; omit --llama-lib to use it)");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment c = contextDefaultParams(arena);
            boolean ok = c.get(JAVA_INT, CTX_N_CTX) == 512
                    && c.get(JAVA_INT, CTX_N_BATCH) == 2048
                    && c.get(JAVA_INT, CTX_N_UBATCH) == 512
                    && c.get(JAVA_INT, CTX_N_SEQ_MAX) == 1
                    && c.get(JAVA_INT, offset(CONTEXT_PARAMS, "n_outputs_max_per_seq")) == 1
                    && c.get(JAVA_INT, CTX_FLASH_ATTN) == -1 // LLAMA_FLASH_ATTN_TYPE_AUTO
                    && c.get(JAVA_FLOAT, offset(CONTEXT_PARAMS, "yarn_ext_factor")) == -1f
                    && c.get(JAVA_INT, CTX_TYPE_K) == 1 // GGML_TYPE_F16
                    && c.get(JAVA_INT, CTX_TYPE_V) == 1
                    && c.get(JAVA_BYTE, offset(CONTEXT_PARAMS, "offload_kqv")) == 1
                    && c.get(JAVA_BYTE, CTX_NO_PERF) == 1
                    && c.get(JAVA_BYTE, offset(CONTEXT_PARAMS, "swa_full")) == 1
                    && c.get(JAVA_BYTE, CTX_KV_UNIFIED) == 0
                    && c.get(ADDRESS, offset(CONTEXT_PARAMS, "samplers")).equals(MemorySegment.NULL)
                    && c.get(JAVA_LONG, offset(CONTEXT_PARAMS, "n_samplers")) == 0
                    && c.get(ADDRESS, offset(CONTEXT_PARAMS, "ctx_other")).equals(MemorySegment.NULL);
            MemorySegment m = modelDefaultParams(arena);
            ok &= m.get(JAVA_INT, MODEL_N_GPU_LAYERS) == -1
                    && m.get(JAVA_INT, offset(MODEL_PARAMS, "split_mode")) == 1 // LAYER
                    && m.get(JAVA_INT, offset(MODEL_PARAMS, "load_mode")) == -1 // AUTO
                    && m.get(JAVA_INT, offset(MODEL_PARAMS, "lazy_mode")) == 1 // AUTO
                    && m.get(JAVA_BYTE, offset(MODEL_PARAMS, "use_extra_bufts")) == 1
                    && m.get(JAVA_BYTE, offset(MODEL_PARAMS, "vocab_only")) == 0
                    && m.get(JAVA_BYTE, offset(MODEL_PARAMS, "load_mtp")) == 0;
            if (!ok) {
                throw new IllegalStateException("the llama.cpp library in " + library.dir() + " says version " + v
                        + " but its parameter structs do not match release " + NpmNatives.RELEASE
                        + " (a build of another commit?); omit --llama-lib to use the pinned one");
            }
        }
    }

    /** {@code llama_version()}, e.g. {@code 0.5.0-dev}. */
    String version() {
        try {
            return ((MemorySegment) version.invokeExact()).reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code llama_print_system_info()}: the CPU features the loaded backend uses. */
    String systemInfo() {
        try {
            return ((MemorySegment) systemInfo.invokeExact())
                    .reinterpret(1 << 16)
                    .getString(0)
                    .strip();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void routeLogs(SymbolLookup lib) {
        MethodHandle logSet = bind(lib, "llama_log_set", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        try {
            MethodHandle target = MethodHandles.lookup()
                    .findStatic(
                            LlamaApi.class,
                            "onLog",
                            MethodType.methodType(void.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment stub =
                    LINKER.upcallStub(target, FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            logSet.invokeExact(stub, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Receives llama.cpp and ggml log lines; must never throw, since it runs inside native code. */
    private static void onLog(int level, MemorySegment text, MemorySegment userData) {
        try {
            String line = text.reinterpret(1 << 20).getString(0).stripTrailing();
            if (line.isEmpty()) {
                return;
            }
            Matcher loaded = LOADED_BACKEND.matcher(line);
            if (loaded.find()) {
                String file = loaded.group(2);
                String stem = file.substring(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
                LOADED_BACKENDS.add(stem.replaceFirst("\\.(so|dylib|dll).*$", ""));
            }
            switch (level) {
                case 4 -> NATIVE_LOG.error(line);
                case 3 -> {
                    if (isExpected(line)) {
                        NATIVE_LOG.debug(line);
                    } else {
                        NATIVE_LOG.warn(line);
                    }
                }
                case 2 -> NATIVE_LOG.debug(line);
                default -> NATIVE_LOG.trace(line);
            }
        } catch (Throwable ignored) {
            // A log line is never worth a crash of the process.
        }
    }

    /**
     * Warnings that are expected here and say nothing to an operator: slots smaller than the model's
     * training context are the norm, and a vocabulary whose EOS is {@code </s>} gets it added as
     * end-of-generation by llama.cpp itself.
     */
    private static boolean isExpected(String line) {
        return line.contains("n_ctx_per_seq") || line.contains("special_eos_id is not in special_eog_ids");
    }

    void backendInit() {
        try {
            backendInit.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment modelDefaultParams(SegmentAllocator a) {
        try {
            return (MemorySegment) modelDefaultParams.invokeExact(a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment contextDefaultParams(SegmentAllocator a) {
        try {
            return (MemorySegment) contextDefaultParams.invokeExact(a);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Loads a model with {@code gpuLayers} layers offloaded (-1: all), reporting progress in [0, 1] to
     * {@code progress} (may be null). NULL on failure.
     */
    MemorySegment modelLoad(Path path, int gpuLayers, DoubleConsumer progress) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment params = modelDefaultParams(arena);
            params.set(JAVA_INT, MODEL_N_GPU_LAYERS, gpuLayers);
            if (progress != null) {
                MethodHandle target = MethodHandles.lookup()
                        .findStatic(
                                LlamaApi.class,
                                "onProgress",
                                MethodType.methodType(
                                        boolean.class, DoubleConsumer.class, float.class, MemorySegment.class))
                        .bindTo(progress);
                MemorySegment stub =
                        LINKER.upcallStub(target, FunctionDescriptor.of(JAVA_BOOLEAN, JAVA_FLOAT, ADDRESS), arena);
                params.set(ADDRESS, MODEL_PROGRESS_CALLBACK, stub);
            }
            return (MemorySegment) modelLoadFromFile.invokeExact(arena.allocateFrom(path.toString()), params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static boolean onProgress(DoubleConsumer listener, float progress, MemorySegment userData) {
        try {
            listener.accept(progress);
        } catch (Throwable ignored) {
            // Progress display is best effort; loading goes on.
        }
        return true;
    }

    MemorySegment modelGetVocab(MemorySegment model) {
        try {
            return (MemorySegment) modelGetVocab.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The model's default chat template, or null when the file has none. */
    String modelChatTemplate(MemorySegment model) {
        try {
            MemorySegment s = (MemorySegment) modelChatTemplate.invokeExact(model, MemorySegment.NULL);
            return s.equals(MemorySegment.NULL)
                    ? null
                    : s.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int modelNCtxTrain(MemorySegment model) {
        return intCall(modelNCtxTrain, model);
    }

    int modelNEmbd(MemorySegment model) {
        return intCall(modelNEmbd, model);
    }

    int modelNLayer(MemorySegment model) {
        return intCall(modelNLayer, model);
    }

    int modelNHead(MemorySegment model) {
        return intCall(modelNHead, model);
    }

    int modelNHeadKv(MemorySegment model) {
        return intCall(modelNHeadKv, model);
    }

    String modelDesc(MemorySegment model) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            int n = (int) modelDesc.invokeExact(model, buf, 256L);
            return n < 0 ? "" : buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long modelSize(MemorySegment model) {
        try {
            return (long) modelSize.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long modelNParams(MemorySegment model) {
        try {
            return (long) modelNParams.invokeExact(model);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Creates a context; {@code params} is a CONTEXT_PARAMS struct. NULL on failure. */
    MemorySegment initFromModel(MemorySegment model, MemorySegment params) {
        try {
            return (MemorySegment) initFromModel.invokeExact(model, params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void free(MemorySegment ctx) {
        try {
            free.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int nCtx(MemorySegment ctx) {
        return intCall(nCtx, ctx);
    }

    int vocabNTokens(MemorySegment vocab) {
        return intCall(vocabNTokens, vocab);
    }

    boolean vocabIsEog(MemorySegment vocab, int token) {
        try {
            return (boolean) vocabIsEog.invokeExact(vocab, token);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int vocabBos(MemorySegment vocab) {
        return intCall(vocabBos, vocab);
    }

    /** Whether the tokenizer adds a BOS token to a prompt itself. */
    boolean vocabGetAddBos(MemorySegment vocab) {
        try {
            return (boolean) vocabGetAddBos.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Whether the tokenizer adds an EOS token to a prompt itself. */
    boolean vocabGetAddEos(MemorySegment vocab) {
        try {
            return (boolean) vocabGetAddEos.invokeExact(vocab);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int vocabEos(MemorySegment vocab) {
        return intCall(vocabEos, vocab);
    }

    /** Tokenizes; returns the count, or minus the needed capacity when {@code max} is too small. */
    int tokenize(
            MemorySegment vocab,
            MemorySegment text,
            int textLen,
            MemorySegment tokens,
            int max,
            boolean addSpecial,
            boolean parseSpecial) {
        try {
            return (int) tokenize.invokeExact(vocab, text, textLen, tokens, max, addSpecial, parseSpecial);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Writes a token's text; returns its length, or minus the needed length when {@code len} is too small. */
    int tokenToPiece(MemorySegment vocab, int token, MemorySegment buf, int len, boolean special) {
        try {
            return (int) tokenToPiece.invokeExact(vocab, token, buf, len, 0, special);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment batchInit(SegmentAllocator a, int nTokens, int embd, int nSeqMax) {
        try {
            return (MemorySegment) batchInit.invokeExact(a, nTokens, embd, nSeqMax);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void batchFree(MemorySegment batch) {
        try {
            batchFree.invokeExact(batch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int decode(MemorySegment ctx, MemorySegment batch) {
        try {
            return (int) decode.invokeExact(ctx, batch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The context's memory (its KV cache), which the {@code kv*} calls take. */
    MemorySegment getMemory(MemorySegment ctx) {
        try {
            return (MemorySegment) getMemory.invokeExact(ctx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    boolean kvSeqRm(MemorySegment mem, int seq, int p0, int p1) {
        try {
            return (boolean) kvSeqRm.invokeExact(mem, seq, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void kvClear(MemorySegment mem) {
        try {
            kvClear.invokeExact(mem, true);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int kvSeqPosMax(MemorySegment mem, int seq) {
        try {
            return (int) kvSeqPosMax.invokeExact(mem, seq);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void kvSeqCp(MemorySegment mem, int src, int dst, int p0, int p1) {
        try {
            kvSeqCp.invokeExact(mem, src, dst, p0, p1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long stateSeqGetSize(MemorySegment ctx, int seq) {
        try {
            return (long) stateSeqGetSize.invokeExact(ctx, seq);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long stateSeqGetData(MemorySegment ctx, MemorySegment dst, long size, int seq) {
        try {
            return (long) stateSeqGetData.invokeExact(ctx, dst, size, seq);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    long stateSeqSetData(MemorySegment ctx, MemorySegment src, long size, int seq) {
        try {
            return (long) stateSeqSetData.invokeExact(ctx, src, size, seq);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerChainInit() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(SAMPLER_CHAIN_PARAMS);
            params.set(JAVA_BOOLEAN, 0, true); // no_perf
            return (MemorySegment) samplerChainInit.invokeExact(params);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void samplerChainAdd(MemorySegment chain, MemorySegment sampler) {
        try {
            samplerChainAdd.invokeExact(chain, sampler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitGreedy() {
        try {
            return (MemorySegment) samplerInitGreedy.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitDist(int seed) {
        try {
            return (MemorySegment) samplerInitDist.invokeExact(seed);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitTopK(int k) {
        try {
            return (MemorySegment) samplerInitTopK.invokeExact(k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitTopP(float p, long minKeep) {
        try {
            return (MemorySegment) samplerInitTopP.invokeExact(p, minKeep);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    MemorySegment samplerInitTemp(float temp) {
        try {
            return (MemorySegment) samplerInitTemp.invokeExact(temp);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    int samplerSample(MemorySegment sampler, MemorySegment ctx, int idx) {
        try {
            return (int) samplerSample.invokeExact(sampler, ctx, idx);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A grammar sampler over {@code vocab}: constrained from the first token, or, when {@code triggerPatterns} or
     * {@code triggerTokens} are given, only once the output matches a pattern (from its first match group on) or
     * a trigger token is sampled. Returns {@link MemorySegment#NULL} when llama.cpp cannot parse the grammar.
     */
    MemorySegment samplerInitGrammar(
            MemorySegment vocab,
            String gbnf,
            String root,
            java.util.List<String> triggerPatterns,
            int[] triggerTokens) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grammar = arena.allocateFrom(gbnf);
            MemorySegment rootName = arena.allocateFrom(root);
            if (triggerPatterns.isEmpty() && triggerTokens.length == 0) {
                return (MemorySegment) samplerInitGrammar.invokeExact(vocab, grammar, rootName);
            }
            MemorySegment patterns = arena.allocate(ADDRESS, Math.max(1, triggerPatterns.size()));
            for (int i = 0; i < triggerPatterns.size(); i++) {
                patterns.setAtIndex(ADDRESS, i, arena.allocateFrom(triggerPatterns.get(i)));
            }
            MemorySegment tokens =
                    triggerTokens.length == 0 ? arena.allocate(JAVA_INT) : arena.allocateFrom(JAVA_INT, triggerTokens);
            return (MemorySegment) samplerInitGrammarLazyPatterns.invokeExact(
                    vocab, grammar, rootName, patterns, (long) triggerPatterns.size(), tokens, (long)
                            triggerTokens.length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void samplerFree(MemorySegment sampler) {
        try {
            samplerFree.invokeExact(sampler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int intCall(MethodHandle h, MemorySegment arg) {
        try {
            return (int) h.invokeExact(arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
