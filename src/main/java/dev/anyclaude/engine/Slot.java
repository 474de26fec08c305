package dev.anyclaude.engine;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import dev.anyclaude.l1.SlotFigures;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One slot of the engine: a llama.cpp context of its own (its own KV cache, so slots never slow each
 * other's attention down) with the exact tokens that cache holds, and the platform thread all of the
 * slot's native work runs on.
 *
 * <p>Why a platform thread: a native call pins the virtual thread that makes it to its carrier for the
 * whole call, and a prompt prefill is seconds of native code. On virtual threads two busy slots would
 * occupy every carrier of a 2-core machine and starve the HTTP server.
 *
 * <p>{@code context}, {@code tokens} and {@code lastUsed} are guarded by the engine: the engine's lock
 * while the slot is idle, the slot's own worker while it is busy (the busy flag changes under the
 * lock, which orders the two).
 */
final class Slot {

    final int id;
    final ExecutorService worker;
    volatile LlamaContext context;
    final TokenList tokens = new TokenList();
    long lastUsed;
    boolean busy;

    final SlotFigures figures = new SlotFigures();
    final AtomicLong saves = new AtomicLong();
    final AtomicLong restores = new AtomicLong();
    /** What the cache holds, published for stats readers that do not take the engine's lock. */
    volatile Snapshot snapshot = new Snapshot("", 0);

    record Snapshot(String fingerprint, int cachedTokens) {}

    Slot(int id) {
        this.id = id;
        this.worker = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("anyclaude-slot-" + id).factory());
    }

    void publish() {
        snapshot = new Snapshot(tokens.fingerprint(1024), tokens.size());
    }

    /** Forgets the cache content (after a native failure the exact content is unknown). */
    void reset() {
        tokens.clear();
        if (context != null) {
            context.clear();
        }
        publish();
    }
}
