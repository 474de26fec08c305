package dev.anyclaude.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which conversation stream each slot of a llama.cpp server holds, and which slot a request should use.
 *
 * <p>A request first claims a slot here (under this table's monitor, so two requests never pick the same
 * idle slot), then takes the slot's fair lock outside the monitor; the claim count (holders plus waiters)
 * tells idle slots from busy ones. The choice, in order: an idle slot the stream already holds; an idle
 * spare warmed for the stream's agent (system + tools); a free slot; another agent's idle spare (cheap to
 * warm again); the least recently used idle slot; and when every slot is busy, the stream's own slot (or its agent's spare, or the least contended one)
 * to wait for. A spare being warmed counts as idle for its agent: the warm yields to real requests.
 *
 * <p>No I/O happens here; saving and restoring slot states is the caller's business, done while it holds
 * the slot's lock.
 */
final class SlotTable {

    /** One server slot. Fields other than the lock are guarded by the table's monitor. */
    static final class Slot {
        final int id;
        final ReentrantLock lock = new ReentrantLock(true);
        int claims;
        boolean warming;
        String stream;
        long agent;
        boolean spare;
        String cleanAs;
        long lastUsed;

        Slot(int id) {
            this.id = id;
        }
    }

    /**
     * What a slot holds.
     *
     * @param stream the resident stream key (for a spare: the seed key it was warmed under), or null when free
     * @param agent the agent fingerprint of what it holds
     * @param spare warmed for {@code agent}, not yet used by any conversation
     * @param cleanAs the saved state whose file equals the slot's contents, or null when it changed since
     */
    record Residency(String stream, long agent, boolean spare, String cleanAs) {}

    /** A slot as {@code /cache/stats} shows it. */
    record View(int slot, String stream, boolean spare, boolean busy, int waiting) {}

    private final Slot[] slots;
    private long tick;

    SlotTable(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("slot count: " + count + " (expected: at least 1)");
        }
        slots = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot(i);
        }
    }

    int size() {
        return slots.length;
    }

    /** Picks the slot for a request of {@code stream} (agent {@code agent}) and claims it. */
    synchronized Slot claim(String stream, long agent) {
        Slot pick = choose(stream, agent);
        pick.claims++;
        return pick;
    }

    private Slot choose(String stream, long agent) {
        Slot own = null;
        Slot spare = null;
        Slot free = null;
        Slot otherSpare = null;
        Slot lru = null;
        for (Slot s : slots) {
            boolean idle = s.claims == 0;
            if (idle && stream.equals(s.stream) && (own == null || s.lastUsed > own.lastUsed)) {
                own = s;
            }
            if (s.spare && s.agent == agent && (idle || s.warming && s.claims == 1) && spare == null) {
                spare = s;
            }
            if (idle && s.stream == null && free == null) {
                free = s;
            }
            if (idle && s.spare && (otherSpare == null || s.lastUsed < otherSpare.lastUsed)) {
                otherSpare = s;
            }
            if (idle && (lru == null || s.lastUsed < lru.lastUsed)) {
                lru = s;
            }
        }
        if (own != null) {
            return own;
        }
        if (spare != null) {
            return spare;
        }
        if (free != null) {
            return free;
        }
        if (otherSpare != null) {
            return otherSpare;
        }
        if (lru != null) {
            return lru;
        }
        Slot wait = null;
        for (Slot s : slots) {
            if (stream.equals(s.stream) && (wait == null || s.claims < wait.claims)) {
                wait = s;
            }
        }
        if (wait != null) {
            return wait;
        }
        for (Slot s : slots) {
            if (wait == null || s.claims < wait.claims || s.claims == wait.claims && s.lastUsed < wait.lastUsed) {
                wait = s;
            }
        }
        return wait;
    }

    /** Claims an idle free slot for a warm, or the idle spare already warmed under {@code seedKey}; null if none. */
    synchronized Slot claimForWarm(String seedKey) {
        Slot pick = null;
        for (Slot s : slots) {
            if (s.claims == 0 && seedKey.equals(s.stream)) {
                pick = s;
                break;
            }
        }
        if (pick == null) {
            for (Slot s : slots) {
                if (s.claims == 0 && s.stream == null) {
                    pick = s;
                    break;
                }
            }
        }
        if (pick != null) {
            pick.claims++;
            pick.warming = true;
        }
        return pick;
    }

    /** Claims slot {@code id} whatever its state (to erase or snapshot it). */
    synchronized Slot claim(int id) {
        Slot s = slots[id];
        s.claims++;
        return s;
    }

    /** Claims slot {@code id} only when nobody uses or waits for it; null otherwise. */
    synchronized Slot claimIfIdle(int id) {
        Slot s = slots[id];
        if (s.claims != 0) {
            return null;
        }
        s.claims++;
        return s;
    }

    synchronized void unclaim(Slot s) {
        s.claims--;
        s.warming = false;
    }

    synchronized Residency residency(Slot s) {
        return new Residency(s.stream, s.agent, s.spare, s.cleanAs);
    }

    /** Records that {@code s} now holds {@code stream}; {@code cleanAs} names the saved file equal to it, if any. */
    synchronized void assign(Slot s, String stream, long agent, boolean spare, String cleanAs) {
        s.stream = stream;
        s.agent = agent;
        s.spare = spare;
        s.cleanAs = cleanAs;
        s.lastUsed = ++tick;
    }

    /** Records that a request ran in {@code s}: its contents changed since any save. */
    synchronized void served(Slot s) {
        s.cleanAs = null;
        s.lastUsed = ++tick;
    }

    /** Records that the contents of {@code s} were saved as {@code as}. */
    synchronized void saved(Slot s, String as) {
        s.cleanAs = as;
    }

    /** Records that {@code s} was erased: it holds nothing. */
    synchronized void erased(Slot s) {
        s.stream = null;
        s.agent = 0;
        s.spare = false;
        s.cleanAs = null;
    }

    /** Whether some slot holds no stream and nobody claims it. */
    synchronized boolean hasFreeSlot() {
        for (Slot s : slots) {
            if (s.claims == 0 && s.stream == null) {
                return true;
            }
        }
        return false;
    }

    /** Whether any slot holds {@code agent}'s prefix (a conversation of it, or a spare). */
    synchronized boolean holdsAgent(long agent) {
        for (Slot s : slots) {
            if (s.stream != null && s.agent == agent) {
                return true;
            }
        }
        return false;
    }

    synchronized List<View> view() {
        List<View> out = new ArrayList<>(slots.length);
        for (Slot s : slots) {
            boolean busy = s.lock.isLocked();
            out.add(new View(s.id, s.stream, s.spare, busy, Math.max(0, s.claims - (busy ? 1 : 0))));
        }
        return out;
    }
}
