package dev.anyclaude.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The resident memory ({@code VmRSS} in {@code /proc/<pid>/status}) of a process that may come and go,
 * such as a model server the gateway launched and restarts: the supplier names the current one.
 */
final class ResidentMemoryProbe implements MemoryProbe {
    private final Supplier<Optional<ProcessHandle>> process;
    private final Path proc;

    ResidentMemoryProbe(Supplier<Optional<ProcessHandle>> process, Path proc) {
        this.process = process;
        this.proc = proc;
    }

    @Override
    public Reading read() {
        Optional<ProcessHandle> p = process.get();
        if (p.isEmpty() || !p.get().isAlive()) {
            return Reading.UNKNOWN;
        }
        try {
            long rss = SystemMemoryProbe.kib(
                    Files.readAllLines(
                            proc.resolve(Long.toString(p.get().pid())).resolve("status")),
                    "VmRSS:");
            return rss < 0 ? Reading.UNKNOWN : new Reading(rss, 0);
        } catch (IOException | RuntimeException e) {
            return Reading.UNKNOWN; // not Linux, or the process just ended
        }
    }
}
