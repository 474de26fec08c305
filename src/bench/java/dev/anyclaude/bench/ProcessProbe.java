package dev.anyclaude.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * CPU time and memory of one Linux process, read from {@code /proc/<pid>}: user + system time of all its
 * threads (dead ones included) from {@code stat}, resident and peak resident memory from {@code status}.
 * The peak ({@code VmHWM}) can be reset through {@code clear_refs}, so each load phase reports its own.
 */
final class ProcessProbe {
    private static final long TICKS_PER_SECOND = clockTicks();

    private final long pid;

    ProcessProbe(long pid) {
        this.pid = pid;
    }

    static ProcessProbe self() {
        return new ProcessProbe(ProcessHandle.current().pid());
    }

    long pid() {
        return pid;
    }

    /** User + system CPU time of the process so far, in nanoseconds (clock-tick resolution, usually 10 ms). */
    long cpuNanos() {
        String stat = read("stat");
        // The command name, in parentheses, may hold spaces: count fields after its closing parenthesis.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 (utime) and 15 (stime)
        return ticks * 1_000_000_000L / TICKS_PER_SECOND;
    }

    /** Resident memory now, in KiB. */
    long rssKiB() {
        return statusKiB("VmRSS:");
    }

    /** Peak resident memory since start or since the last {@link #resetPeak()}, in KiB. */
    long peakRssKiB() {
        return statusKiB("VmHWM:");
    }

    /** Resets the peak to the current resident size; false when the kernel refused (then the peak is lifelong). */
    boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private long statusKiB(String key) {
        for (String line : read("status").split("\n")) {
            if (line.startsWith(key)) {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("/proc/" + pid + "/status has no " + key);
    }

    private String read(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), file));
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot read /proc/" + pid + "/" + file + " (the process ended, or this is not Linux): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Whether {@code /proc} can be read here (Linux). */
    static boolean available() {
        return Files.isReadable(Path.of("/proc/self/stat"));
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder(List.of("getconf", "CLK_TCK"))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: 100 is the value on every mainstream Linux build
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
