package dev.anyclaude.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded engine.
 *
 * @param modelPath the GGUF file
 * @param ctxPerSlot context (KV cells) of each slot; 0 for the model's training context, at most 32768
 * @param slots slots, each its own llama.cpp context and KV cache
 * @param threads CPU threads per slot for prompt processing and generation
 * @param batch tokens per {@code llama_decode} call while processing a prompt
 * @param stateRamBytes bound of saved slot states held in memory
 * @param stateDiskBytes bound of saved slot states spilled to disk; 0 for no disk tier
 * @param stateDir directory for spilled states; null for a private directory under the user cache
 * @param natives which llama.cpp libraries, accelerator, attention and KV-cache kernels
 * @param seed seed of sampling at temperature above 0; negative for a fresh random seed per request
 * @param slotWait how long a request waits for a free slot before the gateway answers overloaded
 * @param minPrefixTokens shortest shared prefix worth routing to, keeping or saving: shorter matches
 *     (a chat template's opening tokens) are treated as no match
 */
public record EngineConfig(
        Path modelPath,
        int ctxPerSlot,
        int slots,
        int threads,
        int batch,
        long stateRamBytes,
        long stateDiskBytes,
        Path stateDir,
        NativeOptions natives,
        long seed,
        Duration slotWait,
        int minPrefixTokens) {

    public static final long MIB = 1L << 20;

    public EngineConfig {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(slotWait, "slotWait");
        Objects.requireNonNull(natives, "natives");
        check(
                ctxPerSlot >= 0 && (ctxPerSlot == 0 || ctxPerSlot >= 16),
                "ctx: " + ctxPerSlot + " (expected: 0 for the model's own, or at least 16)");
        check(slots >= 1 && slots <= 64, "slots: " + slots + " (expected: 1 to 64)");
        check(threads >= 1 && threads <= 512, "threads: " + threads + " (expected: 1 to 512)");
        check(batch >= 1 && batch <= 65536, "batch: " + batch + " (expected: 1 to 65536)");
        check(stateRamBytes >= 0, "state RAM bytes: " + stateRamBytes + " (expected: 0 or more)");
        check(stateDiskBytes >= 0, "state disk bytes: " + stateDiskBytes + " (expected: 0 or more)");
        check(!slotWait.isNegative(), "slot wait: " + slotWait + " (expected: 0 or more)");
        check(minPrefixTokens >= 1, "min prefix tokens: " + minPrefixTokens + " (expected: 1 or more)");
    }

    /**
     * Defaults for a model file: context from the model, 2 slots, one thread per available core, batch
     * 2048, 1 GiB of saved states in memory and 8 GiB on disk, random seed, 120 s slot wait, 256-token
     * minimum prefix.
     */
    public static EngineConfig defaults(Path modelPath) {
        return new EngineConfig(
                modelPath,
                0,
                2,
                Math.max(1, Runtime.getRuntime().availableProcessors()),
                2048,
                1024 * MIB,
                8192 * MIB,
                null,
                NativeOptions.defaults(),
                -1,
                Duration.ofSeconds(120),
                256);
    }

    public EngineConfig withCtxPerSlot(int v) {
        return new EngineConfig(
                modelPath,
                v,
                slots,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withSlots(int v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                v,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withThreads(int v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                v,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withBatch(int v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                v,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withStateBytes(long ram, long disk) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                batch,
                ram,
                disk,
                stateDir,
                natives,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withStateDir(Path v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                v,
                natives,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withNatives(NativeOptions v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                v,
                seed,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withSeed(long v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                v,
                slotWait,
                minPrefixTokens);
    }

    public EngineConfig withSlotWait(Duration v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                seed,
                v,
                minPrefixTokens);
    }

    public EngineConfig withMinPrefixTokens(int v) {
        return new EngineConfig(
                modelPath,
                ctxPerSlot,
                slots,
                threads,
                batch,
                stateRamBytes,
                stateDiskBytes,
                stateDir,
                natives,
                seed,
                slotWait,
                v);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
