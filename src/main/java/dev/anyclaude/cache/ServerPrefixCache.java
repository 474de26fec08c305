package dev.anyclaude.cache;

import dev.anyclaude.api.ErrorKind;
import dev.anyclaude.api.EventSink;
import dev.anyclaude.api.GatewayException;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.StatsSection;
import dev.anyclaude.api.Usage;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.backend.OpenAiBackend;
import dev.anyclaude.backend.SlotSteering;
import dev.anyclaude.cache.SlotFigures.Found;
import dev.anyclaude.prefix.PromptShape;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L1 prefix cache in front of a model server: makes the server's own KV cache hit, and shows that it did.
 *
 * <p>On llama.cpp's server each conversation stream (session + system/tools fingerprint) is pinned to a
 * slot with {@code id_slot} ({@link SlotTable} picks it), and the slot is held for the whole request, so a
 * state save or restore never races a running request. With a save directory, a slot's state is saved
 * before the slot goes to another stream ({@link SlotStates}, {@link SavedStates}), unless a file on disk already equals it,
 * and restored when the stream returns; a new stream of a known agent gets that agent's smallest saved
 * state restored, so its system and tools are not prefilled again. Restore failures fall back to a cold
 * request. Warm-ups ({@link PrefixWarmer}) run only while no request is in flight.
 *
 * <p>On every server the usage that flows back is counted per slot (or as unpinned): prompt tokens and
 * the tokens the server reused from its cache.
 */
public final class ServerPrefixCache implements SlotSteering, StatsSection, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerPrefixCache.class);
    static final String SEED_PREFIX = "~seed/";
    private static final int MAX_REMEMBERED = 4096;

    private final SlotServer server;
    private final PrefixCacheSettings settings;
    private final SavedStates store;
    private final SlotStates states;
    private final PrefixWarmer warmer = new PrefixWarmer();
    private final SlotFigures unpinned = new SlotFigures();
    private final Map<Long, Boolean> agentsSeen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private final Map<String, Long> agentOfStream = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };
    private volatile SlotTable table;
    private volatile SlotFigures[] figures;
    private boolean warnedNoSlots;

    ServerPrefixCache(SlotServer server, PrefixCacheSettings settings, InstantSource clock) {
        this.server = server;
        this.settings = settings;
        if (settings.saveDir() != null) {
            store = new SavedStates(settings.saveDir(), settings.saveBytes(), settings.saveTtl(), clock);
            SavedStates.Freed old = store.deleteLeftovers();
            if (old.files() > 0) {
                log.info("deleted {} slot state files ({} bytes) left in {} by an earlier run", old.files(), old.bytes(),
                        settings.saveDir());
            }
            states = new SlotStates(server, store);
        } else {
            store = null;
            states = null;
        }
    }

    /** The L1 cache for {@code backend}, which from now on asks it for every request's slot. */
    public static ServerPrefixCache forBackend(OpenAiBackend backend, PrefixCacheSettings settings, InstantSource clock) {
        ServerPrefixCache cache = new ServerPrefixCache(new OpenAiSlotServer(backend), settings, clock);
        backend.steer(cache);
        return cache;
    }

    @Override
    public String name() {
        return "l1";
    }

    @Override
    public Lease acquire(BackendRequest call) {
        SlotTable t = settings.pin() && server.slotted() && call.affinityKey() != null ? table() : null;
        warmer.requestStarted();
        if (t == null) {
            return new UnpinnedLease();
        }
        try {
            long agent = agentOf(call);
            boolean firstSight = firstSight(agent);
            SlotTable.Slot slot = t.claim(call.affinityKey(), agent);
            try {
                lock(slot);
            } catch (RuntimeException e) {
                t.unclaim(slot);
                throw e;
            }
            try {
                Found found = prepare(t, slot, call.affinityKey(), agent);
                return new PinnedLease(t, slot, call, agent, found, firstSight);
            } catch (RuntimeException e) {
                slot.lock.unlock();
                t.unclaim(slot);
                throw e;
            }
        } catch (RuntimeException e) {
            warmer.requestEnded();
            throw e;
        }
    }

    private void lock(SlotTable.Slot slot) {
        try {
            if (!slot.lock.tryLock(settings.slotWait().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new GatewayException(ErrorKind.BACKEND_OVERLOADED, "every llama.cpp slot is busy: waited "
                        + settings.slotWait().toSeconds() + " s for slot " + slot.id + " (--slot-wait)", null, 1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(ErrorKind.CANCELLED, "cancelled while waiting for llama.cpp slot " + slot.id);
        }
    }

    /** Makes {@code slot} hold the best start for {@code stream}; runs under the slot's lock. */
    private Found prepare(SlotTable t, SlotTable.Slot slot, String stream, long agent) {
        SlotTable.Residency r = t.residency(slot);
        if (stream.equals(r.stream())) {
            return Found.RESIDENT;
        }
        SlotStates p = persistence();
        boolean ownSaved = p != null && store.has(stream);
        if (r.spare() && r.agent() == agent && !ownSaved) {
            t.assign(slot, stream, agent, false, r.cleanAs());
            return Found.SPARE;
        }
        if (r.stream() != null) {
            if (p != null) {
                p.saveIfChanged(t, slot, r, figures[slot.id]);
            }
            if (Thread.currentThread().isInterrupted()) {
                // the client left while its slot was being freed: keep the slot as it is
                throw new GatewayException(ErrorKind.CANCELLED, "cancelled while freeing llama.cpp slot " + slot.id);
            }
            if (!r.spare()) {
                figures[slot.id].evicted();
            }
        }
        boolean sameAgent = r.stream() != null && r.agent() == agent;
        if (p != null) {
            SavedStates.Entry own = ownSaved ? store.pin(stream) : null;
            if (own != null && p.restore(t, slot, own, stream, agent, figures[slot.id])) {
                return Found.RESTORED;
            }
            // A slot that held another conversation of this agent already starts with its system and tools.
            SavedStates.Entry seed = sameAgent && own == null ? null : store.pinSeed(agent);
            if (seed != null && p.restore(t, slot, seed, stream, agent, figures[slot.id])) {
                return Found.SEEDED;
            }
            if (own != null || seed != null) {
                return Found.COLD; // a failed restore leaves the slot's contents unknown
            }
        }
        t.assign(slot, stream, agent, false, null);
        return sameAgent ? Found.SAME_AGENT : Found.COLD;
    }

    private SlotStates persistence() {
        return states != null && states.active() ? states : null;
    }

    /**
     * The agent fingerprint (system + tools) of a request. A stream key names one agent, so it is computed
     * once per stream: hashing a Claude Code prompt's tools costs about 0.1 ms.
     */
    private long agentOf(BackendRequest call) {
        synchronized (agentOfStream) {
            Long known = agentOfStream.get(call.affinityKey());
            if (known != null) {
                return known;
            }
        }
        long agent = PromptShape.of(call.request()).agentFingerprint();
        synchronized (agentOfStream) {
            agentOfStream.put(call.affinityKey(), agent);
        }
        return agent;
    }

    private boolean firstSight(long agent) {
        synchronized (agentsSeen) {
            return agentsSeen.put(agent, Boolean.TRUE) == null;
        }
    }

    private SlotTable table() {
        SlotTable t = table;
        if (t != null) {
            return t;
        }
        synchronized (this) {
            if (table != null) {
                return table;
            }
            int known = server.totalSlots();
            int n = settings.slots() > 0 ? settings.slots() : known;
            if (n <= 0) {
                if (!warnedNoSlots) {
                    warnedNoSlots = true;
                    log.warn("llama.cpp's /props gave no total_slots: requests are not pinned to slots (set --llama-slots)");
                }
                return null;
            }
            if (known > 0 && n > known) {
                log.warn("--llama-slots {} exceeds the server's {} slots: requests pinned beyond them will fail", n, known);
            }
            SlotFigures[] f = new SlotFigures[n];
            for (int i = 0; i < n; i++) {
                f[i] = new SlotFigures();
            }
            figures = f;
            table = new SlotTable(n);
            log.info("L1: pinning conversation streams to {} llama.cpp slots{}", n,
                    store == null ? "" : ", saving their states in " + store.dir());
            return table;
        }
    }

    static String seedKey(long agent) {
        return SEED_PREFIX + Long.toHexString(agent);
    }

    /**
     * Prefills {@code request} (a saved request, normalized and routed) once in the background, so the first
     * real request with its system and tools finds them warm. On llama.cpp it goes to a free slot, kept as a
     * spare for the first new conversation of that agent (and, with a save directory, saved as its seed).
     */
    public void warmAtStartup(MessagesRequest request) {
        long agent = PromptShape.of(request).agentFingerprint();
        firstSight(agent);
        String key = seedKey(agent);
        warmer.submit("start-up " + key, true, () -> warm(new BackendRequest(request, key, "warm-" + key), agent));
    }

    /** Runs one warm: into the agent's spare or a free slot on llama.cpp, plainly elsewhere. */
    private boolean warm(BackendRequest call, long agent) throws IOException, InterruptedException {
        SlotTable t = settings.pin() && server.slotted() ? table() : null;
        if (t == null) {
            unpinned.warm(server.prefill(call, -1));
            return true;
        }
        SlotTable.Slot slot = t.claimForWarm(call.affinityKey());
        if (slot == null) {
            return false;
        }
        try {
            slot.lock.lockInterruptibly();
            try {
                SlotTable.Residency r = t.residency(slot);
                if (!call.affinityKey().equals(r.stream())) {
                    t.assign(slot, call.affinityKey(), agent, true, null);
                }
                Usage usage = server.prefill(call, slot.id);
                figures[slot.id].warm(usage);
                t.served(slot);
                SlotStates p = persistence();
                if (p != null) {
                    p.save(t, slot, call.affinityKey(), agent, figures[slot.id]);
                }
                return true;
            } finally {
                slot.lock.unlock();
            }
        } finally {
            t.unclaim(slot);
        }
    }

    /** After the first request of a new agent: keep its prefix for the agent's next new conversation. */
    private void keepNewAgent(SlotTable t, SlotTable.Slot slot, BackendRequest call, long agent) {
        String key = seedKey(agent);
        if (persistence() != null) {
            String stream = call.affinityKey();
            warmer.submit("seed " + key, false, () -> saveSeed(t, slot.id, stream, key, agent));
        }
    }

    /** Saves slot {@code id} as {@code key} if it still holds {@code stream} as the request left it. */
    private boolean saveSeed(SlotTable t, int id, String stream, String key, long agent) {
        SlotTable.Slot slot = t.claimIfIdle(id);
        if (slot == null) {
            return false;
        }
        try {
            if (!slot.lock.tryLock()) {
                return false;
            }
            try {
                SlotTable.Residency r = t.residency(slot);
                SlotStates p = persistence();
                if (p == null || !stream.equals(r.stream()) || r.cleanAs() != null || store.has(key)) {
                    return false;
                }
                return p.save(t, slot, key, agent, figures[slot.id]);
            } finally {
                slot.lock.unlock();
            }
        } finally {
            t.unclaim(slot);
        }
    }

    /** Deletes every saved slot state file; returns the bytes freed. For the memory monitor. */
    public long dropSavedStates() {
        return store == null ? 0 : store.clear().bytes();
    }

    /**
     * Erases the slots that no request uses or waits for, saving their states first when a save directory is
     * set (so their streams can come back); returns how many were erased. For the memory monitor.
     */
    public int eraseIdleSlots() {
        return erase(true);
    }

    private int erase(boolean keepStates) {
        SlotTable t = table;
        if (t == null) {
            return 0;
        }
        int erased = 0;
        for (int i = 0; i < t.size(); i++) {
            SlotTable.Slot slot = t.claimIfIdle(i);
            if (slot == null) {
                continue;
            }
            try {
                if (!slot.lock.tryLock()) {
                    continue;
                }
                try {
                    SlotTable.Residency r = t.residency(slot);
                    SlotStates p = persistence();
                    if (keepStates && p != null) {
                        p.saveIfChanged(t, slot, r, figures[i]);
                    }
                    server.erase(i);
                    t.erased(slot);
                    figures[i].erased();
                    erased++;
                } catch (GatewayException e) {
                    log.warn("could not erase llama.cpp slot {}: {}", i, e.getMessage());
                } finally {
                    slot.lock.unlock();
                }
            } finally {
                t.unclaim(slot);
            }
        }
        return erased;
    }

    @Override
    public Object snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        SlotTable t = server.slotted() ? table() : table;
        out.put("server", t != null ? "llama.cpp slots" : server.slotted() ? "llama.cpp, slot count unknown"
                : "no addressable slots: reuse measured only");
        out.put("slots", t == null ? null : t.size());
        SlotFigures total = new SlotFigures();
        unpinned.addTo(total);
        List<Map<String, Object>> perSlot = new ArrayList<>();
        if (t != null) {
            for (SlotTable.View v : t.view()) {
                SlotFigures f = figures[v.slot()];
                f.addTo(total);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("slot", v.slot());
                m.put("resident", v.stream());
                m.put("spare", v.spare());
                m.put("busy", v.busy());
                m.put("waiting", v.waiting());
                m.putAll(f.snapshot());
                perSlot.add(m);
            }
        }
        out.put("totals", total.snapshot());
        out.put("per_slot", perSlot);
        out.put("unpinned", unpinned.snapshot());
        Map<String, Object> saved = store == null ? null : store.figures();
        if (saved != null) {
            saved.put("active", states.active());
        }
        out.put("saved_states", saved);
        out.put("warm", warmer.figures());
        return out;
    }

    @Override
    public Object clear() {
        warmer.discard();
        int erased = erase(false);
        SavedStates.Freed freed = store == null ? SavedStates.Freed.NONE : store.clear();
        SlotFigures[] f = figures;
        if (f != null) {
            for (SlotFigures x : f) {
                x.reset();
            }
        }
        unpinned.reset();
        if (store != null) {
            store.resetCounters();
        }
        warmer.resetCounters();
        synchronized (agentsSeen) {
            agentsSeen.clear();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("slots_erased", erased);
        out.put("files_deleted", freed.files());
        out.put("bytes_freed", freed.bytes());
        return out;
    }

    /** Stops warming and deletes the state files this gateway saved. */
    @Override
    public void close() {
        warmer.close();
        if (store != null) {
            // also files of saves that were cut short: the server may have finished writing them
            SavedStates.Freed freed = store.clear().plus(store.deleteLeftovers());
            if (freed.files() > 0) {
                log.info("deleted {} saved slot state files ({} bytes)", freed.files(), freed.bytes());
            }
        }
    }

    /** A request the server places itself (no slots, or no stream key): counted only. */
    private final class UnpinnedLease implements Lease {
        private UsageTap tap;

        @Override
        public int slot() {
            return -1;
        }

        @Override
        public EventSink observe(EventSink sink) {
            tap = new UsageTap(sink);
            return tap;
        }

        @Override
        public void close() {
            try {
                if (tap != null && tap.answered()) {
                    unpinned.request(null, tap.usage());
                }
            } finally {
                warmer.requestEnded();
            }
        }
    }

    /** A request holding its slot's lock. */
    private final class PinnedLease implements Lease {
        private final SlotTable table;
        private final SlotTable.Slot slot;
        private final BackendRequest call;
        private final long agent;
        private final Found found;
        private final boolean firstSight;
        private UsageTap tap;

        PinnedLease(SlotTable table, SlotTable.Slot slot, BackendRequest call, long agent, Found found,
                boolean firstSight) {
            this.table = table;
            this.slot = slot;
            this.call = call;
            this.agent = agent;
            this.found = found;
            this.firstSight = firstSight;
        }

        @Override
        public int slot() {
            return slot.id;
        }

        @Override
        public EventSink observe(EventSink sink) {
            tap = new UsageTap(sink);
            return tap;
        }

        @Override
        public void close() {
            try {
                if (tap != null && tap.answered()) {
                    table.served(slot);
                    figures[slot.id].request(found, tap.usage());
                    if (firstSight && tap.usage() != null && settings.warmNewAgents()) {
                        keepNewAgent(table, slot, call, agent);
                    }
                }
            } finally {
                slot.lock.unlock();
                table.unclaim(slot);
                warmer.requestEnded();
            }
        }
    }
}
