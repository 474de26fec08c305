package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.launch.PinnedLlamaServer;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.messages.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code anyclaude bench l1}: Claude Code workloads against the real llama.cpp server, side by side. Each
 * workload runs on (a) the server alone with its default flags, requests straight to its {@code /v1/messages};
 * (b) {@code anyclaude serve --launch llama-server} with the flags the gateway chooses; (c) the gateway
 * {@code --upstream} in front of a server with default flags; and, when npm can install it, (d)
 * claude-code-router over a server with default flags. Every setup starts from a fresh server. Prompt tokens
 * processed are the server's own {@code llamacpp:prompt_tokens_total}.
 */
@Command(
        name = "l1",
        mixinStandardHelpOptions = true,
        description = {
            "Run Claude Code workloads (one long session, sessions one after another with titles and"
                    + " sub-agents, two sessions at once, concurrent sub-agents, short claude -p runs) against the real"
                    + " llama-server: alone, behind `anyclaude serve --launch`, "
                    + "behind `anyclaude serve --upstream`, and"
                    + " behind claude-code-router; prints wall time, prompt tokens the server processed (its /metrics),"
                    + " reuse and time to first token per request, as Markdown. Loopback only; bounded by --timeout."
        })
public final class L1Command implements Callable<Integer> {

    @Option(
            names = "--server-bin",
            paramLabel = "PATH",
            description = "llama-server to run. Default: the pinned release, built once by scripts/llama-server.sh.")
    Path serverBin;

    @Option(
            names = "--model",
            paramLabel = "FILE.gguf",
            description =
                    "Model to serve. Default: a generated tiny model (256 x 4 layers, context 65536) in --work-dir.")
    Path model;

    @Option(
            names = "--chat-template",
            paramLabel = "FILE|NAME|none",
            defaultValue = "Qwen3-Coder",
            description = "Chat template of the generated model: a template of the pinned llama.cpp release by name, a"
                    + " file, or none (the server falls back to chatml and drops tools). Default: ${DEFAULT-VALUE}.")
    String chatTemplate;

    @Option(
            names = "--tools",
            paramLabel = "N",
            defaultValue = "4",
            description = "Keep Claude Code's first N tools besides the ones the sessions call (-1: all 24; the"
                    + " byte-vocabulary model makes each character a token). Default: ${DEFAULT-VALUE}.")
    int tools;

    @Option(
            names = "--fixtures",
            paramLabel = "DIR",
            defaultValue = "${sys:anyclaude.home:-.}/src/test/resources/claude-code/p-tool-bash-read",
            description = "The recorded Claude Code session the requests are built from. Default: ${DEFAULT-VALUE}.")
    Path fixtures;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Logs and generated files. Default: a new temp directory.")
    Path workDir;

    @Option(
            names = "--workloads",
            split = ",",
            paramLabel = "NAME",
            description = "Which workloads: long, sessions, parallel, subagents, short-runs. Default: all.")
    List<String> workloads;

    @Option(
            names = "--setups",
            split = ",",
            paramLabel = "NAME",
            description = "Which setups: server (a), launch (b), upstream (c), ccr (d), embedded (e: the same GGUF on"
                    + " anyclaude's embedded engine, 4 slots of 40960 tokens; its "
                    + "prompt tokens from the engine's own slot counters)."
                    + " Default: a to d.")
    List<String> setups;

    @Option(
            names = "--server-args",
            paramLabel = "ARGS",
            defaultValue = "",
            description = "Extra llama-server flags for (a), (c) and (d), "
                    + "space-separated (default: none, the server's defaults).")
    String serverArgs;

    @Option(
            names = "--launch-args",
            paramLabel = "ARGS",
            defaultValue = "",
            description = "Extra `anyclaude serve` options for (b), space-separated.")
    String launchArgs;

    @Option(
            names = "--upstream-args",
            paramLabel = "ARGS",
            defaultValue = "",
            description = "Extra `anyclaude serve` options for (c), space-separated.")
    String upstreamArgs;

    @Option(
            names = "--long-turns",
            defaultValue = "20",
            description = "Turns of the long session. Default: ${DEFAULT-VALUE}.")
    int longTurns;

    @Option(
            names = "--sessions",
            defaultValue = "3",
            description = "Sessions of the sessions workload. Default: ${DEFAULT-VALUE}.")
    int sessions;

    @Option(
            names = "--session-turns",
            defaultValue = "6",
            description = "Main-agent turns per session. Default: ${DEFAULT-VALUE}.")
    int sessionTurns;

    @Option(
            names = "--sub-turns",
            defaultValue = "3",
            description = "Sub-agent turns per session. Default: ${DEFAULT-VALUE}.")
    int subTurns;

    @Option(
            names = "--short-runs",
            defaultValue = "20",
            description = "claude -p runs of the short-runs workload. Default: ${DEFAULT-VALUE}.")
    int shortRuns;

    @Option(
            names = "--max-tokens",
            defaultValue = "8",
            description =
                    "max_tokens of every request (a random-weight model writes noise). Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(
            names = "--repeat",
            defaultValue = "1",
            description = "Runs of every setup per workload, in rotating order; wall times are reported as the median."
                    + " Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(
            names = "--timeout",
            defaultValue = "900",
            description = "Longest one request may take, seconds. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the report to this file.")
    Path out;

    @Spec
    CommandSpec spec;

    private ObjectMapper json;
    private Path work;
    private Path bin;

    /**
     * What one setup did on one workload, once: the requests, wall time, and the server's own counters over the
     * run (prompt tokens processed and reused, and the seconds it spent on prompts and on generating).
     */
    record Run(
            String setup,
            List<L1Client.Turn> turns,
            double wallMs,
            long processed,
            long cached,
            double serverSeconds,
            double gatewayCpuSeconds) {}

    /** All runs of one setup on one workload. */
    record Result(String setup, List<Run> runs) {
        /** The run with the median wall time (its per-request figures go in the detail table). */
        Run median() {
            List<Run> sorted = runs.stream()
                    .sorted(java.util.Comparator.comparingDouble(Run::wallMs))
                    .toList();
            return sorted.get((sorted.size() - 1) / 2);
        }
    }

    @Override
    public Integer call() throws Exception {
        json = Json.create();
        List<String> chosenWorkloads = workloads == null ? L1Workload.NAMES : workloads;
        List<String> chosenSetups = setups == null ? List.of("server", "launch", "upstream", "ccr") : setups;
        for (String w : chosenWorkloads) {
            if (!L1Workload.NAMES.contains(w)) {
                throw new ParameterException(
                        spec.commandLine(), "--workloads: " + w + " (expected: " + L1Workload.NAMES + ")");
            }
        }
        for (String s : chosenSetups) {
            if (!List.of("server", "launch", "upstream", "ccr", "embedded").contains(s)) {
                throw new ParameterException(
                        spec.commandLine(), "--setups: " + s + " (expected: server, launch, upstream, ccr, embedded)");
            }
        }
        work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("anyclaude-bench-l1-");
        bin = serverBin != null ? serverBin : PinnedLlamaServer.obtain(System.err);
        Path gguf = model != null ? model : generatedModel();
        AgentReplayTrim trim = new AgentReplayTrim(0, 0, tools, 0, maxTokens);
        AgentReplaySession base = AgentReplaySession.load(fixtures, trim, AgentReplaySession.Billing.PER_SESSION, json);
        L1Workload.Sizes sizes = new L1Workload.Sizes(longTurns, sessions, sessionTurns, subTurns, shortRuns);

        L1Report report = new L1Report(commandLine(), gguf, bin, serverArgs, launchArgs, upstreamArgs);
        Path ccrCli = null;
        if (chosenSetups.contains("ccr")) {
            try {
                ccrCli = ClaudeCodeRouter.install(work.resolve("ccr"));
            } catch (IOException e) {
                report.note("claude-code-router not run: " + e.getMessage());
            }
        }
        for (L1Workload w : L1Workload.all(base, sizes)) {
            if (!chosenWorkloads.contains(w.name())) {
                continue;
            }
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            List<String> order = new ArrayList<>(chosenSetups);
            if (ccrCli == null) {
                order.remove("ccr");
            }
            order.forEach(setup -> runs.put(setup, new ArrayList<>()));
            for (int rep = 0; rep < repeat; rep++) {
                for (int k = 0; k < order.size(); k++) {
                    String setup = order.get((k + rep) % order.size()); // rotate, so no setup always runs first
                    System.err.printf(
                            Locale.ROOT,
                            "bench l1: %s on %s, run %d of %d (%d requests)%n",
                            w.name(),
                            setup,
                            rep + 1,
                            repeat,
                            w.requests());
                    Run r = run(setup, w, gguf, ccrCli);
                    System.err.printf(
                            Locale.ROOT,
                            "bench l1:   %s: wall %.1f s, prompt tokens processed %d, reused %d,"
                                    + " server busy %.1f s%n",
                            setup,
                            r.wallMs() / 1000,
                            r.processed(),
                            r.cached(),
                            r.serverSeconds());
                    runs.get(setup).add(r);
                }
            }
            List<Result> results = new ArrayList<>();
            runs.forEach((setup, list) -> results.add(new Result(setup, list)));
            report.workload(w, results);
        }
        String text = report.render();
        System.out.println(text);
        if (out != null) {
            Files.writeString(out, text);
        }
        return 0;
    }

    private String commandLine() {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        int at = args.indexOf("l1");
        List<String> own = at < 0 ? args : args.subList(at + 1, args.size());
        return "./anyclaude bench l1" + (own.isEmpty() ? "" : " " + String.join(" ", own));
    }

    private Path generatedModel() throws IOException {
        TinyLlamaSpec s = new TinyLlamaSpec(256, 4, 4, 4, 704, 65536, 1);
        boolean none = chatTemplate.equals("none");
        String name =
                none ? "chatml" : Path.of(chatTemplate).getFileName().toString().replace(".jinja", "");
        Path file = work.resolve("tiny-256x4-ctx65536-" + name + ".gguf");
        if (!Files.isRegularFile(file)) {
            GgufWriter.writeTinyLlama(s, none ? null : dev.anyclaude.cli.ChatTemplates.read(chatTemplate), file);
        }
        return file;
    }

    private Run run(String setup, L1Workload w, Path gguf, Path ccrCli) throws Exception {
        String name = w.name() + "-" + setup;
        switch (setup) {
            case "server" -> {
                try (ServerProcess server = llamaServer(name, gguf)) {
                    return load(setup, w, url(server.port()), url(server.port()), null);
                }
            }
            case "upstream" -> {
                try (ServerProcess server = llamaServer(name, gguf);
                        ServerProcess gateway =
                                gateway(name, List.of("--upstream", url(server.port())), upstreamArgs)) {
                    return load(setup, w, url(gateway.port()), url(server.port()), gateway);
                }
            }
            case "launch" -> {
                int serverPort = freePort();
                List<String> args = List.of(
                        "--launch",
                        "llama-server",
                        "--server-bin",
                        bin.toString(),
                        "--model",
                        gguf.toString(),
                        "--server-port",
                        Integer.toString(serverPort),
                        "--server-log",
                        work.resolve(name + "-llama-server.log").toString());
                try (ServerProcess gateway = gateway(name, args, launchArgs)) {
                    return load(setup, w, url(gateway.port()), url(serverPort), gateway);
                }
            }
            case "embedded" -> {
                try (ServerProcess gateway =
                        gateway(name, List.of("--model", gguf.toString(), "--slots", "4", "--ctx", "40960"), "")) {
                    return load(setup, w, url(gateway.port()), url(gateway.port()), gateway);
                }
            }
            case "ccr" -> {
                try (ServerProcess server = llamaServer(name, gguf);
                        ServerProcess ccr = ClaudeCodeRouter.start(
                                ccrCli, url(server.port()), "model", freePort(), work.resolve(name))) {
                    warmUp(url(ccr.port()));
                    return load(setup, w, url(ccr.port()), url(server.port()), ccr);
                }
            }
            default -> throw new IllegalStateException(setup);
        }
    }

    /**
     * Runs the workload against {@code target}, reading the server's counters at {@code server} around it, and the
     * CPU time of the process in between ({@code front}, null for none).
     */
    private Run load(String setup, L1Workload w, String target, String server, ServerProcess front) throws Exception {
        boolean engine = setup.equals("embedded");
        double[] before = engine ? engineCounters(server) : counters(server);
        long cpuBefore =
                front == null || !ProcessProbe.available() ? -1 : front.probe().cpuNanos();
        List<L1Client.Turn> turns = new ArrayList<>();
        double wall = 0;
        try (L1Client client = new L1Client(target, json, Duration.ofSeconds(timeoutSeconds));
                ExecutorService lanes = Executors.newVirtualThreadPerTaskExecutor()) {
            int laneNo = 0;
            for (List<List<AgentReplayRequest>> stage : w.stages()) {
                long start = System.nanoTime();
                List<Future<List<L1Client.Turn>>> running = new ArrayList<>();
                for (List<AgentReplayRequest> lane : stage) {
                    int id = laneNo++;
                    running.add(lanes.submit(() -> {
                        List<L1Client.Turn> done = new ArrayList<>();
                        for (AgentReplayRequest r : lane) {
                            done.add(client.send(r, id));
                        }
                        return done;
                    }));
                }
                for (Future<List<L1Client.Turn>> f : running) {
                    turns.addAll(f.get());
                }
                wall += (System.nanoTime() - start) / 1e6;
            }
        }
        double[] after = engine ? engineCounters(server) : counters(server);
        double cpu = cpuBefore < 0 ? -1 : (front.probe().cpuNanos() - cpuBefore) / 1e9;
        return new Run(
                setup,
                turns,
                wall,
                (long) (after[0] - before[0]),
                (long) (after[1] - before[1]),
                after[2] - before[2],
                cpu);
    }

    /**
     * The embedded engine's own counters, summed over its slots ({@code /cache/stats} → {@code l1.slots}): prompt
     * tokens computed (prompt minus reused), reused, and 0 busy seconds (not counted by the engine).
     */
    private double[] engineCounters(String gateway) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(gateway + "/cache/stats"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            double prompt = 0;
            double reused = 0;
            for (com.fasterxml.jackson.databind.JsonNode slot :
                    json.readTree(r.body()).path("l1").path("slots")) {
                prompt += slot.path("promptTokens").asDouble();
                reused += slot.path("reusedTokens").asDouble();
            }
            return new double[] {prompt - reused, reused, 0};
        }
    }

    /**
     * llama-server's prompt_tokens_total, prompt_tokens_cached_total, and prompt_seconds_total +
     * tokens_predicted_seconds_total.
     */
    private double[] counters(String server) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server + "/metrics"))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(
                        server + "/metrics: HTTP " + r.statusCode() + " (expected: a server started with --metrics)");
            }
            double processed = -1;
            double cached = 0;
            double seconds = 0;
            for (String line : r.body().split("\n")) {
                String value = line.substring(line.indexOf(' ') + 1);
                if (line.startsWith("llamacpp:prompt_tokens_total ")) {
                    processed = Double.parseDouble(value);
                } else if (line.startsWith("llamacpp:prompt_tokens_cached_total ")) {
                    cached = Double.parseDouble(value);
                } else if (line.startsWith("llamacpp:prompt_seconds_total ")
                        || line.startsWith("llamacpp:tokens_predicted_seconds_total ")) {
                    seconds += Double.parseDouble(value);
                }
            }
            if (processed < 0) {
                throw new IOException(server + "/metrics has no llamacpp:prompt_tokens_total");
            }
            return new double[] {processed, cached, seconds};
        }
    }

    private ServerProcess llamaServer(String name, Path gguf) throws IOException, InterruptedException {
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                bin.toString(),
                "-m",
                gguf.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--metrics"));
        cmd.addAll(words(serverArgs));
        ServerProcess p = ServerProcess.startAndAwaitPort(
                "llama-server",
                cmd,
                Map.of(),
                work,
                work.resolve(name + "-llama-server.log"),
                port,
                Duration.ofSeconds(120));
        awaitHealthy(url(port), Duration.ofSeconds(300));
        return p;
    }

    private ServerProcess gateway(String name, List<String> args, String extra)
            throws IOException, InterruptedException {
        List<String> jvm = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xss512k"));
        Path aot = Path.of(System.getProperty("anyclaude.home", "."), "target", "anyclaude.aot");
        if (Files.isRegularFile(aot)) { // as ./anyclaude starts it
            jvm.addAll(List.of("-XX:AOTCache=" + aot.toAbsolutePath(), "-Xlog:aot=off", "-Xlog:cds=off"));
        }
        List<String> cmd = ChildJava.java(jvm);
        cmd.addAll(List.of("serve", "--host", "127.0.0.1", "--port", "0"));
        cmd.addAll(args);
        cmd.addAll(words(extra));
        ServerProcess p = ServerProcess.startAndAwaitLine(
                "anyclaude",
                cmd,
                OverheadCommand.isolatedEnv(work),
                work,
                work.resolve(name + "-gateway.log"),
                line -> ChildJava.portAfter(line, ChildJava.LISTENING),
                Duration.ofSeconds(600));
        warmUp(url(p.port()));
        return p;
    }

    /**
     * A gateway that a user runs has served requests before: give a fresh one's JIT the request path first, so
     * that the measured requests do not share the machine with class loading and compilation. Tiny requests, JSON
     * and SSE, with tools and without, of a dozen prompt tokens each; the server's counters are read after them.
     */
    private void warmUp(String gateway) throws IOException, InterruptedException {
        String count = "{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"warm up\"}]}";
        try (HttpClient http = HttpClient.newHttpClient()) {
            for (int i = 0; i < 3; i++) {
                post(http, gateway + "/v1/messages/count_tokens", count);
            }
            for (int i = 0; i < 40; i++) {
                String tools = i % 2 == 0
                        ? ""
                        : ",\"tools\":[{\"name\":\"Read\",\"description\":\"Reads a file\","
                                + "\"input_schema\":{\"type\":\"object\",\"properties\":"
                                + "{\"file_path\":{\"type\":\"string\"}}}}]";
                post(
                        http,
                        gateway + "/v1/messages",
                        "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":2,\"stream\":" + (i % 4 < 2) + tools
                                + ",\"messages\":[{\"role\":\"user\",\"content\":\"warm " + i + "\"}]}");
            }
        }
    }

    private static void post(HttpClient http, String url, String body) throws IOException, InterruptedException {
        http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(60))
                        .header("content-type", "application/json")
                        .header("x-api-key", "bench")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
    }

    static void awaitHealthy(String server, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient http = HttpClient.newHttpClient()) {
            while (System.nanoTime() < deadline) {
                try {
                    if (http.send(
                                            HttpRequest.newBuilder(URI.create(server + "/health"))
                                                    .timeout(Duration.ofSeconds(5))
                                                    .build(),
                                            HttpResponse.BodyHandlers.discarding())
                                    .statusCode()
                            == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(50);
            }
        }
        throw new IOException(server + " was not healthy within " + timeout.toSeconds() + " s");
    }

    private static List<String> words(String s) {
        return s.isBlank() ? List.of() : Arrays.asList(s.strip().split("\\s+"));
    }

    static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String now() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT));
    }

    static Map<String, String> labels() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("server", "(a) llama-server alone");
        m.put("launch", "(b) anyclaude --launch");
        m.put("upstream", "(c) anyclaude --upstream");
        m.put("ccr", "(d) claude-code-router");
        m.put("embedded", "(e) anyclaude embedded engine");
        return m;
    }
}
