package dev.anyclaude.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The tiny generated models the embedded tests run on: written once into {@code target/test-models/}
 * (reused by later runs and JVMs, since the same spec always gives the same bytes).
 */
public final class TestModels {

    /** 256 wide, 4 layers: loads in well under a second, prefills a few thousand tokens per second. */
    static final TinyLlamaSpec TINY = new TinyLlamaSpec(256, 4, 4, 2, 704, 16384, 1);

    private TestModels() {}

    public static synchronized Path tiny() {
        Path file =
                Path.of("target", "test-models", "tiny-256x4-gqa2-seed1.gguf").toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            try {
                GgufWriter.writeTinyLlama(TINY, file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return file;
    }

    /** The process-wide native model, loaded from {@link #tiny()}. */
    static NativeModel nativeTiny() {
        return NativeModel.load(NativeOptions.defaults(), tiny(), null);
    }

    /** The tiny model in a small, deterministic configuration: 1,024 cells per slot, one thread. */
    public static EngineConfig config(int slots) {
        return EngineConfig.defaults(TestModels.tiny())
                .withCtxPerSlot(1024)
                .withSlots(slots)
                .withThreads(1)
                .withBatch(256)
                .withStateBytes(64 * EngineConfig.MIB, 0)
                .withSeed(7)
                .withSlotWait(Duration.ofSeconds(60))
                .withMinPrefixTokens(16);
    }

    /**
     * {@link #config} without flash attention: llama.cpp v0.5.0's CPU flash-attention kernel gives
     * results that depend on how a prompt was split into batches (a warm turn that prefills 50 tokens
     * after 500 reused ones, against a cold prefill of all 550, differed in 1 of 40 greedy tokens), so
     * tests that demand token-identical output with and without reuse turn it off, as a user who needs
     * that can (--flash-attn off).
     */
    public static EngineConfig splitInvariantConfig(int slots) {
        return config(slots)
                .withNatives(new NativeOptions(
                        null, Accelerator.AUTO, -1, NativeOptions.FlashAttention.OFF, NativeOptions.KvType.F16));
    }

    /** A prompt of about {@code n} tokens, different for each {@code seed}. */
    public static String text(int seed, int n) {
        StringBuilder sb = new StringBuilder();
        java.util.Random r = new java.util.Random(seed);
        while (sb.length() < n) {
            sb.append((char) ('a' + r.nextInt(26)));
            if (r.nextInt(6) == 0) {
                sb.append(' ');
            }
        }
        return sb.substring(0, n);
    }
}
