package dev.anyclaude.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The Claude Code releases scripts/install-claude-code.sh installs for the tests. */
public final class PinnedClaudeCode {
    private PinnedClaudeCode() {}

    /**
     * The executable of {@code version} under {@code target/claude-code}; a test without it is skipped, except under
     * {@code CI=true}, where it fails: CI must have installed it.
     */
    public static Path installed(String version) {
        Path claude = ClaudeBinary.buildDir().resolve(ClaudeBinary.testInstall(version));
        if (!Files.isExecutable(claude)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("Claude Code is not installed at " + claude + "; .ci/run must run scripts/install-claude-code.sh");
            }
            Assumptions.abort("Claude Code " + version + " not installed; run scripts/install-claude-code.sh");
        }
        return claude;
    }
}
