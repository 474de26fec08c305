package dev.anyclaude.observe;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory of the machine, read from {@code /proc/meminfo} on Linux ("used" is total minus
 * {@code MemAvailable}, which counts reclaimable page cache as free), narrowed to the container when a
 * cgroup v2 limit is lower than the machine. Elsewhere the JDK's operating-system bean answers.
 */
final class SystemMemoryProbe implements MemoryProbe {
    private final Path meminfo;
    private final Path cgroupDir;

    SystemMemoryProbe(Path meminfo, Path cgroupDir) {
        this.meminfo = meminfo;
        this.cgroupDir = cgroupDir;
    }

    static MemoryProbe forThisMachine() {
        Path meminfo = Path.of("/proc/meminfo");
        if (Files.isReadable(meminfo)) {
            return new SystemMemoryProbe(meminfo, ownCgroup());
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return () -> new Reading(os.getTotalMemorySize() - os.getFreeMemorySize(), os.getTotalMemorySize());
        }
        return () -> Reading.UNKNOWN;
    }

    /** This process's cgroup v2 directory ({@code 0::/path} in /proc/self/cgroup), or null. */
    private static Path ownCgroup() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    Path dir = Path.of("/sys/fs/cgroup", line.substring(3));
                    return Files.isDirectory(dir) ? dir : Path.of("/sys/fs/cgroup");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup v2: the machine's figures are the right ones
        }
        return null;
    }

    @Override
    public Reading read() {
        long total;
        long available;
        try {
            List<String> lines = Files.readAllLines(meminfo);
            total = kib(lines, "MemTotal:");
            available = kib(lines, "MemAvailable:");
        } catch (IOException | RuntimeException e) {
            return Reading.UNKNOWN;
        }
        if (total <= 0 || available < 0) {
            return Reading.UNKNOWN;
        }
        Reading machine = new Reading(total - available, total);
        Reading container = container(total);
        return container != null ? container : machine;
    }

    /** The cgroup's usage without reclaimable file cache, against its limit, when that limit binds. */
    private Reading container(long machineTotal) {
        if (cgroupDir == null) {
            return null;
        }
        try {
            String max = Files.readString(cgroupDir.resolve("memory.max")).strip();
            if (max.equals("max")) {
                return null;
            }
            long limit = Long.parseLong(max);
            if (limit <= 0 || limit >= machineTotal) {
                return null;
            }
            long current = Long.parseLong(
                    Files.readString(cgroupDir.resolve("memory.current")).strip());
            long inactiveFile = 0;
            for (String line : Files.readAllLines(cgroupDir.resolve("memory.stat"))) {
                if (line.startsWith("inactive_file ")) {
                    inactiveFile = Long.parseLong(
                            line.substring("inactive_file ".length()).strip());
                }
            }
            return new Reading(Math.max(0, current - inactiveFile), limit);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The value in bytes of a {@code Name:   123 kB} line, or -1. */
    static long kib(List<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name)) {
                String v = line.substring(name.length()).strip();
                int space = v.indexOf(' ');
                return Long.parseLong(space < 0 ? v : v.substring(0, space)) * 1024;
            }
        }
        return -1;
    }
}
