package dev.anyclaude.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A server the benchmark started as a child process: its pid (for {@link ProcessProbe}), its port, and the
 * time from {@code ProcessBuilder.start()} to ready. Its output goes to a log file in the work directory;
 * it is stopped by pid (and its own descendants with it), never by name.
 */
final class ServerProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int port;
    private final long readyNanos;
    private final long readyCpuNanos;
    private final Path log;

    private ServerProcess(String name, Process process, int port, long readyNanos, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.readyNanos = readyNanos;
        this.readyCpuNanos =
                ProcessProbe.available() && process.isAlive() ? new ProcessProbe(process.pid()).cpuNanos() : -1;
        this.log = log;
    }

    /**
     * Starts {@code command} and waits until it prints a line from which {@code portOf} reads a port
     * (non-null). Everything it prints is kept in {@code log}.
     */
    static ServerProcess startAndAwaitLine(
            String name,
            List<String> command,
            Map<String, String> env,
            Path dir,
            Path log,
            Function<String, Integer> portOf,
            Duration timeout)
            throws IOException {
        Process p = launch(command, env, dir, log);
        long start = System.nanoTime();
        CompletableFuture<Integer> found = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name + "-stdout").start(() -> {
            try (BufferedReader r =
                            new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    OutputStream out = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!found.isDone()) {
                        Integer port = portOf.apply(line);
                        if (port != null) {
                            found.complete(port);
                        }
                    }
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException e) {
                // the process ended; the waiter below reports it
            } finally {
                found.completeExceptionally(new IOException(name + " ended before it was ready"));
            }
        });
        try {
            int port = found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new ServerProcess(name, p, port, System.nanoTime() - start, log);
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            destroy(p);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IOException(
                    name + " did not become ready within " + timeout.toSeconds() + " s ("
                            + e.getClass().getSimpleName() + "); its output: " + log.toAbsolutePath() + "\n"
                            + tail(log),
                    e);
        }
    }

    /** Starts {@code command} and waits until {@code port} on loopback accepts connections. */
    static ServerProcess startAndAwaitPort(
            String name, List<String> command, Map<String, String> env, Path dir, Path log, int port, Duration timeout)
            throws IOException {
        Process p = launch(command, env, dir, log);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(name + " exited with status " + p.exitValue()
                        + " before it was ready; its output: " + log.toAbsolutePath() + "\n" + tail(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return new ServerProcess(name, p, port, System.nanoTime() - start, log);
            } catch (IOException notYet) {
                sleep(10);
            }
        }
        destroy(p);
        throw new IOException(name + " did not accept connections on port " + port + " within " + timeout.toSeconds()
                + " s; its output: " + log.toAbsolutePath() + "\n" + tail(log));
    }

    private static Process launch(List<String> command, Map<String, String> env, Path dir, Path log)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, "$ " + String.join(" ", command) + "\n");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Settings meant for the user's own gateway must not leak into a measured one.
        pb.environment().keySet().removeIf(k -> k.startsWith("ANYCLAUDE_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        // A benchmark stopped with Ctrl-C or kill must not leave its servers running.
        Thread reaper = new Thread(() -> destroy(p), "stop-" + command.getFirst());
        Runtime.getRuntime().addShutdownHook(reaper);
        p.onExit().thenRun(() -> {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to
            }
        });
        return p;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no output)";
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    /** From process start to ready, in milliseconds. */
    double readyMs() {
        return readyNanos / 1e6;
    }

    /** CPU time the process had used when it was found ready, in milliseconds (-1 when unknown). */
    double readyCpuMs() {
        return readyCpuNanos < 0 ? -1 : readyCpuNanos / 1e6;
    }

    Path log() {
        return log;
    }

    ProcessProbe probe() {
        return new ProcessProbe(process.pid());
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        destroy(process);
    }

    private static void destroy(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
