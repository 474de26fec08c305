package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.StubModelServer;
import dev.anyclaude.messages.Json;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code anyclaude bench overhead}: what the gateway adds to every request. It starts the stub model server
 * and the gateway as separate processes (so their CPU and memory are their own), optionally
 * claude-code-router against the same stub, warms them up, then drives each at every concurrency with the
 * same Claude Code request, next to the same request sent straight to the stub.
 */
@Command(
        name = "overhead",
        mixinStandardHelpOptions = true,
        description = "Measure the gateway's added latency, throughput, CPU and memory in front of a "
                + "near-zero-latency stub, next to the stub alone and claude-code-router. Loopback only; "
                + "every phase is bounded in requests and time.")
final class OverheadCommand implements Callable<Integer> {

    @Option(
            names = "--fixtures",
            paramLabel = "DIR",
            defaultValue = "${sys:anyclaude.home:-.}/src/test/resources/claude-code",
            description = "Claude Code captures. Default: ${DEFAULT-VALUE}.")
    Path fixtures;

    @Option(
            names = "--body",
            paramLabel = "FILE",
            defaultValue = "p-tool-bash-read/04-POST-v1_messages.body.json",
            description = "The capture to send, relative to --fixtures. Default: ${DEFAULT-VALUE}.")
    Path body;

    @Option(
            names = "--target-kb",
            paramLabel = "KB",
            defaultValue = "63",
            description = "Trim the request to about this size (1 KB = 1,000 bytes) by dropping its largest tools; "
                    + "0 sends it whole. Default: ${DEFAULT-VALUE}.")
    int targetKb;

    @Option(
            names = "--requests",
            paramLabel = "N",
            defaultValue = "5000",
            description = "Requests per measured phase (each target × mode × concurrency). Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(
            names = "--concurrency",
            paramLabel = "C,..",
            split = ",",
            defaultValue = "1,8,32",
            description = "Concurrency levels. Default: ${DEFAULT-VALUE}.")
    List<Integer> concurrency;

    @Option(
            names = "--duration-limit",
            paramLabel = "S",
            defaultValue = "20",
            description = "Upper bound of each measured phase, seconds. Default: ${DEFAULT-VALUE}.")
    int durationLimit;

    @Option(
            names = "--stream",
            paramLabel = "both|true|false",
            defaultValue = "both",
            description = "Streaming (SSE), non-streaming (JSON) or both. Default: ${DEFAULT-VALUE}.")
    String stream;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            defaultValue = "20000",
            description = "Warm-up requests through the gateway before measuring (C2 needs 15-30k on 2 cores); "
                    + "the baseline gets a quarter. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(
            names = "--warmup-limit",
            paramLabel = "S",
            defaultValue = "240",
            description = "Upper bound of the gateway warm-up, seconds. Default: ${DEFAULT-VALUE}.")
    int warmupLimit;

    @Option(
            names = "--warmup-concurrency",
            paramLabel = "C",
            defaultValue = "4",
            description = "Concurrency of the warm-up. Default: ${DEFAULT-VALUE}.")
    int warmupConcurrency;

    @Option(
            names = "--ccr",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Also measure claude-code-router (installed with npm into --ccr-dir when missing). "
                    + "Default: on.")
    boolean ccr;

    @Option(
            names = "--ccr-dir",
            paramLabel = "DIR",
            defaultValue = "target/ccr",
            description = "Where claude-code-router is installed. Default: ${DEFAULT-VALUE}.")
    Path ccrDir;

    @Option(
            names = "--ccr-warmup",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Warm-up requests through claude-code-router. Default: ${DEFAULT-VALUE}.")
    int ccrWarmup;

    @Option(
            names = "--startup-runs",
            paramLabel = "N",
            defaultValue = "3",
            description = "Extra gateway starts to measure start-up time and idle memory. Default: ${DEFAULT-VALUE}.")
    int startupRuns;

    @Option(
            names = "--cache-hits",
            description = "Measure exact-response-cache hits instead of the miss path: the same request repeated "
                    + "(no Cache-Control: no-cache) in front of a stub that takes --slow-model-ms per answer.")
    boolean cacheHits;

    @Option(
            names = "--slow-model-ms",
            paramLabel = "MS",
            defaultValue = "200",
            description = "With --cache-hits: how long the stub takes per answer. Default: ${DEFAULT-VALUE}.")
    long slowModelMs;

    @Option(
            names = "--gateway-jvm-opts",
            paramLabel = "OPTS",
            defaultValue = "-XX:+UseSerialGC -Xss512k",
            description = "JVM options of the measured gateway (the launcher's defaults). Default: ${DEFAULT-VALUE}.")
    String gatewayJvmOpts;

    @Option(
            names = "--jfr",
            paramLabel = "FILE",
            description = "Record the gateway with JFR (settings=profile) during the measured phases, write the "
                    + "recording here and print where its CPU samples fall.")
    Path jfr;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            defaultValue = "target/bench",
            description = "Logs and scratch files. Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the report to this file.")
    Path markdown;

    @Override
    public Integer call() throws Exception {
        validate();
        Path work = Files.createDirectories(workDir.toAbsolutePath());
        ObjectMapper mapper = Json.create();
        BenchRequest request = BenchRequest.load(mapper, fixtures.resolve(body), targetKb * 1000);
        List<Boolean> modes = switch (stream) {
            case "both" -> List.of(false, true);
            case "true" -> List.of(true);
            default -> List.of(false);
        };
        OverheadReport report = new OverheadReport();
        header(report, request);
        log("request: " + request.describe());

        ProcessProbe self = ProcessProbe.self();
        try (ServerProcess stub = ChildJava.stub(work, cacheHits ? slowModelMs : 0)) {
            String stubUrl = "http://127.0.0.1:" + stub.port();
            log("stub: " + stubUrl + " (pid " + stub.pid() + ")");
            List<Double> ready = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            List<Long> idle = new ArrayList<>();
            for (int i = 0; i < startupRuns; i++) {
                try (ServerProcess g = ChildJava.gateway(work, stubUrl, gatewayJvmOpts, "gateway-startup-" + i)) {
                    ready.add(g.readyMs());
                    cpu.add(g.readyCpuMs());
                    idle.add(idleRss(g));
                }
            }
            try (ServerProcess gateway = ChildJava.gateway(work, stubUrl, gatewayJvmOpts, "gateway");
                    ServerProcess router = ccr ? startRouter(stubUrl, work, report) : null) {
                ready.add(gateway.readyMs());
                cpu.add(gateway.readyCpuMs());
                idle.add(idleRss(gateway));
                report.startup(new OverheadReport.Startup(OverheadReport.ANYCLAUDE, ready, cpu, idle));
                if (router != null) {
                    report.startup(new OverheadReport.Startup(
                            OverheadReport.CCR,
                            List.of(router.readyMs()),
                            List.of(router.readyCpuMs()),
                            List.of(idleRss(router))));
                }
                log(f(
                        "anyclaude: %s (pid %d), ready in %.0f ms",
                        "http://127.0.0.1:" + gateway.port(), gateway.pid(), gateway.readyMs()));

                List<Target> targets = new ArrayList<>();
                for (boolean s : modes) {
                    targets.add(new Target(
                            LoadTarget.chat(
                                    OverheadReport.DIRECT, stub.port(), s, request.openAi(s, StubModelServer.MODEL)),
                            stub));
                    targets.add(new Target(
                            LoadTarget.messages(
                                    OverheadReport.ANYCLAUDE, gateway.port(), s, request.anthropic(s), cacheHits),
                            gateway));
                    if (router != null) {
                        targets.add(new Target(
                                LoadTarget.messages(
                                        OverheadReport.CCR, router.port(), s, request.anthropic(s), cacheHits),
                                router));
                    }
                }
                warmUp(targets, report);
                Path recording = jfr == null ? null : JfrControl.start(gateway.pid(), jfr.toAbsolutePath());
                for (boolean s : modes) {
                    for (int c : concurrency) {
                        for (Target t : targets) {
                            if (t.load.stream() == s) {
                                report.phase(measure(t, c, self));
                            }
                        }
                    }
                }
                if (recording != null) {
                    JfrControl.stop(gateway.pid());
                    report.note("JFR recording of the measured phases: " + recording);
                    System.out.println(JfrProfile.read(recording).report(20));
                }
                report.note(f("gateway resident memory 1 s after the load: %.1f MiB", idleRss(gateway) / 1024.0));
                report.note(f("load average at the end: %s", loadAverage()));
            }
        }
        String md = report.markdown();
        System.out.println();
        System.out.println(md);
        if (markdown != null) {
            Files.writeString(markdown, md);
            log("report written to " + markdown.toAbsolutePath());
        }
        boolean errors = report.phases().stream().anyMatch(p -> p.load().errors() > 0);
        return errors ? 1 : 0;
    }

    /** A load target and the process that answers it (whose CPU and memory are measured). */
    private static final class Target {
        final LoadTarget load;
        final ServerProcess server;
        int warmupRequests;

        Target(LoadTarget load, ServerProcess server) {
            this.load = load;
            this.server = server;
        }
    }

    private void validate() {
        if (requests < 1
                || durationLimit < 1
                || warmup < 0
                || startupRuns < 0
                || warmupConcurrency < 1
                || concurrency.isEmpty()
                || concurrency.stream().anyMatch(c -> c < 1 || c > 1024)) {
            throw new IllegalArgumentException("--requests, --duration-limit, --warmup-concurrency and --concurrency "
                    + "must be positive (concurrency at most 1024), --warmup and --startup-runs not negative");
        }
        if (!List.of("both", "true", "false").contains(stream)) {
            throw new IllegalArgumentException("--stream: " + stream + " (expected: both, true or false)");
        }
        if (!ProcessProbe.available()) {
            throw new IllegalArgumentException("bench overhead reads /proc to measure CPU and memory: Linux only");
        }
    }

    private ServerProcess startRouter(String stubUrl, Path work, OverheadReport report) {
        try {
            Path cli = ClaudeCodeRouter.install(ccrDir.toAbsolutePath());
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            ServerProcess router = ClaudeCodeRouter.start(cli, stubUrl, port, work);
            log(f(
                    "claude-code-router %s: http://127.0.0.1:%d (pid %d), ready in %.0f ms",
                    ClaudeCodeRouter.VERSION, port, router.pid(), router.readyMs()));
            return router;
        } catch (IOException e) {
            report.note("claude-code-router was not measured: " + e.getMessage());
            log("claude-code-router skipped: " + e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing claude-code-router", e);
        }
    }

    /** Two rounds over all targets, so the gateway's JSON and SSE paths are compiled side by side. */
    private void warmUp(List<Target> targets, OverheadReport report) throws InterruptedException {
        for (Target t : targets) {
            int total = switch (t.load.name()) {
                case OverheadReport.ANYCLAUDE -> warmup;
                case OverheadReport.CCR -> ccrWarmup;
                default -> warmup / 4;
            };
            long modes = targets.stream()
                    .filter(x -> x.load.name().equals(t.load.name()))
                    .count();
            t.warmupRequests = (int) (total / modes / 2);
        }
        Duration limit = Duration.ofSeconds(Math.max(1, warmupLimit / 4));
        for (int round = 1; round <= 2; round++) {
            for (Target t : targets) {
                if (t.warmupRequests == 0) {
                    continue;
                }
                long start = System.nanoTime();
                ClosedLoopLoad.Result r = ClosedLoopLoad.run(t.load, warmupConcurrency, t.warmupRequests, limit);
                String line = f(
                        "warm-up round %d, %s %s: %,d requests at c=%d in %.1f s (%d errors)",
                        round,
                        t.load.name(),
                        OverheadReport.mode(t.load.stream()),
                        r.completed(),
                        warmupConcurrency,
                        (System.nanoTime() - start) / 1e9,
                        r.errors());
                log(line);
                report.header(line);
                if (r.errors() > 0) {
                    log("  first error: " + r.firstError());
                }
            }
        }
    }

    private OverheadReport.Phase measure(Target t, int c, ProcessProbe self) throws InterruptedException {
        ProcessProbe server = t.server.probe();
        server.resetPeak();
        long serverCpu = server.cpuNanos();
        long clientCpu = self.cpuNanos();
        ClosedLoopLoad.Result r = ClosedLoopLoad.run(t.load, c, requests, Duration.ofSeconds(durationLimit));
        double perRequest = Math.max(1, r.completed());
        double serverMs = (server.cpuNanos() - serverCpu) / 1e6 / perRequest;
        double clientMs = (self.cpuNanos() - clientCpu) / 1e6 / perRequest;
        long peak = server.peakRssKiB();
        log(f(
                "%-9s %-6s c=%-3d %6d ok %3d err  p50 %7.2f ms  p99 %7.2f ms  %7.0f req/s  cpu %6.2f ms/req",
                t.load.name(),
                OverheadReport.mode(t.load.stream()),
                c,
                r.completed(),
                r.errors(),
                r.latencyMs(0.5),
                r.latencyMs(0.99),
                r.requestsPerSecond(),
                serverMs));
        if (r.errors() > 0) {
            log("  first error: " + r.firstError());
        }
        return new OverheadReport.Phase(t.load.name(), t.load.stream(), c, r, serverMs, peak, clientMs);
    }

    private static long idleRss(ServerProcess p) throws InterruptedException {
        Thread.sleep(1000);
        return p.probe().rssKiB();
    }

    private void header(OverheadReport report, BenchRequest request) {
        report.header("date: " + LocalDate.now());
        report.header(f(
                "machine: %d CPUs (nproc), %s; load average at start: %s",
                Runtime.getRuntime().availableProcessors(), cpuModel(), loadAverage()));
        report.header("JDK: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + "; gateway JVM options: " + gatewayJvmOpts);
        report.header("request: " + request.describe());
        report.header(f(
                "measured phases: up to %,d requests or %d s each; concurrency %s; modes %s",
                requests, durationLimit, concurrency, stream));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    static String loadAverage() {
        try {
            return String.join(
                    " ",
                    Arrays.copyOf(
                            Files.readString(Path.of("/proc/loadavg")).trim().split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void log(String s) {
        System.err.println("bench: " + s);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    static Map<String, String> isolatedEnv(Path work) {
        return Map.of("XDG_CONFIG_HOME", work.resolve("xdg").toString());
    }
}
