package dev.anyclaude.engine;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine: one llama.cpp context whose sequences are the slots, exact prefix reuse, copying
 * a resident prefix between sequences, saving and restoring slot states, and continuous batching of
 * every running request. Which slot a prompt gets is {@link SlotTable}'s business; the native work is
 * {@link Batcher}'s, on its one thread.
 *
 * <p>The gateway owns the KV cache here. Each slot's exact token list is kept next to its sequence, so
 * reuse is the longest common prefix of that list and the new prompt, the divergent tail is removed
 * from the cache, only the rest is computed, and the reused count reported is exact. Nothing is ever
 * shifted or truncated: a prompt that does not fit is refused, generation stops when the context is
 * full.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    /** Sampling and length settings of one generation. */
    /**
     * How to sample one request.
     *
     * @param grammar what constrains the output, or null for nothing
     */
    public record Params(int maxTokens, double temperature, int topK, double topP, int seed, Grammar grammar) {
        public Params(int maxTokens, double temperature, int topK, double topP, int seed) {
            this(maxTokens, temperature, topK, topP, seed, null);
        }

        public Params withGrammar(Grammar g) {
            return new Params(maxTokens, temperature, topK, topP, seed, g);
        }
    }

    /** Receives a generation as it happens, on the thread that called {@link #generate}. */
    public interface Listener {
        /** The prompt is placed: {@code reused} of its {@code promptTokens} come from the cache. */
        void started(int slot, int promptTokens, int reused) throws IOException;

        /** A generated token; return true to stop after it. */
        boolean token(int token) throws IOException;
    }

    /** Why generation stopped. */
    public enum Stop {
        END_OF_GENERATION,
        LISTENER,
        MAX_TOKENS,
        CONTEXT_FULL
    }

    /** The outcome of a generation. */
    public record Generation(int slot, int promptTokens, int reusedTokens, boolean restored, int[] output, Stop stop) {}

    private final NativeModel model;
    private final EngineConfig config;
    public final int nCtx;
    private final Slot[] slots;
    private final StateStore store;
    private final SlotTable table;
    private final Batcher batcher;
    private boolean closed;

    public Engine(NativeModel model, EngineConfig config) {
        this(model, config, Clock.SYSTEM);
    }

    /** @param clock times how long a request waits in line for a slot */
    public Engine(NativeModel model, EngineConfig config, Clock clock) {
        this.model = model;
        this.config = config;
        this.nCtx = config.ctxPerSlot() > 0 ? config.ctxPerSlot() : Math.min(model.nCtxTrain, 32768);
        this.slots = new Slot[config.slots()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i);
        }
        AtomicLong uses = new AtomicLong();
        this.store = new StateStore(
                config.stateRamBytes(), config.stateDiskBytes(), config.stateDir(), uses::incrementAndGet);
        this.table = new SlotTable(slots, store, config.minPrefixTokens(), config.slotWait(), clock);
        this.batcher = new Batcher(model, config, nCtx, slots, store, table);
    }

    public int slotCount() {
        return slots.length;
    }

    public StateStore store() {
        return store;
    }

    /**
     * Runs one generation for {@code prompt}: waits for a slot, places the prompt (reusing, copying,
     * restoring, saving as needed), prefills the rest and generates, batched with every other running
     * generation. The listener runs on the calling thread.
     *
     * @throws GatewayException CONTEXT_OVERFLOW when the prompt exceeds a slot's context,
     *     BACKEND_OVERLOADED when no slot frees up in time, CANCELLED when the calling thread is
     *     interrupted
     * @throws IOException from the listener: the client left
     */
    public Generation generate(int[] prompt, Params params, Listener listener) throws IOException {
        if (prompt.length == 0) {
            throw GatewayException.invalid("messages: the rendered prompt is empty (expected: at least one token)");
        }
        if (prompt.length > nCtx) {
            throw GatewayException.contextOverflow(prompt.length, nCtx);
        }
        for (int t : prompt) {
            if (t < 0 || t >= model.nVocab) {
                throw new GatewayException(ErrorKind.INTERNAL, "token " + t + " outside the vocabulary");
            }
        }
        SlotTable.Lease lease = table.acquire(prompt);
        try {
            Batcher.Job job = new Batcher.Job(lease, prompt, params);
            if (!batcher.submit(job)) {
                throw new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "the embedded engine is shutting down");
            }
            return follow(job, listener);
        } finally {
            table.release(lease);
        }
    }

    /**
     * Hands the job's events to the listener until the batcher is done with the job. When the listener
     * stops, fails or the thread is interrupted, the job is told to stop and its end is still awaited: the
     * slot is the job's until the batcher has let go of it.
     */
    private Generation follow(Batcher.Job job, Listener listener) throws IOException {
        TokenList output = new TokenList();
        Stop stop = null;
        Throwable failure = null;
        boolean interrupted = false;
        Batcher.Event.Started started = null;
        while (true) {
            Batcher.Event e;
            try {
                e = job.events.take();
            } catch (InterruptedException ie) {
                interrupted = true;
                job.lease.cancelled = true;
                continue;
            }
            if (e instanceof Batcher.Event.Done done) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                if (failure == null && done.failure() != null) {
                    failure = done.failure();
                }
                if (failure == null && stop == null && interrupted) {
                    failure = cancelled();
                }
                if (failure instanceof IOException io) {
                    throw io;
                }
                if (failure instanceof RuntimeException r) {
                    throw r;
                }
                if (failure instanceof Error err) {
                    throw err;
                }
                return new Generation(
                        job.lease.slot.id,
                        job.prompt.length,
                        started == null ? 0 : started.reused(),
                        started != null && started.restored(),
                        output.toArray(),
                        stop != null ? stop : done.stop());
            }
            if (failure != null || stop != null) {
                continue; // past the end the listener asked for: drained, not delivered
            }
            try {
                if (e instanceof Batcher.Event.Started s) {
                    started = s;
                    listener.started(job.lease.slot.id, job.prompt.length, s.reused());
                } else if (e instanceof Batcher.Event.Token t) {
                    output.add(t.token());
                    if (listener.token(t.token())) {
                        stop = Stop.LISTENER;
                        job.stop = true;
                    }
                }
            } catch (IOException | RuntimeException | Error x) {
                failure = x;
                job.stop = true;
            }
        }
    }

    static GatewayException cancelled() {
        return new GatewayException(ErrorKind.CANCELLED, "the request was cancelled");
    }

    /**
     * Batches decoded so far ({@code [0]}) and how many of them carried tokens of more than one request
     * ({@code [1]}): concurrent requests share a batch instead of waiting for each other.
     */
    public long[] batches() {
        return batcher.batches();
    }

    /** Per-slot figures. */
    public List<SlotSnapshot> stats() {
        return table.stats();
    }

    /** KV bytes of the context (while allocated) plus saved states held in memory. */
    public long kvBytes() {
        return (batcher.contextAllocated() ? (long) slots.length * nCtx * model.kvBytesPerToken() : 0)
                + store.ramBytes();
    }

    /**
     * Empties idle slots; when no slot is busy the whole context is freed (allocated again on the next
     * request). Returns the KV bytes freed.
     */
    public long eraseIdleSlots() {
        return batcher.eraseIdle() ? (long) slots.length * nCtx * model.kvBytesPerToken() : 0;
    }

    public long dropSavedStates() {
        return store.dropRam();
    }

    /** Stops running requests (bounded wait), then frees the context and every saved state. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        table.close();
        batcher.close();
        store.close();
    }
}
