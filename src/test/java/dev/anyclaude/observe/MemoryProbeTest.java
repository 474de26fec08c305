package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real probes, read from fake /proc and cgroup files (and the real ones where they exist). */
class MemoryProbeTest {
    private static final String MEMINFO = """
            MemTotal:       24000000 kB
            MemFree:         1000000 kB
            MemAvailable:    6000000 kB
            Buffers:          100000 kB
            """;

    @Test
    void systemMemoryIsTotalMinusAvailable(@TempDir Path dir) throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), MEMINFO);

        MemoryProbe.Reading r = new SystemMemoryProbe(meminfo, null).read();

        assertThat(r.limitBytes()).isEqualTo(24_000_000L * 1024);
        assertThat(r.usedBytes()).isEqualTo(18_000_000L * 1024);
        assertThat(r.fraction()).isEqualTo(0.75);
    }

    @Test
    void aBindingCgroupLimitReplacesTheMachineWithoutCountingReclaimableCache(@TempDir Path dir) throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), MEMINFO);
        Path cg = Files.createDirectory(dir.resolve("cg"));
        Files.writeString(cg.resolve("memory.max"), "8589934592\n");
        Files.writeString(cg.resolve("memory.current"), "7000000000\n");
        Files.writeString(cg.resolve("memory.stat"), "anon 5000000000\ninactive_file 1000000000\nactive_file 5\n");

        MemoryProbe.Reading r = new SystemMemoryProbe(meminfo, cg).read();

        assertThat(r.limitBytes()).isEqualTo(8_589_934_592L);
        assertThat(r.usedBytes()).isEqualTo(6_000_000_000L);
    }

    @Test
    void anUnlimitedCgroupLeavesTheMachineFigures(@TempDir Path dir) throws Exception {
        Path meminfo = Files.writeString(dir.resolve("meminfo"), MEMINFO);
        Path cg = Files.createDirectory(dir.resolve("cg"));
        Files.writeString(cg.resolve("memory.max"), "max\n");

        assertThat(new SystemMemoryProbe(meminfo, cg).read().limitBytes()).isEqualTo(24_000_000L * 1024);
    }

    @Test
    void unreadableMeminfoIsUnknownNotAFailure(@TempDir Path dir) {
        assertThat(new SystemMemoryProbe(dir.resolve("missing"), null).read().known())
                .isFalse();
    }

    @Test
    void residentMemoryComesFromTheProcessStatusFile(@TempDir Path proc) throws Exception {
        long pid = ProcessHandle.current().pid();
        Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(proc.resolve(pid + "/status"), "Name:\tllama-server\nVmPeak:\t 9 kB\nVmRSS:\t  524288 kB\n");

        MemoryProbe.Reading r = new ResidentMemoryProbe(() -> Optional.of(ProcessHandle.current()), proc).read();

        assertThat(r.usedBytes()).isEqualTo(512L << 20);
        assertThat(r.limitBytes()).isZero();
    }

    @Test
    void noProcessMeansNoReading(@TempDir Path proc) {
        assertThat(new ResidentMemoryProbe(Optional::empty, proc).read().known())
                .isFalse();
    }

    @Test
    void theRealProbesReadThisMachine() {
        assumeTrue(Files.isReadable(Path.of("/proc/meminfo")), "Linux /proc");
        MemoryProbe.Reading system = MemoryProbe.system().read();
        MemoryProbe.Reading self = MemoryProbe.residentMemory(() -> Optional.of(ProcessHandle.current()))
                .read();
        MemoryProbe.Reading heap = MemoryProbe.jvmHeap().read();

        assertThat(system.usedBytes()).isPositive().isLessThan(system.limitBytes());
        assertThat(self.usedBytes()).isGreaterThan(heap.usedBytes() / 2);
        assertThat(heap.limitBytes()).isPositive();
    }
}
