package dev.anyclaude.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.api.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The overhead harness end to end with tiny counts: real stub and gateway processes, every phase reported. */
class OverheadCommandTest {

    @Test
    void runsEveryPhaseAgainstRealProcessesAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.md");
        int exit = new CommandLine(new OverheadCommand())
                .execute(
                        "--fixtures",
                        Fixtures.claudeCode().toString(),
                        "--requests",
                        "20",
                        "--concurrency",
                        "1,2",
                        "--warmup",
                        "40",
                        "--warmup-concurrency",
                        "2",
                        "--startup-runs",
                        "0",
                        "--no-ccr",
                        "--duration-limit",
                        "30",
                        "--work-dir",
                        dir.resolve("work").toString(),
                        "--markdown",
                        report.toString());
        String md = Files.readString(report);
        assertThat(exit).as(md).isZero();
        for (String mode : new String[] {"json", "stream"}) {
            for (int c : new int[] {1, 2}) {
                assertThat(md).containsPattern("\\| " + mode + " \\| " + c + " \\| direct \\| 20 \\| 0 \\|");
                assertThat(md).containsPattern("\\| " + mode + " \\| " + c + " \\| anyclaude \\| 20 \\| 0 \\|");
            }
        }
        assertThat(md).contains("added p50 at c=1, json", "start-up to ready", "warm-up round 2, anyclaude stream");
        assertThat(Files.readString(dir.resolve("work/gateway.log"))).contains("serve");
    }
}
