package dev.anyclaude.backend.launch;

import dev.anyclaude.backend.Flavor;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A model server that anyclaude started and supervises, seen from the gateway: where it listens, what it
 * serves, and how to stop it. Stopping also happens from a JVM shutdown hook, so Ctrl-C (or a failure
 * anywhere else) never leaves a model server running.
 */
public final class LaunchedServer implements AutoCloseable {
    private static final long ROTATE_LOG_BYTES = 20L << 20;

    private final Flavor flavor;
    private final ServerCommand command;
    private final ServerSupervisor supervisor;
    private final URI baseUrl;
    private final Path slotDir;
    private final HttpHealthProbe probe;
    private final Thread shutdownHook;

    private LaunchedServer(
            Flavor flavor,
            ServerCommand command,
            ServerSupervisor supervisor,
            URI baseUrl,
            Path slotDir,
            HttpHealthProbe probe) {
        this.flavor = flavor;
        this.command = command;
        this.supervisor = supervisor;
        this.baseUrl = baseUrl;
        this.slotDir = slotDir;
        this.probe = probe;
        this.shutdownHook = new Thread(supervisor::stop, "anyclaude-stop-" + name());
    }

    /**
     * Starts the server described by {@code spec}, printing its command line and a progress display on
     * {@code console}, and returns once it is healthy. Throws {@link LaunchException} when it cannot start and
     * {@link IllegalArgumentException} for a bad setting.
     */
    public static LaunchedServer start(LaunchSpec spec, PrintStream console, Clock clock) {
        return start(spec, console, AppDirs.system(), StartProgress.terminal(), clock);
    }

    static LaunchedServer start(LaunchSpec spec, PrintStream console, AppDirs dirs, boolean terminal, Clock clock) {
        spec = withPinnedLlamaServer(spec, console);
        String name = spec.kind().launch().name();
        int port = spec.port() != 0 ? spec.port() : freePort();
        Path slotDir = spec.slotDir() != null ? spec.slotDir() : dirs.cache().resolve("slots");
        ServerCommand command = ServerCommand.of(spec, port, slotDir, physicalMemory());
        Path log = spec.logFile() != null ? spec.logFile() : dirs.state().resolve(name + ".log");
        try {
            if (spec.kind() == Flavor.LLAMACPP) {
                Files.createDirectories(slotDir);
            }
            rotate(log);
        } catch (IOException e) {
            throw new LaunchException("cannot prepare " + slotDir + " / " + log + ": " + e.getMessage(), e);
        }
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpHealthProbe probe =
                new HttpHealthProbe(base.resolve(spec.kind().launch().healthPath()));
        ServerSupervisor supervisor = new ServerSupervisor(
                name,
                command,
                log,
                probe,
                ServerSupervisor.Settings.defaults(spec.readyTimeout()),
                Sleeper.SYSTEM,
                clock,
                SupervisorEvents.logging(name, log));
        LaunchedServer server = new LaunchedServer(spec.kind(), command, supervisor, base, slotDir, probe);
        console.println("anyclaude: starting " + name + ": " + command.display());
        console.println("anyclaude: " + name + " log: " + log);
        console.flush();
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
        try {
            supervisor.start(new StartProgress(console, terminal, name));
        } catch (InterruptedException e) {
            server.close();
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while starting " + name, e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * llama-server with no {@code --server-bin} and none on the PATH: the pinned release's build (built now,
     * once, when missing). Other kinds and explicit executables are left as they are.
     */
    private static LaunchSpec withPinnedLlamaServer(LaunchSpec spec, PrintStream console) {
        if (spec.kind() != Flavor.LLAMACPP
                || spec.executable() != null
                || PinnedLlamaServer.onPath(spec.kind().launch().executable())) {
            return spec;
        }
        return spec.withExecutable(PinnedLlamaServer.obtain(console).toString());
    }

    /** A port that was free a moment ago on loopback; the server binds it right after. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new LaunchException("no free loopback port: " + e.getMessage(), e);
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /** Keeps one previous log ({@code .1}) once a log grows past 20 MiB, so logs never grow without bound. */
    private static void rotate(Path log) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        if (Files.isRegularFile(log) && Files.size(log) > ROTATE_LOG_BYTES) {
            Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The server root, e.g. {@code http://127.0.0.1:41234} (the OpenAI API is under {@code /v1}). */
    public URI baseUrl() {
        return baseUrl;
    }

    /** Which server it is; its {@link Flavor#launch()} says how it was started. */
    public Flavor flavor() {
        return flavor;
    }

    /** The server's name, e.g. {@code llama-server}. */
    public String name() {
        return flavor.launch().name();
    }

    /** The model name the server answers to, or null to ask the server. */
    public String servedModel() {
        return command.servedModel();
    }

    /** The context size configured, or 0 when the server chose it. */
    public long contextTokens() {
        return command.contextTokens();
    }

    /** llama-server's {@code --slot-save-path}, where slot files are saved and restored. */
    public Path slotDir() {
        return slotDir;
    }

    public Path logFile() {
        return supervisor.logFile();
    }

    /** The command it was started with (and is restarted with). */
    public ServerCommand command() {
        return command;
    }

    public ServerSupervisor supervisor() {
        return supervisor;
    }

    @Override
    public void close() {
        supervisor.stop();
        probe.close();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook runs (stop() is idempotent)
        }
    }
}
