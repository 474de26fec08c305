package dev.anyclaude.backend.launch;

import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keeps one model server process running: starts it, waits until its health endpoint answers, restarts it
 * with exponential backoff when it dies, and stops it together with every process it started.
 *
 * <p>The first start blocks the caller (nothing works before the model is loaded) and fails loudly with the
 * tail of the server's log. Later crashes are handled by a watcher thread while the gateway keeps serving:
 * requests meanwhile fail with {@code overloaded_error}, which Claude Code retries. Restarts reuse the port,
 * so the gateway's upstream URL never changes. All waiting goes through the {@link Sleeper} and all time
 * through the {@link Clock}, so the restart logic is tested without long sleeps.
 */
public final class ServerSupervisor implements AutoCloseable {

    /** Where the supervised server is in its life. */
    public enum State {
        NEW,
        STARTING,
        READY,
        RESTARTING,
        FAILED,
        STOPPED
    }

    /**
     * Timing settings.
     *
     * @param readyTimeout how long a start may take before it counts as failed
     * @param stopGrace how long a server may take to exit after SIGTERM before it gets SIGKILL
     * @param pollInterval the pause between health checks while starting
     * @param restart when to restart after a crash
     */
    public record Settings(Duration readyTimeout, Duration stopGrace, Duration pollInterval, RestartPolicy restart) {
        public static Settings defaults(Duration readyTimeout) {
            return new Settings(readyTimeout, Duration.ofSeconds(10), Duration.ofMillis(250), RestartPolicy.DEFAULT);
        }
    }

    private final String name;
    private final ServerCommand command;
    private final Path logFile;
    private final HealthProbe health;
    private final Settings settings;
    private final Sleeper sleeper;
    private final Clock clock;
    private final SupervisorEvents events;

    private final ProcessTree tree = new ProcessTree();
    private final Object lock = new Object();
    private final AtomicInteger restarts = new AtomicInteger();
    private Process process; // guarded by lock
    private boolean stopping; // guarded by lock
    private Thread watcher; // guarded by lock
    private volatile State state = State.NEW;
    private volatile int attempt;
    private volatile Instant readyAt;
    private volatile long logOffset;

    public ServerSupervisor(
            String name,
            ServerCommand command,
            Path logFile,
            HealthProbe health,
            Settings settings,
            Sleeper sleeper,
            Clock clock,
            SupervisorEvents events) {
        this.name = name;
        this.command = command;
        this.logFile = logFile;
        this.health = health;
        this.settings = settings;
        this.sleeper = sleeper;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Starts the server and waits until it is healthy, then watches it. Throws {@link LaunchException} when it
     * cannot be run, exits first, or is not healthy within the ready timeout (it is then stopped).
     */
    public void start(StartProgress progress) throws InterruptedException {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException(name + " was already started");
            }
            state = State.STARTING;
        }
        Instant t0 = clock.instant();
        Process p = spawn();
        if (p == null) {
            throw new LaunchException(name + ": stopped while starting");
        }
        String outcome = awaitReady(p, progress);
        if (outcome != null && stopping()) {
            throw new LaunchException(name + ": start cancelled, anyclaude is stopping");
        }
        if (outcome != null) {
            state = State.FAILED;
            tree.stop(settings.stopGrace());
            progress.done(name + " failed to start");
            throw new LaunchException(name + " " + outcome + "\n" + logTail());
        }
        readyAt = clock.instant();
        state = State.READY;
        progress.done(name + " ready after " + Duration.between(t0, readyAt).toSeconds() + " s (pid " + p.pid()
                + ", log " + logFile + ")");
        synchronized (lock) {
            if (!stopping) {
                watcher = Thread.ofVirtual().name("supervise-" + name).start(this::watch);
            }
        }
    }

    /** Starts one incarnation, or returns null when stopping. */
    private Process spawn() {
        synchronized (lock) {
            if (stopping) {
                return null;
            }
            try {
                Files.createDirectories(logFile.toAbsolutePath().getParent());
                logOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
                Files.writeString(
                        logFile,
                        "--- anyclaude " + clock.instant() + ": " + command.display() + "\n",
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                ProcessBuilder pb = new ProcessBuilder(command.argv())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
                pb.environment().putAll(command.env());
                process = pb.start();
                process.getOutputStream().close(); // the server gets EOF on stdin, never the user's terminal
            } catch (IOException e) {
                throw new LaunchException(
                        name + ": cannot run " + command.argv().getFirst() + " (" + e.getMessage()
                                + "). Install it, or give its path with --server-bin.",
                        e);
            }
            tree.add(process.toHandle());
            return process;
        }
    }

    /** Polls health until ready (returns null), or says why not: exited or timed out. */
    private String awaitReady(Process p, StartProgress progress) throws InterruptedException {
        Instant start = clock.instant();
        String detail = "starting";
        while (true) {
            if (stopping()) {
                return "was stopped while starting";
            }
            if (!p.isAlive()) {
                return "exited with code " + p.exitValue() + " before it was ready (last answer: " + detail + ")";
            }
            HealthProbe.Health h = health.check();
            tree.refresh();
            if (h.ready()) {
                return null;
            }
            detail = h.detail();
            Duration elapsed = Duration.between(start, clock.instant());
            if (elapsed.compareTo(settings.readyTimeout()) >= 0) {
                return "was not healthy after " + elapsed.toSeconds() + " s (last answer: " + detail
                        + "); raise --server-ready-timeout if the model is still loading";
            }
            progress.update(elapsed, detail);
            sleeper.sleep(settings.pollInterval());
        }
    }

    /** The watcher: waits for the current incarnation to die, then restarts it per the policy. */
    private void watch() {
        int failures = 0;
        try {
            while (true) {
                Process p;
                synchronized (lock) {
                    p = process;
                }
                int code = awaitExit(p);
                if (stopping()) {
                    return;
                }
                Instant readySince = readyAt;
                boolean wasStable = readySince != null
                        && Duration.between(readySince, clock.instant())
                                        .compareTo(settings.restart().stableAfter())
                                >= 0;
                failures = wasStable ? 1 : failures + 1;
                readyAt = null;
                events.exited(p.pid(), code);
                tree.stop(settings.stopGrace()); // children the dead server left behind
                if (failures > settings.restart().maxConsecutive()) {
                    events.gaveUp(failures - 1); // before the state: whoever sees FAILED can rely on the event
                    state = State.FAILED;
                    return;
                }
                Duration delay = settings.restart().delay(failures);
                attempt = failures;
                state = State.RESTARTING;
                events.restarting(failures, delay);
                sleeper.sleep(delay);
                Process next = spawn();
                if (next == null) {
                    return;
                }
                int n = restarts.incrementAndGet();
                String outcome = awaitReady(next, StartProgress.silent());
                if (outcome == null) {
                    readyAt = clock.instant();
                    events.ready(next.pid(), n);
                    state = State.READY;
                } else if (next.isAlive()) {
                    tree.stop(settings.stopGrace()); // never became healthy: counts as a failure on the next turn
                }
            }
        } catch (InterruptedException e) {
            // stopping
        } catch (RuntimeException e) {
            state = State.FAILED;
            org.slf4j.LoggerFactory.getLogger(ServerSupervisor.class).error("supervising {} failed", name, e);
        }
    }

    /** Waits for the process to exit, refreshing the remembered process tree meanwhile. */
    private int awaitExit(Process p) throws InterruptedException {
        while (!p.waitFor(2, TimeUnit.SECONDS)) {
            tree.refresh();
        }
        return p.exitValue();
    }

    private boolean stopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    /**
     * Stops the server and every process it started: SIGTERM, then SIGKILL after the grace period.
     *
     * @return how many processes had to be killed
     */
    public int stop() {
        Thread w;
        synchronized (lock) {
            if (stopping) {
                return 0;
            }
            stopping = true;
            w = watcher;
        }
        if (w != null) {
            w.interrupt();
        }
        int killed = 0;
        boolean interrupted = false;
        try {
            killed = tree.stop(settings.stopGrace());
        } catch (InterruptedException e) {
            interrupted = true;
            tree.alive().forEach(ProcessHandle::destroyForcibly);
        }
        if (w != null) {
            try {
                w.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        state = State.STOPPED;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return killed;
    }

    @Override
    public void close() {
        stop();
    }

    public State state() {
        return state;
    }

    /** While restarting: which attempt in a row this is (1 after a first crash). */
    public int attempt() {
        return attempt;
    }

    /** How many times the server was restarted after a crash. */
    public int restarts() {
        return restarts.get();
    }

    /** The current incarnation's PID, or -1 before the first start. */
    public long pid() {
        synchronized (lock) {
            return process == null ? -1 : process.pid();
        }
    }

    /** Every process of the server still alive (the server and its children). */
    public List<ProcessHandle> processes() {
        return tree.alive();
    }

    public Path logFile() {
        return logFile;
    }

    /** The last lines the current incarnation wrote, to explain a failed start. */
    String logTail() {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(all.length, logOffset);
            List<String> lines = new String(all, from, all.length - from, StandardCharsets.UTF_8)
                    .lines()
                    .toList();
            List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
            return "last lines of " + logFile + ":\n  " + String.join("\n  ", tail);
        } catch (IOException e) {
            return "its log: " + logFile;
        }
    }
}
