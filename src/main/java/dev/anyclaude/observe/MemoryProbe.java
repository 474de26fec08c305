package dev.anyclaude.observe;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One source of memory figures for the {@link MemoryMonitor}: the bytes in use and the limit they count
 * against. Tests drive the monitor through fake probes; the gateway uses the factories below.
 */
@FunctionalInterface
public interface MemoryProbe {

    Reading read();

    /**
     * Bytes in use and the limit they count against. A limit of 0 means the source is reported but never
     * acted on (no budget); {@code usedBytes < 0} means it could not be read this time.
     */
    record Reading(long usedBytes, long limitBytes) {
        public static final Reading UNKNOWN = new Reading(-1, 0);

        public boolean known() {
            return usedBytes >= 0;
        }

        /** Used over limit, or 0 when there is no limit or no figure. */
        public double fraction() {
            return limitBytes > 0 && usedBytes >= 0 ? (double) usedBytes / limitBytes : 0;
        }
    }

    /** The JVM heap: old-generation occupancy after the last collection, against its maximum. */
    static MemoryProbe jvmHeap() {
        return new JvmHeapProbe();
    }

    /** The machine's (or the container's, under a cgroup v2 limit) memory in use, against its total. */
    static MemoryProbe system() {
        return SystemMemoryProbe.forThisMachine();
    }

    /** The resident memory of a process (e.g. a model server the gateway launched), without a limit. */
    static MemoryProbe residentMemory(Supplier<Optional<ProcessHandle>> process) {
        return new ResidentMemoryProbe(process, Path.of("/proc"));
    }

    /** Bytes reported by some component (e.g. the embedded engine's KV cache), without a limit. */
    static MemoryProbe bytes(LongSupplier used) {
        return () -> new Reading(used.getAsLong(), 0);
    }

    /** Bytes reported by some component against a budget it must stay within. */
    static MemoryProbe bytes(LongSupplier used, long budget) {
        return () -> new Reading(used.getAsLong(), budget);
    }
}
