package dev.anyclaude.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.ClaudeCodeVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench capture} with the real Claude Code (the newest pinned release): what it writes is complete and
 * normalized.
 */
class CaptureCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void capturesAToolLoopAsNormalizedFixtures(@TempDir Path out) throws Exception {
        Path claude = dev.anyclaude.cli.PinnedClaudeCode.installed(ClaudeCodeVersions.NEWEST);

        int code = new CommandLine(new CaptureCommand())
                .execute(
                        "--claude-bin",
                        claude.toString(),
                        "--claude-version",
                        ClaudeCodeVersions.NEWEST,
                        "--scenarios",
                        "tool-loop",
                        "--out",
                        out.toString());

        assertThat(code).isZero();
        Path dir = out.resolve("tool-loop");
        List<Path> bodies;
        try (Stream<Path> s = Files.list(dir)) {
            bodies = s.filter(p -> p.getFileName().toString().endsWith(".body.json"))
                    .sorted()
                    .toList();
        }
        // Bash, then Read, then the final text: three streamed requests, each extending the previous conversation
        assertThat(bodies).hasSize(3);
        JsonNode last = JSON.readTree(bodies.get(2).toFile());
        assertThat(last.path("stream").asBoolean()).isTrue();
        assertThat(last.get("messages")).hasSize(6);
        JsonNode output = JSON.readTree(dir.resolve("claude-output.json").toFile());
        assertThat(output.path("is_error").asBoolean(true)).isFalse();
        assertThat(output.path("result").asText()).contains("saw 2 tool results");

        String all = Files.readString(bodies.get(0))
                + Files.readString(bodies.get(2))
                + Files.readString(dir.resolve("01-POST-v1_messages.request.json"));
        assertThat(all)
                .contains("/home/dev/calc-project")
                .doesNotContain("anyclaude-capture-")
                .doesNotContain(java.time.LocalDate.now().toString());
        assertThat(all).containsPattern("00000000-0000-4000-8000-0000000000\\d\\d");
        assertThat(all)
                .doesNotContainPattern(
                        "[0-9a-f]{8}-(?!0000-4000-8000)[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }
}
