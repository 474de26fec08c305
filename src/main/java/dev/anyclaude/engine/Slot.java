package dev.anyclaude.engine;

import dev.anyclaude.prefix.SlotFigures;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One slot of the engine: a sequence of the engine's one llama.cpp context (its own KV stream) with the
 * exact tokens that sequence holds. Its id is its sequence id.
 *
 * <p>{@code tokens} changes only on the {@link Batcher}'s thread; the slot table reads the tokens of
 * idle slots under its lock, and the batcher changes an idle slot's tokens only under that lock.
 */
final class Slot {

    final int id;
    final TokenList tokens = new TokenList();
    long lastUsed;
    boolean busy;

    final SlotFigures figures = new SlotFigures();
    final AtomicLong saves = new AtomicLong();
    final AtomicLong restores = new AtomicLong();
    final AtomicLong copies = new AtomicLong();
    /** What the cache holds, published for stats readers that do not take the engine's lock. */
    volatile Snapshot snapshot = new Snapshot("", 0);

    record Snapshot(String fingerprint, int cachedTokens) {}

    Slot(int id) {
        this.id = id;
    }

    void publish() {
        snapshot = new Snapshot(tokens.fingerprint(1024), tokens.size());
    }

    /** Forgets the cache content (after a native failure the exact content is unknown). */
    void reset(LlamaContext context) {
        tokens.clear();
        if (context != null) {
            try {
                context.removeFrom(id, 0);
            } catch (RuntimeException e) {
                context.clear();
            }
        }
        publish();
    }
}
