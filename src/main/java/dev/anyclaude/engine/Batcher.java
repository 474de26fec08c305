package dev.anyclaude.engine;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the engine's llama.cpp context and does all its native work: it places each
 * new job in its slot's sequence, then runs every job in one batch per step (continuous batching): one
 * token for each generating job and, in the room that leaves, prompt chunks of the prefilling ones.
 *
 * <p>Why one platform thread: a llama.cpp context is not thread-safe, and a native call pins a virtual
 * thread to its carrier for the whole call (a prefill is seconds of native code).
 *
 * <p>Slots are sequences of the context ({@code n_seq_max} = slots, one KV stream each, not unified: the
 * attention of one sequence never scans another's cells). A slot's token list mirrors its sequence
 * exactly; both change only on this thread.
 */
final class Batcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Batcher.class);
    private static final Object CLOSE = new Object();

    /** What a job tells the thread that follows it. */
    sealed interface Event {
        /** The prompt is placed: {@code reused} tokens come from the cache ({@code restored}: from a saved state). */
        record Started(int reused, boolean restored) implements Event {}

        record Token(int token) implements Event {}

        /** The last event of a job: why it stopped, or what failed. */
        record Done(Engine.Stop stop, Throwable failure) implements Event {}
    }

    /** One generation: its lease, prompt and sampling, its events, and the batcher's state of it. */
    static final class Job {
        final SlotTable.Lease lease;
        final int[] prompt;
        final Engine.Params params;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        /** Set by the follower: the listener wants no more tokens. */
        volatile boolean stop;

        // Batcher thread only.
        private Sampler sampler;
        private int prefilled;
        private int pending = -1;
        private int generated;
        private int chunk;
        private int logitsIndex = -1;

        Job(SlotTable.Lease lease, int[] prompt, Engine.Params params) {
            this.lease = lease;
            this.prompt = prompt;
            this.params = params;
        }

        Slot slot() {
            return lease.slot;
        }
    }

    private final NativeModel model;
    private final EngineConfig config;
    private final int nCtx;
    private final Slot[] slots;
    private final StateStore store;
    private final SlotTable table;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final List<Job> active = new ArrayList<>();
    private final Thread thread;
    private volatile LlamaContext context;
    private volatile boolean closing;
    private final java.util.concurrent.atomic.AtomicLong steps = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong sharedSteps = new java.util.concurrent.atomic.AtomicLong();

    Batcher(NativeModel model, EngineConfig config, int nCtx, Slot[] slots, StateStore store, SlotTable table) {
        this.model = model;
        this.config = config;
        this.nCtx = nCtx;
        this.slots = slots;
        this.store = store;
        this.table = table;
        this.context = newContext(); // allocated up front, so a context that cannot be made fails the start
        this.thread = Thread.ofPlatform().daemon().name("anyclaude-engine").start(this::run);
    }

    private LlamaContext newContext() {
        NativeOptions n = config.natives();
        return new LlamaContext(
                model,
                nCtx * slots.length,
                config.batch(),
                slots.length,
                config.threads(),
                n.flashAttention(),
                n.kvType(),
                false);
    }

    /** Queues a job; false once closing. */
    boolean submit(Job job) {
        if (closing) {
            return false;
        }
        inbox.add(job);
        return true;
    }

    /** Batches decoded so far, and how many of them held tokens of more than one request. */
    long[] batches() {
        return new long[] {steps.get(), sharedSteps.get()};
    }

    boolean contextAllocated() {
        return context != null;
    }

    /**
     * Empties the sequences of idle slots; when none is busy frees the whole context. Runs on the batcher
     * thread; true when the context was freed.
     */
    boolean eraseIdle() {
        boolean[] freed = {false};
        if (!runOnThread(() -> freed[0] = eraseIdleNow())) {
            return false;
        }
        return freed[0];
    }

    private boolean eraseIdleNow() {
        return table.withIdleSlots(idle -> {
            if (context == null) {
                return false;
            }
            for (Slot s : idle) {
                if (s.tokens.size() > 0) {
                    context.removeFrom(s.id, 0);
                    s.tokens.clear();
                }
                s.lastUsed = 0;
                s.publish();
            }
            if (idle.size() == slots.length && active.isEmpty()) {
                context.close();
                context = null;
                return true;
            }
            return false;
        });
    }

    private boolean runOnThread(Runnable task) {
        if (closing) {
            return false;
        }
        CountDownLatch done = new CountDownLatch(1);
        inbox.add((Runnable) () -> {
            try {
                task.run();
            } finally {
                done.countDown();
            }
        });
        try {
            return done.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void run() {
        try {
            while (true) {
                Object item = active.isEmpty() ? inbox.take() : inbox.poll();
                while (item != null) {
                    if (item == CLOSE) {
                        shutDown();
                        return;
                    }
                    if (item instanceof Job job) {
                        admit(job);
                    } else if (item instanceof Runnable task) {
                        runSafely(task);
                    }
                    item = inbox.poll();
                }
                if (!active.isEmpty()) {
                    step();
                }
            }
        } catch (InterruptedException e) {
            shutDown();
        } catch (Throwable t) {
            LOG.error("the embedded engine's batcher stopped", t);
            for (Job j : List.copyOf(active)) {
                finish(
                        j,
                        null,
                        new GatewayException(ErrorKind.BACKEND_BUG, "embedded engine failed: " + t.getMessage(), t));
            }
            closing = true;
            drainInbox();
        }
    }

    private static void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("engine task failed", e);
        }
    }

    /** Places a new job's prompt in its slot's sequence and makes it active (or ends it at once on failure). */
    private void admit(Job job) {
        Slot slot = job.slot();
        try {
            if (context == null) {
                context = newContext();
            }
            boolean restored = false;
            if (job.lease.choice.restore() != null) {
                saveIfReassigned(slot, 0);
                clear(slot);
                StateStore.Entry entry = job.lease.choice.restore().entry();
                if (store.restore(entry, context, slot.id)) {
                    slot.tokens.set(entry.tokens);
                    slot.restores.incrementAndGet();
                    restored = true;
                } else {
                    clear(slot);
                }
            }
            int reuse = Math.min(slot.tokens.commonPrefix(job.prompt), job.prompt.length - 1);
            if (!restored) {
                int copied = copyLongerPrefix(slot, job.prompt, reuse);
                if (copied == reuse) {
                    saveIfReassigned(slot, reuse);
                }
                reuse = copied;
            }
            if (reuse < slot.tokens.size()) {
                context.removeFrom(slot.id, reuse);
                slot.tokens.truncate(reuse);
            }
            job.lease.promptTokens = job.prompt.length;
            job.lease.reused = reuse;
            job.prefilled = reuse;
            job.sampler = new Sampler(model, job.params);
            active.add(job);
            job.events.add(new Event.Started(reuse, restored));
        } catch (RuntimeException e) {
            slot.reset(context);
            finish(job, null, wrap(e));
        }
    }

    /**
     * When another slot holds a longer prefix of {@code prompt} than {@code slot} keeps (by at least the
     * minimum prefix), copies that slot's sequence into this one instead of computing it again: a new
     * session or sub-agent whose system+tools prefix is already resident. Returns the tokens now reusable.
     */
    private int copyLongerPrefix(Slot slot, int[] prompt, int reuse) {
        Slot best = null;
        int bestLen = reuse;
        for (Slot o : slots) {
            if (o == slot) {
                continue;
            }
            int c = Math.min(o.tokens.commonPrefix(prompt), prompt.length - 1);
            if (c > bestLen) {
                best = o;
                bestLen = c;
            }
        }
        if (best == null || bestLen - reuse < config.minPrefixTokens()) {
            return reuse;
        }
        saveIfReassigned(slot, reuse);
        clear(slot);
        // Across KV streams llama.cpp copies only whole sequences; the tail past the shared prefix is trimmed.
        context.copy(best.id, slot.id);
        slot.tokens.set(best.tokens.toArray());
        slot.copies.incrementAndGet();
        LOG.debug("slot {}: copied {} prefix tokens from slot {}", slot.id, bestLen, best.id);
        return bestLen;
    }

    private void clear(Slot slot) {
        if (slot.tokens.size() > 0 || context.maxPosition(slot.id) >= 0) {
            context.removeFrom(slot.id, 0);
        }
        slot.tokens.clear();
    }

    /** One batch: a token of every generating job, then prompt chunks of prefilling jobs in the room left. */
    private void step() {
        context.clearBatch();
        List<Job> inBatch = new ArrayList<>();
        for (Job job : List.copyOf(active)) {
            if (job.stop) {
                finish(job, Engine.Stop.LISTENER, null);
            } else if (job.lease.cancelled) {
                finish(job, null, Engine.cancelled());
            }
        }
        for (Job job : active) {
            job.logitsIndex = -1;
            job.chunk = 0;
            if (job.pending >= 0) {
                job.logitsIndex = context.add(job.pending, job.slot().tokens.size(), job.slot().id, true);
                inBatch.add(job);
            }
        }
        int room = context.batchCapacity() - context.batchSize();
        for (Job job : active) {
            if (job.pending >= 0 || room == 0) {
                continue;
            }
            int n = Math.min(job.prompt.length - job.prefilled, room);
            for (int i = 0; i < n; i++) {
                int at = job.prefilled + i;
                boolean last = at == job.prompt.length - 1;
                int idx = context.add(job.prompt[at], at, job.slot().id, last);
                if (last) {
                    job.logitsIndex = idx;
                }
            }
            job.chunk = n;
            room -= n;
            inBatch.add(job);
        }
        if (inBatch.isEmpty()) {
            return;
        }
        steps.incrementAndGet();
        if (inBatch.size() > 1) {
            sharedSteps.incrementAndGet();
        }
        try {
            context.decodeBatch();
        } catch (RuntimeException e) {
            for (Job job : inBatch) {
                job.slot().reset(context);
                finish(job, null, wrap(e));
            }
            return;
        }
        for (Job job : inBatch) {
            Slot slot = job.slot();
            if (job.pending >= 0) {
                slot.tokens.add(job.pending);
                job.pending = -1;
            } else {
                slot.tokens.addAll(job.prompt, job.prefilled, job.prefilled + job.chunk);
                job.prefilled += job.chunk;
            }
            if (job.logitsIndex >= 0) {
                sample(job);
            }
        }
    }

    private void sample(Job job) {
        int token;
        try {
            token = job.sampler.sample(context, job.logitsIndex);
        } catch (RuntimeException e) {
            job.slot().reset(context);
            finish(job, null, wrap(e));
            return;
        }
        if (token < 0 || token >= model.nVocab) {
            finish(job, null, new GatewayException(ErrorKind.BACKEND_BUG, "sampler returned token " + token));
            return;
        }
        if (model.isEndOfGeneration(token)) {
            finish(job, Engine.Stop.END_OF_GENERATION, null);
            return;
        }
        job.generated++;
        job.events.add(new Event.Token(token));
        if (job.generated >= job.params.maxTokens()) {
            finish(job, Engine.Stop.MAX_TOKENS, null);
        } else if (job.slot().tokens.size() >= nCtx) {
            finish(job, Engine.Stop.CONTEXT_FULL, null);
        } else {
            job.pending = token;
        }
    }

    /** Ends a job: frees its sampler, publishes its slot, and tells the follower (last). */
    private void finish(Job job, Engine.Stop stop, Throwable failure) {
        active.remove(job);
        if (job.sampler != null) {
            job.sampler.close();
            job.sampler = null;
        }
        job.slot().publish();
        job.events.add(new Event.Done(stop, failure));
    }

    /**
     * Saves the slot's state when the new prompt keeps less than half of it and drops at least {@code
     * minPrefixTokens}: the slot is being given to another prefix, which may come back.
     */
    private void saveIfReassigned(Slot slot, int keep) {
        int cached = slot.tokens.size();
        int dropped = cached - keep;
        if (dropped >= config.minPrefixTokens() && keep < cached / 2) {
            long bytes = store.save(context, slot.id, slot.tokens.toArray(), slot.id);
            if (bytes > 0) {
                slot.saves.incrementAndGet();
                LOG.debug("slot {}: saved {} tokens ({} bytes) before reassigning it", slot.id, cached, bytes);
            }
        }
    }

    private static RuntimeException wrap(RuntimeException e) {
        if (e instanceof GatewayException g) {
            return g;
        }
        return new GatewayException(ErrorKind.BACKEND_BUG, "embedded engine failed: " + e.getMessage(), e);
    }

    private void shutDown() {
        closing = true;
        for (Job j : List.copyOf(active)) {
            finish(j, null, Engine.cancelled());
        }
        drainInbox();
        if (context != null) {
            context.close();
            context = null;
        }
    }

    private void drainInbox() {
        Object item;
        while ((item = inbox.poll()) != null) {
            if (item instanceof Job job) {
                job.events.add(new Event.Done(
                        null,
                        new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "the embedded engine is shutting down")));
            } else if (item instanceof Runnable task) {
                runSafely(task);
            }
        }
    }

    /** Stops taking jobs, ends running ones as cancelled (bounded wait) and frees the context. */
    @Override
    public void close() {
        closing = true;
        inbox.add(CLOSE);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("the embedded engine still busy after 30 s at shutdown; its context is left to the OS");
        }
    }
}
