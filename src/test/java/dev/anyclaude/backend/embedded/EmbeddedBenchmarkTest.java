package dev.anyclaude.backend.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.engine.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBenchmarkTest {

    @Test
    void runsEveryCaseAndChecksOutputIdentityOnASmallPrefix(@TempDir Path dir) throws IOException {
        EmbeddedBenchmark.Options o = new EmbeddedBenchmark.Options(
                TestModels.tiny(), null, 400, 20, 8, 1, dir.resolve("no-such-fixture.json"), dir, 2);
        String report = EmbeddedBenchmark.run(o, new PrintStream(new ByteArrayOutputStream()));

        assertThat(report).contains("prompt source synthetic");
        assertThat(report.lines().filter(l -> l.startsWith("| 1 cold vs warm"))).hasSize(2);
        assertThat(report.lines().filter(l -> l.startsWith("| 2 alternating prefixes")))
                .hasSize(6);
        assertThat(report.lines().filter(l -> l.startsWith("| 3 restore (RAM)")))
                .hasSize(2);
        assertThat(report.lines().filter(l -> l.startsWith("| 3 restore (disk)")))
                .hasSize(2);
        assertThat(report.lines().filter(l -> l.contains("outputs identical in 2 of 2")))
                .hasSize(5);
        assertThat(report).doesNotContain("DIFFER").contains("design check").contains("restores 1");
    }
}
