package dev.anyclaude.engine;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who holds which slot: hands an idle slot to each request (chosen by {@link SlotChoice}), queues
 * requests in arrival order when none is idle, and gives up after the configured wait with an
 * overloaded error.
 *
 * <p>One lock guards the busy flags and, while a slot is idle, its tokens and context. Each lease
 * ticks a logical clock, which is what "least recently used" means here.
 */
final class SlotTable {

    /** A slot taken by one request, with what the request did there. */
    static final class Lease {
        final Slot slot;
        final SlotChoice<StateStore.Match> choice;
        volatile boolean cancelled;
        int promptTokens;
        int reused;

        private Lease(Slot slot, SlotChoice<StateStore.Match> choice) {
            this.slot = slot;
            this.choice = choice;
        }
    }

    private final Slot[] slots;
    private final StateStore store;
    private final int minPrefix;
    private final Duration wait;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final AtomicLong tick = new AtomicLong();
    private final Set<Lease> active = new HashSet<>();
    private boolean closed;

    SlotTable(Slot[] slots, StateStore store, int minPrefix, Duration wait, Clock clock) {
        this.clock = clock;
        this.slots = slots;
        this.store = store;
        this.minPrefix = minPrefix;
        this.wait = wait;
    }

    long nextTick() {
        return tick.incrementAndGet();
    }

    /**
     * Takes the best idle slot for {@code prompt}, waiting in line for one.
     *
     * @throws GatewayException BACKEND_OVERLOADED after the wait, BACKEND_UNREACHABLE once closed,
     *     CANCELLED when the calling thread is interrupted
     */
    Lease acquire(int[] prompt) {
        long deadline = clock.nanoTime() + wait.toNanos();
        Object ticket = new Object();
        lock.lock();
        try {
            queue.addLast(ticket);
            try {
                while (true) {
                    if (closed) {
                        throw new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "the embedded engine is closed");
                    }
                    if (queue.peekFirst() == ticket) {
                        SlotChoice<StateStore.Match> choice = choose(prompt);
                        if (choice != null) {
                            Slot slot = slots[choice.slot()];
                            slot.busy = true;
                            slot.lastUsed = nextTick();
                            Lease lease = new Lease(slot, choice);
                            active.add(lease);
                            return lease;
                        }
                    }
                    long left = deadline - clock.nanoTime();
                    if (left <= 0) {
                        throw new GatewayException(
                                ErrorKind.BACKEND_OVERLOADED,
                                "all " + slots.length + " embedded slots stayed busy for " + wait.toSeconds() + " s",
                                null,
                                1);
                    }
                    changed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GatewayException(ErrorKind.CANCELLED, "the request was cancelled");
            } finally {
                queue.remove(ticket);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private SlotChoice<StateStore.Match> choose(int[] prompt) {
        List<SlotChoice.Candidate> idle = new ArrayList<>();
        for (Slot s : slots) {
            if (!s.busy) {
                idle.add(new SlotChoice.Candidate(s.id, s.tokens.commonPrefix(prompt), s.lastUsed));
            }
        }
        if (idle.isEmpty()) {
            return null;
        }
        StateStore.Match saved = store.bestMatch(prompt, minPrefix);
        SlotChoice<StateStore.Match> choice = SlotChoice.choose(
                idle, saved == null ? null : new SlotChoice.Saved<>(saved, saved.commonPrefix()), minPrefix);
        if (choice.restore() != null) {
            // Most recently used from now on, so saving the slot's old content cannot evict it.
            store.touch(choice.restore().entry());
        }
        return choice;
    }

    /** Gives the slot back and counts what the request did there. */
    void release(Lease lease) {
        lock.lock();
        try {
            lease.slot.busy = false;
            active.remove(lease);
            if (lease.promptTokens > 0) {
                lease.slot.figures.request(lease.promptTokens, lease.reused);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<SlotSnapshot> stats() {
        Map<Integer, StateStore.Usage> usage = store.usageBySlot();
        List<SlotSnapshot> list = new ArrayList<>(slots.length);
        lock.lock();
        try {
            for (Slot s : slots) {
                Slot.Snapshot snap = s.snapshot;
                StateStore.Usage u = usage.getOrDefault(s.id, new StateStore.Usage(0, 0));
                list.add(new SlotSnapshot(
                        s.id,
                        snap.fingerprint(),
                        snap.cachedTokens(),
                        s.figures.requests(),
                        s.figures.promptTokens(),
                        s.figures.reusedTokens(),
                        s.saves.get(),
                        s.restores.get(),
                        s.copies.get(),
                        u.ramBytes(),
                        u.diskBytes(),
                        s.busy));
            }
        } finally {
            lock.unlock();
        }
        return list;
    }

    /**
     * Runs {@code action} on the idle slots with the lock held, so none of them is taken meanwhile and
     * their tokens may be changed; returns what it returns.
     */
    <T> T withIdleSlots(java.util.function.Function<List<Slot>, T> action) {
        lock.lock();
        try {
            List<Slot> idle = new ArrayList<>();
            for (Slot s : slots) {
                if (!s.busy) {
                    idle.add(s);
                }
            }
            return action.apply(idle);
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests and asks running ones to stop. */
    void close() {
        lock.lock();
        try {
            closed = true;
            for (Lease lease : active) {
                lease.cancelled = true;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
