package dev.anyclaude.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The figures of one overhead run and their presentation: start-up, one row per load phase, the ratios of
 * each gateway to the direct baseline of the same run, and the targets marked met or not met.
 * Rendered as Markdown, which reads as well on a terminal as in {@code docs/benchmarks.md}.
 */
final class OverheadReport {
    static final String DIRECT = "direct";
    static final String ANYCLAUDE = "anyclaude";
    static final String CCR = "ccr";

    /**
     * One load phase.
     *
     * @param target direct, anyclaude or ccr
     * @param serverCpuMsPerRequest CPU of the measured server process per answered request (direct: the stub)
     * @param peakRssKiB peak resident memory of that process during the phase
     * @param clientCpuMsPerRequest CPU of the load client (this process) per request
     */
    record Phase(
            String target,
            boolean stream,
            int concurrency,
            ClosedLoopLoad.Result load,
            double serverCpuMsPerRequest,
            long peakRssKiB,
            double clientCpuMsPerRequest) {}

    /**
     * Start-up samples of one server: ms from process start to ready, the CPU time it had used by then (less
     * sensitive than wall time to other load on the machine), and resident memory once idle.
     */
    record Startup(String server, List<Double> readyMs, List<Double> cpuMs, List<Long> idleRssKiB) {}

    private final List<String> header = new ArrayList<>();
    private final List<Startup> startups = new ArrayList<>();
    private final List<Phase> phases = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void header(String line) {
        header.add(line);
    }

    void startup(Startup s) {
        startups.add(s);
    }

    void phase(Phase p) {
        phases.add(p);
    }

    void note(String n) {
        notes.add(n);
    }

    List<Phase> phases() {
        return phases;
    }

    Optional<Phase> find(String target, boolean stream, int c) {
        return phases.stream()
                .filter(p -> p.target.equals(target) && p.stream == stream && p.concurrency == c)
                .findFirst();
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        for (String h : header) {
            sb.append("- ").append(h).append('\n');
        }
        if (!startups.isEmpty()) {
            sb.append("\n**Start-up** (process start → ready; CPU = the process's CPU time at ready; "
                    + "idle = resident memory 1 s after ready)\n\n");
            sb.append("| server | runs | ready ms, median | min – max | CPU ms at "
                    + "ready, median | idle RSS MiB, median |\n");
            sb.append("|---|---:|---:|---:|---:|---:|\n");
            for (Startup s : startups) {
                sb.append(f(
                        "| %s | %d | %.0f | %.0f – %.0f | %.0f | %.1f |%n",
                        s.server,
                        s.readyMs.size(),
                        median(s.readyMs),
                        s.readyMs.stream().mapToDouble(d -> d).min().orElse(Double.NaN),
                        s.readyMs.stream().mapToDouble(d -> d).max().orElse(Double.NaN),
                        median(s.cpuMs),
                        median(s.idleRssKiB.stream().map(k -> k / 1024.0).toList())));
            }
        }
        sb.append("\n**Load** (latency = request write → last body byte; TTFB = → first response byte; "
                + "server CPU = CPU time of the answering process ÷ answered requests, direct: the stub)\n\n");
        sb.append("| mode | c | target | ok | err | p50 ms | p99 ms | TTFB p50 | TTFB p99 | req/s "
                + "| server CPU ms/req | peak RSS MiB | client CPU ms/req |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            ClosedLoopLoad.Result r = p.load;
            sb.append(f(
                    "| %s | %d | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f | %.0f | %.2f |%n",
                    mode(p.stream),
                    p.concurrency,
                    p.target,
                    r.completed(),
                    r.errors(),
                    r.latencyMs(0.5),
                    r.latencyMs(0.99),
                    r.firstByteMs(0.5),
                    r.firstByteMs(0.99),
                    r.requestsPerSecond(),
                    p.serverCpuMsPerRequest,
                    p.peakRssKiB / 1024.0,
                    p.clientCpuMsPerRequest));
        }
        sb.append("\n**Ratios to the direct baseline of the same run**\n\n");
        sb.append("| mode | c | gateway | added p50 ms | added p99 ms | added TTFB p50 ms | req/s, % of direct "
                + "| gateway CPU ms/req |\n");
        sb.append("|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (Phase p : phases) {
            if (p.target.equals(DIRECT)) {
                continue;
            }
            find(DIRECT, p.stream, p.concurrency)
                    .ifPresent(d -> sb.append(f(
                            "| %s | %d | %s | %+.2f | %+.2f | %+.2f | %.1f %% | %.2f |%n",
                            mode(p.stream),
                            p.concurrency,
                            p.target,
                            p.load.latencyMs(0.5) - d.load.latencyMs(0.5),
                            p.load.latencyMs(0.99) - d.load.latencyMs(0.99),
                            p.load.firstByteMs(0.5) - d.load.firstByteMs(0.5),
                            100 * p.load.requestsPerSecond() / d.load.requestsPerSecond(),
                            p.serverCpuMsPerRequest)));
        }
        String versus = versusRouter();
        if (!versus.isEmpty()) {
            sb.append("\n**claude-code-router ÷ anyclaude** (how many times more it adds or costs; "
                    + "throughput: anyclaude ÷ router)\n\n");
            sb.append("| mode | c | added p50 | CPU per request | throughput |\n|---|---:|---:|---:|---:|\n");
            sb.append(versus);
        }
        sb.append("\n**Targets** (issues 2 and 8)\n\n");
        for (String t : targets()) {
            sb.append("- ").append(t).append('\n');
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            for (String n : notes) {
                sb.append("- ").append(n).append('\n');
            }
        }
        return sb.toString();
    }

    private String versusRouter() {
        StringBuilder sb = new StringBuilder();
        for (Phase a : phases) {
            if (!a.target.equals(ANYCLAUDE)) {
                continue;
            }
            Optional<Phase> c = find(CCR, a.stream, a.concurrency);
            Optional<Phase> d = find(DIRECT, a.stream, a.concurrency);
            if (c.isEmpty() || d.isEmpty()) {
                continue;
            }
            double addedA = a.load.latencyMs(0.5) - d.get().load.latencyMs(0.5);
            double addedC = c.get().load.latencyMs(0.5) - d.get().load.latencyMs(0.5);
            sb.append(f(
                    "| %s | %d | %.1f× | %.1f× | %.1f× |%n",
                    mode(a.stream),
                    a.concurrency,
                    addedC / Math.max(addedA, 0.001),
                    c.get().serverCpuMsPerRequest / Math.max(a.serverCpuMsPerRequest, 0.001),
                    a.load.requestsPerSecond() / c.get().load.requestsPerSecond()));
        }
        return sb.toString();
    }

    /** Each target of the issues with the measured figure and whether it is met. */
    List<String> targets() {
        List<String> out = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            Optional<Phase> a1 = find(ANYCLAUDE, stream, 1);
            Optional<Phase> d1 = find(DIRECT, stream, 1);
            if (a1.isPresent() && d1.isPresent()) {
                double added = a1.get().load.latencyMs(0.5) - d1.get().load.latencyMs(0.5);
                out.add(f(
                        "added p50 at c=1, %s: %+.2f ms (target ≤ 0.5 ms): %s",
                        mode(stream), added, met(added <= 0.5)));
            }
            Optional<Phase> a32 = find(ANYCLAUDE, stream, 32);
            a32.ifPresent(p -> out.add(f(
                    "throughput at c=32, %s: %.0f req/s (target ≥ 1,000): %s",
                    mode(stream), p.load.requestsPerSecond(), met(p.load.requestsPerSecond() >= 1000))));
            double worstCpu = phases.stream()
                    .filter(p -> p.target.equals(ANYCLAUDE) && p.stream == stream)
                    .mapToDouble(Phase::serverCpuMsPerRequest)
                    .max()
                    .orElse(Double.NaN);
            if (!Double.isNaN(worstCpu)) {
                out.add(f(
                        "gateway CPU per request, %s, worst concurrency: %.2f ms (target ≤ 1 ms): %s",
                        mode(stream), worstCpu, met(worstCpu <= 1.0)));
            }
        }
        startups.stream().filter(s -> s.server.equals(ANYCLAUDE)).findFirst().ifPresent(s -> {
            double ready = median(s.readyMs);
            double idle = median(s.idleRssKiB.stream().map(k -> k / 1024.0).toList());
            out.add(f(
                    "start-up to ready, median: %.0f ms, %.0f ms of CPU (target ≤ 1,000 ms): %s",
                    ready, median(s.cpuMs), met(ready <= 1000)));
            out.add(f(
                    "idle RSS, median: %.1f MiB (target ≤ 150 MB = 143 MiB): %s",
                    idle, met(idle * 1024 * 1024 <= 150e6)));
        });
        return out;
    }

    private static String met(boolean ok) {
        return ok ? "**met**" : "**not met**";
    }

    static String mode(boolean stream) {
        return stream ? "stream" : "json";
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
