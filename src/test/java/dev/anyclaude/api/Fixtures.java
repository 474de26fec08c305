package dev.anyclaude.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Claude Code captures the tests read, kept in the project ({@code src/test/resources/claude-code}); the
 * {@code anyclaude.fixtures} system property (set by the build) names the folder.
 */
public final class Fixtures {
    private Fixtures() {}

    /** The folder of captures: {@code p-say-hi-1/}, {@code p-tool-bash-read/}, {@code responses/}. */
    public static Path claudeCode() {
        return Path.of(System.getProperty("anyclaude.fixtures", "src/test/resources/claude-code"));
    }

    /** Every {@code *.body.json} request body captured from Claude Code, sorted by path. */
    public static List<Path> claudeCodeBodies() {
        Path root = claudeCode();
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> bodies = s.filter(p -> p.getFileName().toString().endsWith(".body.json"))
                    .sorted()
                    .toList();
            if (bodies.isEmpty()) {
                throw new IllegalStateException("no Claude Code bodies under " + root.toAbsolutePath());
            }
            return bodies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
