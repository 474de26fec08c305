package dev.anyclaude.engine;

import dev.anyclaude.api.ErrorKind;
import dev.anyclaude.api.GatewayException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded engine: slots over one model, exact prefix reuse, saving and restoring slot states,
 * prefill and token generation. Which slot a prompt gets is {@link SlotTable}'s business.
 *
 * <p>The gateway owns the KV cache here. Each slot's exact token list is kept next to its cache, so
 * reuse is the longest common prefix of that list and the new prompt, the divergent tail is removed
 * from the cache, only the rest is computed, and the reused count reported is exact. Nothing is ever
 * shifted or truncated: a prompt that does not fit is refused, generation stops when the context is
 * full.
 *
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

    /** Receives a generation as it happens; runs on the slot's thread. */
    public interface Listener {
        /** The prompt is placed: {@code reused} of its {@code promptTokens} come from the cache. */
        void started(int slot, int promptTokens, int reused) throws IOException;

        /** A generated token; return true to stop after it. */
        boolean token(int token) throws IOException;
    }

    /** Why generation stopped. */
    public enum Stop { END_OF_GENERATION, LISTENER, MAX_TOKENS, CONTEXT_FULL }

    /** The outcome of a generation. */
    public record Generation(int slot, int promptTokens, int reusedTokens, boolean restored, int[] output, Stop stop) {}

    private final NativeModel model;
    private final EngineConfig config;
    public final int nCtx;
    private final Slot[] slots;
    private final StateStore store;
    private final SlotTable table;
    private boolean closed;

    public Engine(NativeModel model, EngineConfig config) {
        this.model = model;
        this.config = config;
        this.nCtx = config.ctxPerSlot() > 0 ? config.ctxPerSlot() : Math.min(model.nCtxTrain, 32768);
        this.slots = new Slot[config.slots()];
        AtomicLong clock = new AtomicLong();
        this.store = new StateStore(config.stateRamBytes(), config.stateDiskBytes(), config.stateDir(), clock::incrementAndGet);
        this.table = new SlotTable(slots, store, config.minPrefixTokens(), config.slotWait());
        try {
            for (int i = 0; i < slots.length; i++) {
                slots[i] = new Slot(i);
                slots[i].context = newContext();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private LlamaContext newContext() {
        NativeOptions n = config.natives();
        return new LlamaContext(model, nCtx, config.batch(), 1, config.threads(), n.flashAttention(), n.kvType(), false);
    }

    public int slotCount() {
        return slots.length;
    }

    public StateStore store() {
        return store;
    }

    /**
     * Runs one generation for {@code prompt}: waits for a slot, places the prompt (reusing, restoring,
     * saving as needed), prefills the rest and generates.
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
        Future<Generation> future;
        try {
            future = lease.slot.worker.submit(() -> serve(lease, prompt, params, listener));
        } catch (RuntimeException e) {
            table.release(lease);
            throw new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "the embedded engine is shutting down", e);
        }
        try {
            return await(future, lease);
        } finally {
            table.release(lease);
        }
    }

    private Generation await(Future<Generation> future, SlotTable.Lease lease) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    // The slot is ours until the worker is done with it, so stop it and keep waiting.
                    interrupted = true;
                    lease.cancelled = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new GatewayException(ErrorKind.INTERNAL, "embedded generation failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs on the slot's thread. */
    private Generation serve(SlotTable.Lease lease, int[] prompt, Params params, Listener listener) throws IOException {
        Slot slot = lease.slot;
        try {
            if (slot.context == null) {
                slot.context = newContext();
            }
            boolean restored = false;
            if (lease.choice.restore() != null) {
                saveIfReassigned(slot, 0);
                slot.context.clear();
                slot.tokens.clear();
                StateStore.Entry entry = lease.choice.restore().entry();
                if (store.restore(entry, slot.context, 0)) {
                    slot.tokens.set(entry.tokens);
                    slot.restores.incrementAndGet();
                    restored = true;
                } else {
                    slot.context.clear();
                }
            }
            int reuse = Math.min(slot.tokens.commonPrefix(prompt), prompt.length - 1);
            if (!restored) {
                saveIfReassigned(slot, reuse);
            }
            if (reuse < slot.tokens.size()) {
                slot.context.removeFrom(0, reuse);
                slot.tokens.truncate(reuse);
            }
            lease.promptTokens = prompt.length;
            lease.reused = reuse;
            try {
                listener.started(slot.id, prompt.length, reuse);
            } catch (RuntimeException e) {
                throw new ListenerFailure(e);
            }

            int done = slot.context.decode(prompt, reuse, prompt.length, reuse, 0, () -> lease.cancelled);
            slot.tokens.addAll(prompt, reuse, reuse + done);
            if (reuse + done < prompt.length) {
                throw cancelled();
            }
            return generateTokens(slot, lease, prompt.length, reuse, restored, params, listener);
        } catch (ListenerFailure e) {
            // The listener failed, not llama.cpp: the cache still holds exactly what the slot says.
            throw (RuntimeException) e.getCause();
        } catch (GatewayException e) {
            if (e.kind() == ErrorKind.BACKEND_BUG) {
                slot.reset();
            }
            throw e;
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            slot.reset();
            throw new GatewayException(ErrorKind.BACKEND_BUG, "embedded engine failed: " + e.getMessage(), e);
        } finally {
            slot.publish();
        }
    }

    private Generation generateTokens(Slot slot, SlotTable.Lease lease, int promptTokens, int reuse, boolean restored,
            Params params, Listener listener) throws IOException {
        TokenList output = new TokenList();
        Stop stop;
        try (Sampler sampler = new Sampler(model, params)) {
            int[] one = new int[1];
            while (true) {
                if (lease.cancelled) {
                    throw cancelled();
                }
                int token = sampler.sample(slot.context, slot.context.lastLogitsIndex());
                if (token < 0 || token >= model.nVocab) {
                    throw new GatewayException(ErrorKind.BACKEND_BUG, "sampler returned token " + token);
                }
                if (model.isEndOfGeneration(token)) {
                    stop = Stop.END_OF_GENERATION;
                    break;
                }
                output.add(token);
                boolean stopAfter;
                try {
                    stopAfter = listener.token(token);
                } catch (RuntimeException e) {
                    throw new ListenerFailure(e);
                }
                if (stopAfter) {
                    stop = Stop.LISTENER;
                    break;
                }
                if (output.size() >= params.maxTokens()) {
                    stop = Stop.MAX_TOKENS;
                    break;
                }
                if (slot.tokens.size() >= nCtx) {
                    stop = Stop.CONTEXT_FULL;
                    break;
                }
                one[0] = token;
                slot.context.decode(one, 0, 1, slot.tokens.size(), 0, null);
                slot.tokens.add(token);
            }
        }
        return new Generation(slot.id, promptTokens, reuse, restored, output.toArray(), stop);
    }

    /**
     * Saves the slot's state when the new prompt keeps less than half of it and drops at least {@code
     * minPrefixTokens}: the slot is being given to another prefix, which may come back.
     */
    private void saveIfReassigned(Slot slot, int keep) {
        int cached = slot.tokens.size();
        int dropped = cached - keep;
        if (dropped >= config.minPrefixTokens() && keep < cached / 2) {
            long bytes = store.save(slot.context, 0, slot.tokens.toArray(), slot.id);
            if (bytes > 0) {
                slot.saves.incrementAndGet();
                LOG.debug("slot {}: saved {} tokens ({} bytes) before reassigning it", slot.id, cached, bytes);
            }
        }
    }

    /** Carries an unchecked exception of the listener past the handlers meant for native failures. */
    private static final class ListenerFailure extends RuntimeException {
        ListenerFailure(RuntimeException cause) {
            super(cause);
        }
    }

    private static GatewayException cancelled() {
        return new GatewayException(ErrorKind.CANCELLED, "the request was cancelled");
    }

    /** Per-slot figures. */
    public List<SlotSnapshot> stats() {
        return table.stats();
    }

    /** KV bytes of the live contexts plus saved states held in memory. */
    public long kvBytes() {
        return table.liveContexts() * contextKvBytes() + store.ramBytes();
    }

    /** Frees the contexts of idle slots (recreated empty on next use); returns the KV bytes freed. */
    public long eraseIdleSlots() {
        return table.eraseIdle() * contextKvBytes();
    }

    private long contextKvBytes() {
        return (long) nCtx * model.kvBytesPerToken();
    }

    public long dropSavedStates() {
        return store.dropRam();
    }

    /** Stops running requests (bounded wait), then frees every context and saved state. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        table.close();
        for (Slot s : slots) {
            if (s == null) {
                continue;
            }
            s.worker.shutdown();
            try {
                if (!s.worker.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.warn("slot {} still busy after 30 s at shutdown; its context is left to the OS", s.id);
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                continue;
            }
            if (s.context != null) {
                s.context.close();
                s.context = null;
            }
        }
        store.close();
    }
}
