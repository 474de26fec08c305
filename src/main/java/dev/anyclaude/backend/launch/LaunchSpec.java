package dev.anyclaude.backend.launch;

import dev.anyclaude.backend.Flavor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What to launch: the server kind and the settings that make its prefix cache work.
 *
 * @param kind which server: a flavor anyclaude can {@linkplain Flavor#launch() launch}
 * @param executable the server executable, or null for {@link Flavor.Launch#executable()} on PATH
 * @param model what to load (a GGUF file for llama-server, a path or repository id for mlx and vLLM, an Ollama
 *     model name), or null where the server can do without (Ollama, or llama-server given a model flag in
 *     {@code extraArgs})
 * @param contextTokens context size to configure, 0 for the kind's default
 * @param parallel concurrent sequences (llama-server slots)
 * @param port port to listen on, 0 for a free one
 * @param extraArgs arguments appended unchanged after ours, so they can override them
 * @param logFile where the server's output goes, or null for the state directory
 * @param slotDir llama-server's {@code --slot-save-path}, or null for the cache directory
 * @param toolParser vLLM's {@code --tool-call-parser}, or null to guess it from the model name
 * @param readyTimeout how long the first start may take (loading a large model takes minutes)
 */
public record LaunchSpec(
        Flavor kind,
        String executable,
        String model,
        long contextTokens,
        int parallel,
        int port,
        List<String> extraArgs,
        Path logFile,
        Path slotDir,
        String toolParser,
        Duration readyTimeout) {

    public LaunchSpec {
        extraArgs = List.copyOf(extraArgs);
        if (kind.launch() == null) {
            throw new IllegalArgumentException("kind: " + kind.label() + " (expected: a flavor anyclaude can launch)");
        }
        if (contextTokens < 0) {
            throw new IllegalArgumentException(
                    "--ctx: " + contextTokens + " (expected: a positive number of tokens, or 0 for the default)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--server-port: " + port + " (expected: 1-65535, or 0 for a free port)");
        }
        if (readyTimeout.isNegative() || readyTimeout.isZero()) {
            throw new IllegalArgumentException("--server-ready-timeout: " + readyTimeout.toSeconds()
                    + " (expected: a positive number of seconds)");
        }
    }

    /** This spec with {@code path} as the server executable. */
    public LaunchSpec withExecutable(String path) {
        return new LaunchSpec(
                kind,
                path,
                model,
                contextTokens,
                parallel,
                port,
                extraArgs,
                logFile,
                slotDir,
                toolParser,
                readyTimeout);
    }

    /** A spec with the defaults for everything but the kind and the model. */
    public static LaunchSpec of(Flavor kind, String model) {
        return new LaunchSpec(kind, null, model, 0, 4, 0, List.of(), null, null, null, Duration.ofMinutes(15));
    }
}
