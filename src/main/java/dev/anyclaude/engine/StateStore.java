package dev.anyclaude.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saved KV states of sequences that lost their slot: a RAM tier in native memory, spilling to a disk
 * tier of files, each bounded in bytes and evicted least recently used first.
 *
 * <p>An entry is the snapshot bytes of one sequence ({@code llama_state_seq_get_data}) together with
 * the exact tokens it holds. An entry whose tokens are a prefix of another's adds nothing (restoring
 * the longer one and trimming gives the same cache), so a save drops the entries it extends and is
 * skipped when an existing entry already extends it: nothing is saved twice. Files live in a private
 * directory and are deleted on eviction, on {@link #close()} and at JVM exit.
 *
 * <p>Thread-safe. Snapshot bytes are taken outside the lock (that is the slow part); the lock covers
 * the index, eviction, spilling and restoring, so an entry cannot be freed while it is being restored.
 */
final class StateStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    /** One saved sequence. Its memory or file belongs to the store. */
    static final class Entry {
        final long id;
        final int[] tokens;
        final long bytes;
        final int originSlot;
        final String fingerprint;
        private Arena arena;
        private MemorySegment ram;
        private Path file;
        private long lastUsed;

        private Entry(long id, int[] tokens, long bytes, int originSlot, Arena arena, MemorySegment ram) {
            this.id = id;
            this.tokens = tokens;
            this.bytes = bytes;
            this.originSlot = originSlot;
            this.fingerprint = TokenList.fingerprint(tokens, tokens.length, 1024);
            this.arena = arena;
            this.ram = ram;
        }

        boolean inRam() {
            return ram != null;
        }
    }

    /** A saved entry and how many of a prompt's tokens it holds. */
    record Match(Entry entry, int commonPrefix) {}

    /** Bytes held per tier, by the slot that saved them. */
    record Usage(long ramBytes, long diskBytes) {}

    private final long ramBudget;
    private final long diskBudget;
    private final Path dirOrNull;
    private final LongSupplier clock;
    private final Map<Long, Entry> entries = new HashMap<>();
    private long nextId;
    private long ramBytes;
    private long diskBytes;
    private Path dir;
    private boolean createdDir;
    private Thread cleanupHook;
    private boolean closed;

    /**
     * @param dirOrNull where files go; null for a fresh private directory under the user cache
     * @param clock a monotonic tick for least-recently-used order
     */
    StateStore(long ramBudget, long diskBudget, Path dirOrNull, LongSupplier clock) {
        this.ramBudget = ramBudget;
        this.diskBudget = diskBudget;
        this.dirOrNull = dirOrNull;
        this.clock = clock;
    }

    /** Whether a snapshot of {@code bytes} fits in either tier at all. */
    boolean fits(long bytes) {
        return bytes > 0 && (bytes <= ramBudget || bytes <= diskBudget);
    }

    /** Whether an existing entry already holds {@code tokens} (or more after them). */
    synchronized boolean covers(int[] tokens) {
        for (Entry e : entries.values()) {
            if (TokenList.isPrefix(tokens, e.tokens)) {
                e.lastUsed = clock.getAsLong();
                return true;
            }
        }
        return false;
    }

    /** Marks an entry as just used, so eviction takes others first. */
    synchronized void touch(Entry entry) {
        entry.lastUsed = clock.getAsLong();
    }

    /**
     * Saves sequence {@code seq} of {@code ctx}, which holds exactly {@code tokens}.
     *
     * @return the bytes saved, or 0 when nothing was saved (covered, too large, or llama.cpp failed)
     */
    long save(LlamaContext ctx, int seq, int[] tokens, int originSlot) {
        if (tokens.length == 0 || covers(tokens)) {
            return 0;
        }
        long size = ctx.stateSize(seq);
        if (!fits(size)) {
            return 0;
        }
        Arena arena = Arena.ofShared();
        MemorySegment seg;
        long written;
        try {
            seg = arena.allocate(size, 64);
            written = ctx.saveState(seq, seg);
        } catch (RuntimeException | OutOfMemoryError e) {
            arena.close();
            throw e;
        }
        if (written <= 0 || written > size) {
            arena.close();
            LOG.warn("llama.cpp wrote {} of {} state bytes; state not saved", written, size);
            return 0;
        }
        synchronized (this) {
            if (closed) {
                arena.close();
                return 0;
            }
            entries.values().removeIf(e -> {
                if (TokenList.isPrefix(e.tokens, tokens)) {
                    release(e);
                    return true;
                }
                return false;
            });
            Entry entry = new Entry(nextId++, tokens, written, originSlot, arena, seg.asSlice(0, written));
            entry.lastUsed = clock.getAsLong();
            entries.put(entry.id, entry);
            ramBytes += written;
            enforceBudgets();
            return entries.containsKey(entry.id) ? written : 0;
        }
    }

    /** The entry sharing the longest prefix with {@code prompt}, if it shares at least {@code min} tokens. */
    synchronized Match bestMatch(int[] prompt, int min) {
        Match best = null;
        for (Entry e : entries.values()) {
            int lcp = TokenList.commonPrefix(e.tokens, e.tokens.length, prompt);
            if (lcp >= min
                    && (best == null
                            || lcp > best.commonPrefix()
                            || lcp == best.commonPrefix() && e.lastUsed > best.entry().lastUsed)) {
                best = new Match(e, lcp);
            }
        }
        return best;
    }

    /**
     * Loads {@code entry} into sequence {@code seq} of {@code ctx} (which the caller has emptied).
     *
     * @return false when the entry is gone (evicted meanwhile) or llama.cpp refused it
     */
    synchronized boolean restore(Entry entry, LlamaContext ctx, int seq) {
        if (entries.get(entry.id) != entry) {
            return false;
        }
        entry.lastUsed = clock.getAsLong();
        long read;
        if (entry.ram != null) {
            read = ctx.loadState(seq, entry.ram);
        } else {
            try (Arena arena = Arena.ofConfined();
                    FileChannel ch = FileChannel.open(entry.file, StandardOpenOption.READ)) {
                read = ctx.loadState(seq, ch.map(FileChannel.MapMode.READ_ONLY, 0, entry.bytes, arena));
            } catch (IOException e) {
                LOG.warn("cannot read saved state {}: {}", entry.file, e.toString());
                entries.remove(entry.id);
                release(entry);
                return false;
            }
        }
        if (read <= 0) {
            LOG.warn("llama.cpp refused a saved state of {} bytes; dropping it", entry.bytes);
            entries.remove(entry.id);
            release(entry);
            return false;
        }
        return true;
    }

    /** Frees every state held in RAM; disk files stay. Returns the bytes freed. */
    synchronized long dropRam() {
        long freed = 0;
        List<Long> gone = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.ram != null) {
                freed += e.bytes;
                gone.add(e.id);
            }
        }
        for (Long id : gone) {
            release(entries.remove(id));
        }
        return freed;
    }

    synchronized long ramBytes() {
        return ramBytes;
    }

    synchronized long diskBytes() {
        return diskBytes;
    }

    synchronized int size() {
        return entries.size();
    }

    synchronized Map<Integer, Usage> usageBySlot() {
        Map<Integer, Usage> out = new HashMap<>();
        for (Entry e : entries.values()) {
            Usage u = out.getOrDefault(e.originSlot, new Usage(0, 0));
            out.put(
                    e.originSlot,
                    e.inRam()
                            ? new Usage(u.ramBytes() + e.bytes, u.diskBytes())
                            : new Usage(u.ramBytes(), u.diskBytes() + e.bytes));
        }
        return out;
    }

    /** Entries, least recently used first (for tests and diagnostics). */
    synchronized List<Entry> entries() {
        List<Entry> list = new ArrayList<>(entries.values());
        list.sort((a, b) -> Long.compare(a.lastUsed, b.lastUsed));
        return list;
    }

    private void enforceBudgets() {
        while (ramBytes > ramBudget) {
            Entry victim = leastRecent(true);
            if (victim == null) {
                break;
            }
            if (victim.bytes <= diskBudget && spill(victim)) {
                continue;
            }
            entries.remove(victim.id);
            release(victim);
        }
        while (diskBytes > diskBudget) {
            Entry victim = leastRecent(false);
            if (victim == null) {
                break;
            }
            entries.remove(victim.id);
            release(victim);
        }
    }

    private Entry leastRecent(boolean ram) {
        Entry victim = null;
        for (Entry e : entries.values()) {
            if (e.inRam() == ram && (victim == null || e.lastUsed < victim.lastUsed)) {
                victim = e;
            }
        }
        return victim;
    }

    /** Moves an entry's bytes from RAM to a file. */
    private boolean spill(Entry e) {
        Path file;
        try {
            file = directory().resolve("state-" + e.id + ".kv");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                long off = 0;
                while (off < e.bytes) {
                    long n = Math.min(1L << 30, e.bytes - off);
                    var buf = e.ram.asSlice(off, n).asByteBuffer();
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    off += n;
                }
            }
        } catch (IOException | UncheckedIOException ex) {
            LOG.warn("cannot write a saved state to disk, dropping it: {}", ex.toString());
            return false;
        }
        e.arena.close();
        e.arena = null;
        e.ram = null;
        e.file = file;
        ramBytes -= e.bytes;
        diskBytes += e.bytes;
        return true;
    }

    private void release(Entry e) {
        if (e.ram != null) {
            e.arena.close();
            e.arena = null;
            e.ram = null;
            ramBytes -= e.bytes;
        }
        if (e.file != null) {
            try {
                Files.deleteIfExists(e.file);
            } catch (IOException ex) {
                LOG.warn("cannot delete {}: {}", e.file, ex.toString());
            }
            e.file = null;
            diskBytes -= e.bytes;
        }
    }

    private Path directory() throws IOException {
        if (dir == null) {
            if (dirOrNull != null) {
                NpmNatives.createPrivateDirectories(dirOrNull);
                dir = Files.createTempDirectory(dirOrNull, "kv-");
            } else {
                Path base = NpmNatives.userCache().resolve("kv");
                NpmNatives.createPrivateDirectories(base);
                dir = Files.createTempDirectory(
                        base, "kv-" + ProcessHandle.current().pid() + "-");
            }
            createdDir = true;
            Path created = dir;
            cleanupHook = new Thread(() -> deleteTree(created), "anyclaude-kv-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanupHook);
        }
        return dir;
    }

    /** Frees all states and deletes all files. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry e : entries.values()) {
            release(e);
        }
        entries.clear();
        if (createdDir) {
            deleteTree(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanupHook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // Already gone, or not ours to delete any more.
        }
    }

    /** The directory files go to, once one was written (for tests). */
    synchronized Path directoryIfCreated() {
        return dir;
    }
}
