package dev.anyclaude.backend.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.time.Clock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor against a real stand-in server process: health waiting, restarts with backoff, clean stops. */
class ServerSupervisorTest {
    private static final RestartPolicy FAST_FAILING =
            new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2), 5);

    @TempDir
    Path dir;

    private final List<ServerSupervisor> started = new ArrayList<>();
    private final Recorder events = new Recorder();
    /** Backoff delays are recorded by {@link Recorder}; the sleeper itself only pauses briefly. */
    private final Sleeper quick = d -> Thread.sleep(Math.min(d.toMillis(), 20));

    @AfterEach
    void stopAll() {
        started.forEach(ServerSupervisor::stop);
    }

    static List<String> standInArgv(int port, String... extra) {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> argv = new ArrayList<>(List.of(
                java,
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                cp,
                StandInServer.class.getName(),
                "--port",
                Integer.toString(port)));
        argv.addAll(List.of(extra));
        return argv;
    }

    private ServerSupervisor supervisor(
            int port, Duration readyTimeout, Duration grace, RestartPolicy policy, String... extra) {
        return supervisor(standInArgv(port, extra), port, readyTimeout, grace, policy);
    }

    private ServerSupervisor supervisor(
            List<String> argv, int port, Duration readyTimeout, Duration grace, RestartPolicy policy) {
        ServerCommand cmd = new ServerCommand(argv, java.util.Map.of(), "stand-in", 4096);
        ServerSupervisor s = new ServerSupervisor(
                "stand-in",
                cmd,
                dir.resolve("server.log"),
                new HttpHealthProbe(URI.create("http://127.0.0.1:" + port + "/health")),
                new ServerSupervisor.Settings(readyTimeout, grace, Duration.ofMillis(50), policy),
                quick,
                Clock.SYSTEM,
                events);
        started.add(s);
        return s;
    }

    @Test
    void waitsUntilTheLoadingServerAnswersHealthAndShowsWhatItSays() throws Exception {
        int port = LaunchedServer.freePort();
        ServerSupervisor s =
                supervisor(port, Duration.ofSeconds(60), Duration.ofSeconds(5), FAST_FAILING, "--load-ms", "2500");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();

        s.start(new StartProgress(new PrintStream(progress, true, StandardCharsets.UTF_8), false, "stand-in"));

        assertThat(s.state()).isEqualTo(ServerSupervisor.State.READY);
        assertThat(get(port, "/health")).isEqualTo(200);
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("waiting for stand-in")
                .contains("HTTP 503 Loading model")
                .contains("stand-in ready after");
        assertThat(Files.readString(dir.resolve("server.log")))
                .contains("--- anyclaude")
                .contains("stand-in listening");
    }

    @Test
    void aServerThatExitsAtStartFailsWithTheEndOfItsLog() {
        int port = LaunchedServer.freePort();
        ServerSupervisor s =
                supervisor(port, Duration.ofSeconds(60), Duration.ofSeconds(5), FAST_FAILING, "--exit-at-start", "7");

        assertThatThrownBy(() -> s.start(StartProgress.silent()))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("exited with code 7 before it was ready")
                .hasMessageContaining("failed to load model 'nonexistent.gguf'");
        assertThat(s.state()).isEqualTo(ServerSupervisor.State.FAILED);
        assertThat(s.processes()).isEmpty();
    }

    @Test
    void aServerNeverHealthyInTimeIsStoppedAndReported() throws Exception {
        int port = LaunchedServer.freePort();
        ServerSupervisor s =
                supervisor(port, Duration.ofSeconds(3), Duration.ofSeconds(5), FAST_FAILING, "--load-ms", "600000");

        assertThatThrownBy(() -> s.start(StartProgress.silent()))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("was not healthy after")
                .hasMessageContaining("--server-ready-timeout");
        long pid = s.pid();
        assertThat(alive(pid)).isFalse();
    }

    @Test
    void aMissingExecutableSaysHowToFixIt() {
        ServerCommand cmd =
                new ServerCommand(List.of(dir.resolve("no-such-server").toString()), java.util.Map.of(), null, 0);
        ServerSupervisor s = new ServerSupervisor(
                "llama-server",
                cmd,
                dir.resolve("x.log"),
                () -> new HealthProbe.Health(false, "down"),
                ServerSupervisor.Settings.defaults(Duration.ofSeconds(1)),
                quick,
                Clock.SYSTEM,
                events);

        assertThatThrownBy(() -> s.start(StartProgress.silent()))
                .isInstanceOf(LaunchException.class)
                .hasMessageContaining("cannot run")
                .hasMessageContaining("--server-bin");
    }

    @Test
    void restartsACrashedServerWithDoublingDelaysOnTheSamePort() throws Exception {
        int port = LaunchedServer.freePort();
        Path counter = dir.resolve("incarnations");
        ServerSupervisor s = supervisor(
                port,
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                FAST_FAILING,
                "--crash-after-ms",
                "300",
                "--crashes",
                "2",
                "--counter",
                counter.toString());

        s.start(StartProgress.silent());
        long firstPid = s.pid();
        awaitTrue(() -> s.restarts() == 2 && s.state() == ServerSupervisor.State.READY, Duration.ofSeconds(60));

        assertThat(events.delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(events.failures).containsExactly(1, 2);
        assertThat(events.exitCodes).containsExactly(3, 3);
        assertThat(events.readyPids).hasSize(2).doesNotContain(firstPid);
        assertThat(Files.readString(counter).strip()).isEqualTo("3");
        assertThat(get(port, "/health")).isEqualTo(200);
        assertThat(alive(firstPid)).isFalse();
    }

    @Test
    void givesUpAfterTooManyConsecutiveCrashes() throws Exception {
        int port = LaunchedServer.freePort();
        ServerSupervisor s = supervisor(
                port,
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                new RestartPolicy(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(2), 2),
                "--crash-after-ms",
                "200",
                "--crashes",
                "100",
                "--counter",
                dir.resolve("n").toString());

        s.start(StartProgress.silent());
        awaitTrue(() -> s.state() == ServerSupervisor.State.FAILED, Duration.ofSeconds(60));

        assertThat(events.gaveUp).containsExactly(2);
        assertThat(events.delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(Files.readString(dir.resolve("n")).strip()).isEqualTo("3");
        assertThat(s.processes()).isEmpty();
    }

    @Test
    void stopEndsTheServerAndItsChildrenWithSigterm() throws Exception {
        int port = LaunchedServer.freePort();
        Path childPids = dir.resolve("children");
        ServerSupervisor s = supervisor(
                port,
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                FAST_FAILING,
                "--child-pid-file",
                childPids.toString());
        s.start(StartProgress.silent());
        long server = s.pid();
        long child = Long.parseLong(Files.readString(childPids).strip());
        assertThat(alive(server)).isTrue();
        assertThat(alive(child)).isTrue();

        int killed = s.stop();

        assertThat(killed).isZero();
        assertThat(alive(server)).isFalse();
        assertThat(alive(child)).isFalse();
        assertThat(s.state()).isEqualTo(ServerSupervisor.State.STOPPED);
        assertThat(s.stop()).isZero(); // idempotent
    }

    @Test
    void aServerIgnoringSigtermIsKilledAfterTheGracePeriod() throws Exception {
        int port = LaunchedServer.freePort();
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' TERM; exec \"$0\" \"$@\""));
        argv.addAll(standInArgv(port));
        ServerSupervisor s = supervisor(argv, port, Duration.ofSeconds(60), Duration.ofMillis(500), FAST_FAILING);
        s.start(StartProgress.silent());
        long server = s.pid();
        ProcessHandle.of(server).orElseThrow().destroy(); // SIGTERM: ignored
        assertThat(ProcessHandle.of(server)
                        .orElseThrow()
                        .onExit()
                        .completeOnTimeout(null, 300, java.util.concurrent.TimeUnit.MILLISECONDS)
                        .get())
                .as("still running after SIGTERM")
                .isNull();

        int killed = s.stop();

        assertThat(killed).isEqualTo(1);
        assertThat(alive(server)).isFalse();
    }

    @Test
    void childrenLeftBehindByACrashAreStoppedBeforeTheRestart() throws Exception {
        int port = LaunchedServer.freePort();
        Path childPids = dir.resolve("children");
        ServerSupervisor s = supervisor(
                port,
                Duration.ofSeconds(60),
                Duration.ofSeconds(5),
                FAST_FAILING,
                "--crash-after-ms",
                "1500",
                "--crashes",
                "1",
                "--counter",
                dir.resolve("n").toString(),
                "--child-pid-file",
                childPids.toString());

        s.start(StartProgress.silent());
        awaitTrue(() -> s.restarts() == 1 && s.state() == ServerSupervisor.State.READY, Duration.ofSeconds(60));
        List<Long> children =
                Files.readAllLines(childPids).stream().map(Long::parseLong).toList();

        assertThat(children).hasSize(2);
        assertThat(alive(children.get(0)))
                .as("orphan of the crashed incarnation")
                .isFalse();
        assertThat(alive(children.get(1))).isTrue();
        s.stop();
        assertThat(alive(children.get(1))).isFalse();
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static int get(int port, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        }
    }

    static void awaitTrue(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met within " + limit);
            }
            Thread.sleep(50);
        }
    }

    /** Records supervisor events. */
    static final class Recorder implements SupervisorEvents {
        final List<Duration> delays = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> failures = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> exitCodes = Collections.synchronizedList(new ArrayList<>());
        final List<Long> readyPids = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> gaveUp = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void exited(long pid, int exitCode) {
            exitCodes.add(exitCode);
        }

        @Override
        public void restarting(int failures, Duration delay) {
            this.failures.add(failures);
            delays.add(delay);
        }

        @Override
        public void ready(long pid, int restarts) {
            readyPids.add(pid);
        }

        @Override
        public void gaveUp(int failures) {
            gaveUp.add(failures);
        }
    }
}
