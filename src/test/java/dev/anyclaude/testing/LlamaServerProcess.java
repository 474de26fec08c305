package dev.anyclaude.testing;

import dev.anyclaude.engine.TestModels;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real llama.cpp server of the pinned release (v0.5.0, built by {@code scripts/llama-server.sh}) for
 * tests: started on a free loopback port with a generated model, waited for until {@code /health} says ok,
 * and stopped by its PID when the test is done (or the JVM exits). Tests can kill it with SIGKILL and start
 * it again on the same port, and read its own counters from {@code /metrics}.
 *
 * <p>The binary is {@code -Danyclaude.llama-server=...} ({@code ./anyclaude test} sets it), else what
 * {@code scripts/llama-server.sh} prints (it builds llama.cpp once per machine).
 */
public final class LlamaServerProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(120);
    private static Path binary;

    private final List<String> args;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private Process process;
    private Thread reaper;

    private LlamaServerProcess(List<String> args, Path log, int port) {
        this.args = List.copyOf(args);
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the server on the tiny test model with {@code flags} after ours ({@code -m}, {@code --host},
     * {@code --port}, {@code --metrics}) and waits until it is healthy.
     */
    public static LlamaServerProcess start(String... flags) throws IOException {
        return start(TestModels.tiny(), List.of(flags));
    }

    /** Starts the server on {@code model} with {@code flags} after ours, and waits until it is healthy. */
    public static LlamaServerProcess start(Path model, List<String> flags) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            List<String> argv = new ArrayList<>(List.of(
                    binary().toString(),
                    "-m",
                    model.toString(),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    Integer.toString(port),
                    "--metrics"));
            argv.addAll(flags);
            Path log = Files.createTempFile("anyclaude-llama-server-", ".log");
            LlamaServerProcess server = new LlamaServerProcess(argv, log, port);
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                server.close();
                last = e; // most likely the port was taken between choosing and binding it
            }
        }
        throw last;
    }

    /** The pinned llama-server binary, built on first use. */
    public static synchronized Path binary() {
        if (binary != null) {
            return binary;
        }
        String configured = System.getProperty("anyclaude.llama-server", "");
        if (!configured.isBlank()) {
            binary = Path.of(configured);
            return binary;
        }
        try {
            Process p = new ProcessBuilder("bash", "scripts/llama-server.sh")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            }
            if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("scripts/llama-server.sh failed (see its output above)");
            }
            binary = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run scripts/llama-server.sh: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building llama-server", e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** The command line it runs. */
    public List<String> argv() {
        return args;
    }

    /** Kills the server at once (SIGKILL to its PID) and waits for it to exit. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts the server again on the same port (after {@link #kill()}), with empty caches. */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    /** The server's Prometheus counters, {@code llamacpp:*} names without the prefix. */
    public Map<String, Double> metrics() throws IOException, InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith("llamacpp:")) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring("llamacpp:".length(), space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    /** Prompt tokens the server actually processed (reused ones are not counted), from its own counter. */
    public long promptTokensProcessed() throws IOException, InterruptedException {
        return metrics().getOrDefault("prompt_tokens_total", 0.0).longValue();
    }

    /** A GET against the server. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON POST against the server. */
    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .timeout(Duration.ofSeconds(300))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The server's output so far (last 4,000 characters). */
    public String logTail() {
        try {
            String s = Files.readString(log);
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        try {
            kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (reaper != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to; nothing to remove
            }
            reaper = null;
        }
        http.close();
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }

    @Override
    public String toString() {
        return "llama-server[pid " + (process == null ? "-" : process.pid()) + ", port " + port + "]";
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(args)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        if (reaper == null) {
            reaper = new Thread(
                    () -> {
                        if (process != null) {
                            process.destroyForcibly();
                        }
                    },
                    "llama-server-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("llama-server exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for llama-server", e);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for llama-server", e);
            }
        }
        process.destroyForcibly();
        throw new IOException("llama-server was not healthy within " + STARTUP + ": " + logTail());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
