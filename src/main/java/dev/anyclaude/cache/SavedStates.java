package dev.anyclaude.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot states a llama.cpp server saved for the gateway into its {@code --slot-save-path}: one file per
 * stream key, bounded by total bytes on disk (least recently used first out) and by age since last use.
 * A file leaves the index and the disk together.
 *
 * <p>The server writes the files; this index only learns their size from the disk after each save and
 * deletes them. It never touches a file whose name it did not give (all start with {@link #FILE_PREFIX}).
 */
final class SavedStates {
    private static final Logger log = LoggerFactory.getLogger(SavedStates.class);
    static final String FILE_PREFIX = "anyclaude-";

    /**
     * One saved state.
     *
     * @param stream the stream key it was saved under (a conversation, or a seed key for an agent's prefix)
     * @param agent the agent fingerprint (system + tools) of what it holds
     * @param file the file name inside the save directory
     * @param bytes its size on disk
     */
    record Entry(String stream, long agent, String file, long bytes, Instant lastUsed) {}

    /** What a removal freed. */
    record Freed(int files, long bytes) {
        static final Freed NONE = new Freed(0, 0);

        Freed plus(Freed o) {
            return new Freed(files + o.files, bytes + o.bytes);
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final Duration ttl;
    private final InstantSource clock;
    /** Access order: the first entry is the least recently used. */
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<String, Integer> pinned = new LinkedHashMap<>();
    private long bytes;
    private long evicted;
    private long expired;
    private long tooLarge;

    /**
     * @param dir the server's {@code --slot-save-path}, as this machine sees it
     * @param maxBytes bound on the bytes of all files
     * @param ttl a file unused for this long is deleted; zero or negative: no age bound
     */
    SavedStates(Path dir, long maxBytes, Duration ttl, InstantSource clock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.ttl = ttl;
        this.clock = clock;
    }

    Path dir() {
        return dir;
    }

    /** The file name for a stream key: a digest, since keys hold session ids the server's file-name rules may refuse. */
    static String fileName(String stream) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(stream.getBytes(StandardCharsets.UTF_8));
            return FILE_PREFIX + HexFormat.of().formatHex(d, 0, 12) + ".bin";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Deletes files a previous run of the gateway left behind (it keeps its index in memory only). */
    synchronized Freed deleteLeftovers() {
        Freed freed = Freed.NONE;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, FILE_PREFIX + "*.bin")) {
            for (Path f : files) {
                if (!entries.containsKey(streamOf(f.getFileName().toString()))) {
                    freed = freed.plus(delete(f.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            log.warn("cannot list {}: {}", dir, e.toString());
        }
        return freed;
    }

    private String streamOf(String file) {
        for (Entry e : entries.values()) {
            if (e.file().equals(file)) {
                return e.stream();
            }
        }
        return null;
    }

    /** The saved state of {@code stream}, marked used and held on disk until {@link #unpin}; null if none. */
    synchronized Entry pin(String stream) {
        expire();
        Entry e = entries.get(stream);
        if (e == null) {
            return null;
        }
        e = new Entry(e.stream(), e.agent(), e.file(), e.bytes(), clock.instant());
        entries.put(stream, e);
        pinned.merge(stream, 1, Integer::sum);
        return e;
    }

    /**
     * The smallest saved state of {@code agent} (quickest to restore; all hold the same system and tools),
     * pinned like {@link #pin}; null if none.
     */
    synchronized Entry pinSeed(long agent) {
        expire();
        Entry best = null;
        for (Entry e : entries.values()) {
            if (e.agent() == agent && (best == null || e.bytes() < best.bytes())) {
                best = e;
            }
        }
        return best == null ? null : pin(best.stream());
    }

    synchronized void unpin(String stream) {
        pinned.computeIfPresent(stream, (k, n) -> n > 1 ? n - 1 : null);
    }

    synchronized boolean has(String stream) {
        expire();
        return entries.containsKey(stream);
    }

    /**
     * Records that the server saved {@code stream}'s state into {@code fileName(stream)}, then evicts least
     * recently used files beyond the byte bound.
     *
     * @return the entry, or null when the file is not on disk (the save directory is not the server's)
     *     or alone exceeds the bound (then deleted)
     */
    synchronized Entry stored(String stream, long agent) {
        String file = fileName(stream);
        long size;
        try {
            size = Files.size(dir.resolve(file));
        } catch (IOException e) {
            Entry old = entries.remove(stream);
            if (old != null) {
                bytes -= old.bytes();
            }
            return null;
        }
        Entry old = entries.remove(stream);
        if (old != null) {
            bytes -= old.bytes();
        }
        if (size > maxBytes) {
            tooLarge++;
            delete(file);
            return null;
        }
        Entry e = new Entry(stream, agent, file, size, clock.instant());
        entries.put(stream, e);
        bytes += size;
        expire();
        List<String> victims = new ArrayList<>();
        long over = bytes - maxBytes;
        for (Entry v : entries.values()) {
            if (over <= 0) {
                break;
            }
            if (!v.stream().equals(stream) && !pinned.containsKey(v.stream())) {
                victims.add(v.stream());
                over -= v.bytes();
            }
        }
        for (String v : victims) {
            remove(v);
            evicted++;
        }
        return e;
    }

    /** Forgets {@code stream}'s state and deletes its file (e.g. after the server could not restore it). */
    synchronized Freed forget(String stream) {
        return remove(stream);
    }

    /** Deletes every file in the index. */
    synchronized Freed clear() {
        Freed freed = Freed.NONE;
        for (String s : new ArrayList<>(entries.keySet())) {
            freed = freed.plus(remove(s));
        }
        return freed;
    }

    synchronized long bytes() {
        expire();
        return bytes;
    }

    synchronized int count() {
        expire();
        return entries.size();
    }

    synchronized Map<String, Object> figures() {
        expire();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dir", dir.toString());
        out.put("files", entries.size());
        out.put("bytes", bytes);
        out.put("max_bytes", maxBytes);
        out.put("ttl_seconds", ttl.isPositive() ? ttl.toSeconds() : null);
        out.put("evicted", evicted);
        out.put("expired", expired);
        out.put("too_large", tooLarge);
        return out;
    }

    synchronized void resetCounters() {
        evicted = 0;
        expired = 0;
        tooLarge = 0;
    }

    private void expire() {
        if (!ttl.isPositive()) {
            return;
        }
        Instant cutoff = clock.instant().minus(ttl);
        List<String> old = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.lastUsed().isBefore(cutoff) && !pinned.containsKey(e.stream())) {
                old.add(e.stream());
            }
        }
        for (String s : old) {
            remove(s);
            expired++;
        }
    }

    private Freed remove(String stream) {
        Entry e = entries.remove(stream);
        if (e == null) {
            return Freed.NONE;
        }
        bytes -= e.bytes();
        delete(e.file());
        return new Freed(1, e.bytes());
    }

    private Freed delete(String file) {
        Path p = dir.resolve(file);
        try {
            long size = Files.size(p);
            Files.deleteIfExists(p);
            return new Freed(1, size);
        } catch (java.nio.file.NoSuchFileException e) {
            return Freed.NONE;
        } catch (IOException e) {
            log.warn("cannot delete saved slot state {}: {}", p, e.toString());
            return Freed.NONE;
        }
    }
}
