package dev.anyclaude.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Claude Code releases anyclaude is tested with: the oldest supported and the newest pinned one. The tests
 * run both (scripts/install-claude-code.sh installs them); {@code anyclaude claude} warns about a {@code claude}
 * outside the range, since every release changes what it sends.
 */
public final class ClaudeCodeVersions {
    /** The oldest release the tests run (June 2026). */
    public static final String OLDEST = "2.1.197";
    /** The newest release the tests run. */
    public static final String NEWEST = "2.1.332";

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

    private ClaudeCodeVersions() {}

    /** The version in {@code claude --version}'s output ({@code 2.1.332 (Claude Code)}), or empty. */
    static Optional<String> parse(String output) {
        Matcher m = VERSION.matcher(output == null ? "" : output);
        return m.find() ? Optional.of(m.group()) : Optional.empty();
    }

    /** Compares two dotted versions numerically. */
    static int compare(String a, String b) {
        Matcher x = VERSION.matcher(a);
        Matcher y = VERSION.matcher(b);
        if (!x.find() || !y.find()) {
            throw new IllegalArgumentException("not a version: " + a + " / " + b);
        }
        for (int i = 1; i <= 3; i++) {
            int c = Integer.compare(Integer.parseInt(x.group(i)), Integer.parseInt(y.group(i)));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** A warning when {@code version} is outside the tested range, or empty. */
    static Optional<String> warning(String version) {
        if (compare(version, OLDEST) < 0) {
            return Optional.of("Claude Code " + version + " is older than the oldest supported release (" + OLDEST
                    + "); update it (npm install -g @anthropic-ai/claude-code)");
        }
        if (compare(version, NEWEST) > 0) {
            return Optional.of(
                    "Claude Code " + version + " is newer than the newest release anyclaude was tested with (" + NEWEST
                            + "); it may send requests anyclaude has not seen — report what breaks");
        }
        return Optional.empty();
    }

    /** Asks {@code claude --version} (a few hundred milliseconds); empty when it does not say. */
    static Optional<String> of(Path claude) {
        try {
            Process p = new ProcessBuilder(claude.toString(), "--version")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return parse(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
