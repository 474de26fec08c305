package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.cli.StubModelServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * claude-code-router ({@code @musistudio/claude-code-router}), the gateway most Claude Code users run today,
 * installed with npm into a directory of its own and configured against the same stub, so the benchmark
 * can put it side by side with anyclaude in the same run.
 *
 * <p>It reads {@code ~/.claude-code-router/config.json}; the benchmark gives it a private HOME in the work
 * directory, so the user's own configuration is neither read nor touched. {@code ccr start} serves in the
 * foreground process, which is the process measured. Its logging is off, as anyclaude logs nothing per
 * request either.
 */
final class ClaudeCodeRouter {
    static final String PACKAGE = "@musistudio/claude-code-router";
    static final String VERSION = "2.0.0";

    private ClaudeCodeRouter() {}

    /** The package's CLI script under {@code dir}, installing it there first when missing. */
    static Path install(Path dir) throws IOException, InterruptedException {
        Path cli = dir.resolve("node_modules").resolve(PACKAGE).resolve("dist/cli.js");
        Path manifest = dir.resolve("node_modules").resolve(PACKAGE).resolve("package.json");
        if (Files.isRegularFile(cli) && Files.readString(manifest).contains("\"version\": \"" + VERSION + "\"")) {
            return cli;
        }
        String node = run(List.of("node", "--version"), Path.of("."), 30);
        int major = Integer.parseInt(node.trim().replaceFirst("^v", "").split("\\.")[0]);
        if (major < 20) {
            throw new IOException("claude-code-router " + VERSION + " needs Node.js >= 20; found " + node.trim());
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("package.json"), """
                {
                  "name": "anyclaude-bench-ccr",
                  "private": true,
                  "description": "claude-code-router, installed only to be benchmarked side by side with anyclaude",
                  "dependencies": { "%s": "%s" }
                }
                """.formatted(PACKAGE, VERSION));
        System.err.println("bench: installing " + PACKAGE + "@" + VERSION + " into " + dir.toAbsolutePath() + " (npm)");
        run(List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"), dir, 600);
        if (!Files.isRegularFile(cli)) {
            throw new IOException("npm install finished but " + cli + " is missing");
        }
        return cli;
    }

    /** Starts the router on {@code port}, its one provider being the stub at {@code stubUrl}. */
    static ServerProcess start(Path cli, String stubUrl, int port, Path workDir) throws IOException {
        return start(cli, stubUrl, StubModelServer.MODEL, port, workDir);
    }

    /** Starts the router on {@code port}, its one provider the OpenAI-compatible server at {@code serverUrl}. */
    static ServerProcess start(Path cli, String serverUrl, String model, int port, Path workDir) throws IOException {
        String stubUrl = serverUrl;
        Path home = workDir.resolve("ccr-home").toAbsolutePath();
        Path configDir = home.resolve(".claude-code-router");
        Files.createDirectories(configDir);
        Files.deleteIfExists(configDir.resolve(".claude-code-router.pid"));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode config = mapper.createObjectNode();
        config.put("LOG", false);
        config.put("HOST", "127.0.0.1");
        config.put("PORT", port);
        config.put("API_TIMEOUT_MS", 900_000); // a cold prefill on a CPU can take minutes
        ObjectNode provider = config.putArray("Providers").addObject();
        provider.put("name", "stub");
        provider.put("api_base_url", stubUrl + "/v1/chat/completions");
        provider.put("api_key", "bench");
        provider.putArray("models").add(model);
        config.putObject("Router").put("default", "stub," + model);
        mapper.writerWithDefaultPrettyPrinter()
                .writeValue(configDir.resolve("config.json").toFile(), config);
        return ServerProcess.startAndAwaitPort(
                "claude-code-router",
                List.of("node", cli.toAbsolutePath().toString(), "start"),
                Map.of("HOME", home.toString(), "NODE_ENV", "production"),
                home,
                workDir.resolve("ccr.log"),
                port,
                Duration.ofSeconds(60));
    }

    private static String run(List<String> command, Path dir, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("anyclaude-bench-", ".out");
        try {
            Process p;
            try {
                p = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
            } catch (IOException e) {
                throw new IOException(
                        "cannot run " + command.getFirst() + " (is Node.js installed?): " + e.getMessage(), e);
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text.strip());
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
