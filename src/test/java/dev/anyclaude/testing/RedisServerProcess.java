package dev.anyclaude.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests: started on a free loopback port with persistence off, in its own
 * temporary directory, and killed by its PID when the test is done (or the JVM exits). Tests can kill it,
 * freeze it and restart it on the same port to exercise outages.
 *
 * <p>The binary is {@code -Danyclaude.redis-server=...}, else {@code /usr/bin/redis-server}, else
 * {@code redis-server} on the PATH; Debian's {@code redis-server} package provides it.
 */
public final class RedisServerProcess implements AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(10);

    private final Path binary;
    private final Path dir;
    private final int port;
    private Process process;
    private Thread reaper;

    private RedisServerProcess(Path binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server on a free loopback port and waits until it answers {@code PING}. */
    public static RedisServerProcess start() throws IOException {
        Path binary = binary();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisServerProcess server =
                    new RedisServerProcess(binary, Files.createTempDirectory("anyclaude-redis-"), freePort());
            try {
                server.launch();
                return server;
            } catch (IOException e) {
                // most likely the port was taken between choosing and binding it; try another
                server.close();
                last = e;
            }
        }
        throw last;
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Kills the server at once (SIGKILL to its PID) and waits for it to exit. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
    public void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Resumes a frozen server (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    /** Starts the server again on the same port, with an empty data set. */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    /** Sends one command over a raw connection and returns the first reply line, for test assertions. */
    public String command(String... args) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            resp.append('$')
                    .append(a.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n")
                    .append(a)
                    .append("\r\n");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
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
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temp directory is harmless
        }
    }

    @Override
    public String toString() {
        return "redis-server[pid " + (process == null ? "-" : process.pid()) + ", port " + port + "]";
    }

    private void launch() throws IOException {
        Path log = dir.resolve("redis.log");
        process = new ProcessBuilder(List.of(
                        binary.toString(),
                        "--port",
                        String.valueOf(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString(),
                        "--daemonize",
                        "no",
                        "--protected-mode",
                        "yes"))
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
                    "redis-server-reaper");
            Runtime.getRuntime().addShutdownHook(reaper);
        }
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue() + ": " + tail(log));
            }
            try {
                if ("+PONG".equals(command("PING"))) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for redis-server", e);
            }
        }
        process.destroyForcibly();
        throw new IOException("redis-server did not answer PING within " + STARTUP + ": " + tail(log));
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", sig, String.valueOf(process.pid()))
                .inheritIO()
                .start();
        if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill " + sig + " " + process.pid() + " failed");
        }
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log);
            return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path binary() {
        String configured = System.getProperty("anyclaude.redis-server");
        if (configured != null) {
            return Path.of(configured);
        }
        Path debian = Path.of("/usr/bin/redis-server");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server not found: install it (apt-get install -y redis-server) "
                + "or point -Danyclaude.redis-server at it");
    }
}
