package dev.anyclaude.backend.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The llama-server of the llama.cpp release anyclaude is tested against (v0.5.0), built once per machine by
 * {@code scripts/llama-server.sh} into {@code ${XDG_CACHE_HOME:-~/.cache}/anyclaude/llama.cpp/v0.5.0/bin}.
 * {@code --launch llama-server} uses it when no {@code llama-server} is on the PATH and no {@code --server-bin}
 * is given.
 */
public final class PinnedLlamaServer {
    /** The pinned release, as the build script names it. */
    public static final String RELEASE = "v0.5.0";
    /** Its commit, as {@code llama-server --version} prints it. */
    public static final String COMMIT = "de3ff81";

    private PinnedLlamaServer() {}

    /** Where the build script puts the binary, for {@code env} (XDG_CACHE_HOME, HOME, ANYCLAUDE_LLAMA_CACHE). */
    static Path location(Map<String, String> env) {
        String override = env.get("ANYCLAUDE_LLAMA_CACHE");
        Path root = override != null && !override.isBlank()
                ? Path.of(override)
                : AppDirs.from(env).cache().resolve("llama.cpp");
        return root.resolve(RELEASE).resolve("bin").resolve("llama-server");
    }

    /** The chat templates of the pinned release ({@code models/templates/*.jinja}), kept beside its build. */
    public static Path templates() {
        return location(System.getenv()).getParent().resolveSibling("templates");
    }

    /** The built binary if it is there already. */
    public static Optional<Path> built() {
        Path bin = location(System.getenv());
        return Files.isExecutable(bin) ? Optional.of(bin) : Optional.empty();
    }

    /**
     * The pinned binary, building it first (minutes) when it is missing, with the build's progress on
     * {@code console}. The build script is found in the project the jar was started from
     * ({@code anyclaude.home}, set by the {@code ./anyclaude} launcher).
     *
     * @throws LaunchException when it cannot be built here
     */
    public static Path obtain(PrintStream console) {
        Optional<Path> ready = built();
        if (ready.isPresent()) {
            return ready.get();
        }
        Path script = Path.of(System.getProperty("anyclaude.home", "."), "scripts", "llama-server.sh");
        if (!Files.isRegularFile(script)) {
            throw new LaunchException("no llama-server found on the PATH, and no " + script
                    + " to build llama.cpp " + RELEASE + " with (expected: run anyclaude from its project folder,"
                    + " or name your own build with --server-bin)");
        }
        console.println("anyclaude: no llama-server found; building llama.cpp " + RELEASE + " once, ~6 min;"
                + " use --server-bin for your own");
        console.flush();
        try {
            Process p = new ProcessBuilder(List.of("bash", script.toString()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new LaunchException("building llama.cpp " + RELEASE + " failed (" + script
                        + " said why above); name a llama-server you have with --server-bin");
            }
            Path bin = Path.of(out.lines().reduce((a, b) -> b).orElse(""));
            if (!Files.isExecutable(bin)) {
                throw new LaunchException(script + " printed " + out + " (expected: the path of llama-server)");
            }
            return bin;
        } catch (IOException e) {
            throw new LaunchException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while building llama.cpp " + RELEASE, e);
        }
    }

    /** Whether {@code name} is an executable on the PATH. */
    static boolean onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}
