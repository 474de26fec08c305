package dev.anyclaude.cli;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Claude Code executable: an explicit path, PATH, the project's test install, the installers' default places.
 */
final class ClaudeBinary {
    /** Where scripts/install-claude-code.sh puts the newest pinned CLI, relative to the build directory. */
    static final String TEST_INSTALL = testInstall(ClaudeCodeVersions.NEWEST);

    /** Where scripts/install-claude-code.sh puts {@code version}, relative to the build directory. */
    static String testInstall(String version) {
        return "claude-code/" + version + "/node_modules/.bin/claude";
    }

    static final String INSTALL_HINT = """
            anyclaude: Claude Code (the `claude` command) was not found on PATH.
              Install it:                 npm install -g @anthropic-ai/claude-code
              or say where it is:         anyclaude claude --claude-bin /path/to/claude ...
              or start it yourself with:  anyclaude claude --print-env""";

    private ClaudeBinary() {}

    /**
     * @param explicit {@code --claude-bin}, or null
     * @param env the environment (PATH, HOME)
     * @param buildDir the project's build directory (where the jar or classes are), or null
     */
    static Optional<Path> find(String explicit, Map<String, String> env, Path buildDir) {
        if (explicit != null) {
            Path p = Path.of(explicit);
            if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
                throw new IllegalArgumentException("--claude-bin: " + explicit + " (expected: the claude executable)");
            }
            return Optional.of(p);
        }
        return candidates(env, buildDir).stream()
                .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
                .findFirst();
    }

    static List<Path> candidates(Map<String, String> env, Path buildDir) {
        List<Path> out = new ArrayList<>();
        boolean windows = System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .startsWith("windows");
        List<String> names = windows ? List.of("claude.exe", "claude.cmd") : List.of("claude");
        for (String dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank()) {
                names.forEach(n -> out.add(Path.of(dir, n)));
            }
        }
        if (buildDir != null) {
            out.add(buildDir.resolve(TEST_INSTALL));
        }
        String home = env.get("HOME");
        if (home != null) {
            out.add(Path.of(home, ".claude", "local", "claude"));
            out.add(Path.of(home, ".local", "bin", "claude"));
        }
        return out;
    }

    /** The directory holding this code (target/ for both target/classes and target/anyclaude.jar), or null. */
    static Path buildDir() {
        try {
            Path loc = Path.of(ClaudeBinary.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return loc.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
