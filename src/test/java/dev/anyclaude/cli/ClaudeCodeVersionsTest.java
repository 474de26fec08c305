package dev.anyclaude.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClaudeCodeVersionsTest {

    @Test
    void readsTheVersionFromClaudesOwnOutput() {
        assertThat(ClaudeCodeVersions.parse("2.1.332 (Claude Code)\n")).contains("2.1.332");
        assertThat(ClaudeCodeVersions.parse("command not found")).isEmpty();
        assertThat(ClaudeCodeVersions.parse(null)).isEmpty();
    }

    @Test
    void comparesNumericallyNotAsText() {
        assertThat(ClaudeCodeVersions.compare("2.1.99", "2.1.197")).isNegative();
        assertThat(ClaudeCodeVersions.compare("2.10.0", "2.9.400")).isPositive();
        assertThat(ClaudeCodeVersions.compare("2.1.332", "2.1.332")).isZero();
        assertThatThrownBy(() -> ClaudeCodeVersions.compare("latest", "2.1.1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void warnsOnlyOutsideTheTestedRange() {
        assertThat(ClaudeCodeVersions.warning(ClaudeCodeVersions.OLDEST)).isEmpty();
        assertThat(ClaudeCodeVersions.warning(ClaudeCodeVersions.NEWEST)).isEmpty();
        assertThat(ClaudeCodeVersions.warning("2.1.250")).isEmpty();
        assertThat(ClaudeCodeVersions.warning("2.0.5"))
                .get()
                .asString()
                .contains("older than the oldest supported release (2.1.197)")
                .contains("npm install -g");
        assertThat(ClaudeCodeVersions.warning("2.2.0"))
                .get()
                .asString()
                .contains("newer than the newest release anyclaude was tested with (2.1.332)");
    }

    @Test
    void asksTheExecutableAndGivesNothingWhenItDoesNotSay(@TempDir Path dir) throws Exception {
        Path talks = dir.resolve("claude");
        Files.writeString(talks, "#!/bin/sh\necho '2.1.250 (Claude Code)'\n");
        talks.toFile().setExecutable(true);
        Path silent = dir.resolve("silent");
        Files.writeString(silent, "#!/bin/sh\nexit 0\n");
        silent.toFile().setExecutable(true);

        assertThat(ClaudeCodeVersions.of(talks)).contains("2.1.250");
        assertThat(ClaudeCodeVersions.of(silent)).isEmpty();
        assertThat(ClaudeCodeVersions.of(dir.resolve("missing"))).isEmpty();
    }
}
