package dev.anyclaude.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared Claude Code captures, found through the {@code anyclaude.shared} system property. */
public final class Fixtures {
    private Fixtures() {}

    public static Path shared() {
        String dir = System.getProperty("anyclaude.shared", "../shared");
        return Path.of(dir);
    }

    /** Every {@code *.body.json} request body captured from Claude Code, sorted by path. */
    public static List<Path> claudeCodeBodies() {
        Path root = shared().resolve("fixtures/claude-code");
        try (Stream<Path> s = Files.walk(root)) {
            List<Path> bodies = s.filter(p -> p.getFileName().toString().endsWith(".body.json")).sorted().toList();
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
