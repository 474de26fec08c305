package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.launch.PinnedLlamaServer;
import dev.anyclaude.engine.Engine;
import dev.anyclaude.engine.EngineConfig;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.NativeModel;
import dev.anyclaude.engine.TinyLlamaSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code anyclaude bench engine}: the embedded engine against the pinned llama-server on the same GGUF,
 * the same threads and the same prompt tokens, in one run, alternating: cold prefill tokens/s, decode
 * tokens/s (each side's own timing: llama-server's {@code timings}, the engine's listener), and resident
 * memory. Then the several-sessions case: a second session whose system+tools prefix another session
 * already holds, its time to first token against a cold prefill of the same prompt.
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = "Embedded engine vs the pinned llama-server on the same GGUF and threads, side by side in one run:"
                + " cold prefill and decode tokens/s, resident memory, and a second session's first token when its"
                + " system+tools prefix is already resident. Prints Markdown.")
public final class EngineCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "FILE.gguf",
            description = "Model. Default: a generated llama model of about 90 M parameters (1024 wide, 8 layers) in --work-dir.")
    Path model;

    @Option(names = "--server-bin", paramLabel = "PATH", description = "llama-server. Default: the pinned release (scripts/llama-server.sh).")
    Path serverBin;

    @Option(names = "--prompt-tokens", defaultValue = "4096", description = "Prompt length of the cold prefill. Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "Tokens generated per run. Default: ${DEFAULT-VALUE}.")
    int genTokens;

    @Option(names = "--threads", defaultValue = "0", description = "Threads of both (0: all cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--repeat", defaultValue = "3", description = "Runs per side, alternating; medians are reported. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--work-dir", defaultValue = "target/bench-engine", description = "Where the model and logs go. Default: ${DEFAULT-VALUE}.")
    Path work;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 16 || genTokens < 2 || repeat < 1 || threads < 0) {
            throw new IllegalArgumentException("--prompt-tokens >= 16, --gen-tokens >= 2, --repeat >= 1, --threads >= 0 expected");
        }
        Files.createDirectories(work);
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Path gguf = model != null ? model : generated();
        int ctx = promptTokens + genTokens + 64;
        Path bin = serverBin != null ? serverBin : PinnedLlamaServer.obtain(System.err);
        int port = L1Command.freePort();
        List<String> cmd = List.of(bin.toString(), "-m", gguf.toString(), "--host", "127.0.0.1", "--port", Integer.toString(port),
                "-c", Integer.toString(ctx), "-np", "1", "-t", Integer.toString(t), "-tb", Integer.toString(t), "--no-warmup");
        EngineConfig config = EngineConfig.defaults(gguf).withCtxPerSlot(ctx).withSlots(1).withThreads(t).withStateBytes(0, 0);
        List<double[]> server = new ArrayList<>();
        List<double[]> embedded = new ArrayList<>();
        long serverRss;
        long ownRssBefore = ProcessProbe.self().rssKiB();
        long ownRss;
        String engineLine;
        try (ServerProcess p = ServerProcess.startAndAwaitPort("llama-server", cmd, Map.of(), work, work.resolve("llama-server.log"),
                port, Duration.ofSeconds(120));
                HttpClient http = HttpClient.newHttpClient()) {
            L1Command.awaitHealthy(L1Command.url(port), Duration.ofSeconds(300));
            NativeModel m = NativeModel.load(config.natives(), gguf, null);
            engineLine = m.engineLine();
            int vocab = m.vocabSize();
            try (Engine engine = new Engine(m, config)) {
                for (int r = 0; r <= repeat; r++) { // run 0 warms both up and is not counted
                    int[] prompt = prompt(r, vocab);
                    double[] s = serverRun(http, port, prompt);
                    double[] e = embeddedRun(engine, prompt);
                    if (r > 0) {
                        server.add(s);
                        embedded.add(e);
                    }
                }
            }
            serverRss = new ProcessProbe(p.pid()).rssKiB();
            ownRss = ProcessProbe.self().rssKiB();
        }
        report(gguf, t, engineLine, server, embedded, serverRss, ownRss, ownRssBefore);
        return 0;
    }

    private Path generated() throws IOException {
        Path f = work.resolve("bench-1024x8.gguf").toAbsolutePath();
        if (!Files.isRegularFile(f)) {
            GgufWriter.writeTinyLlama(new TinyLlamaSpec(1024, 8, 16, 4, 2816, 32768, 1), f);
        }
        return f;
    }

    /** Random byte-vocabulary tokens, different per run so that no side can reuse a previous prompt. */
    private int[] prompt(int run, int vocab) {
        Random r = new Random(1000 + run);
        int[] p = new int[promptTokens];
        for (int i = 0; i < p.length; i++) {
            p[i] = 3 + r.nextInt(vocab - 4);
        }
        return p;
    }

    /** {prefill tokens/s, decode tokens/s, generated} from llama-server's own timings. */
    private double[] serverRun(HttpClient http, int port, int[] prompt) throws IOException, InterruptedException {
        String body = json.writeValueAsString(Map.of("prompt", prompt, "n_predict", genTokens, "ignore_eos", true,
                "cache_prompt", false, "temperature", 0, "samplers", List.of("top_k")));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(L1Command.url(port) + "/completion"))
                .timeout(Duration.ofMinutes(10)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("llama-server /completion: " + r.statusCode() + " " + r.body());
        }
        JsonNode timings = json.readTree(r.body()).path("timings");
        return new double[] {timings.path("prompt_per_second").asDouble(), timings.path("predicted_per_second").asDouble(),
                timings.path("predicted_n").asDouble()};
    }

    /** {prefill tokens/s, decode tokens/s, generated} timed around the engine's listener calls. */
    private double[] embeddedRun(Engine engine, int[] prompt) throws IOException {
        long[] marks = new long[3]; // started, first token, last token
        int[] n = {0};
        engine.generate(prompt, new Engine.Params(genTokens, 0, 0, 1, 7), new Engine.Listener() {
            @Override
            public void started(int slot, int promptTokens, int reused) {
                marks[0] = System.nanoTime();
            }

            @Override
            public boolean token(int token) {
                long now = System.nanoTime();
                if (n[0]++ == 0) {
                    marks[1] = now;
                }
                marks[2] = now;
                return false;
            }
        });
        double prefill = prompt.length / ((marks[1] - marks[0]) / 1e9);
        double decode = n[0] > 1 ? (n[0] - 1) / ((marks[2] - marks[1]) / 1e9) : 0;
        return new double[] {prefill, decode, n[0]};
    }

    private void report(Path gguf, int t, String engineLine, List<double[]> server, List<double[]> embedded, long serverRss,
            long ownRss, long ownRssBefore) {
        System.out.printf(Locale.ROOT, "## Embedded engine vs llama-server, same GGUF (%s), %d threads, %s%n%n", now(), t, gguf.getFileName());
        System.out.println("- engine: " + engineLine);
        System.out.printf(Locale.ROOT, "- prompt %d random tokens per run, %d generated (greedy), %d runs per side after one warm-up, alternating%n%n",
                promptTokens, genTokens, server.size());
        System.out.println("| | llama-server | embedded | embedded / server |");
        System.out.println("|---|---|---|---|");
        double sp = median(server, 0);
        double ep = median(embedded, 0);
        double sd = median(server, 1);
        double ed = median(embedded, 1);
        System.out.printf(Locale.ROOT, "| cold prefill, tokens/s (median) | %.0f | %.0f | %.2f× |%n", sp, ep, ep / sp);
        System.out.printf(Locale.ROOT, "| decode, tokens/s (median) | %.1f | %.1f | %.2f× |%n", sd, ed, ed / sd);
        System.out.printf(Locale.ROOT, "| tokens generated (median) | %.0f | %.0f | |%n", median(server, 2), median(embedded, 2));
        System.out.printf(Locale.ROOT, "| resident memory, MiB | %d | %d (whole JVM; %d before loading) | +%d MiB |%n",
                serverRss >> 10, ownRss >> 10, ownRssBefore >> 10, (ownRss - serverRss) >> 10);
        System.out.println();
        System.out.println("Per run (prefill / decode tokens/s): server " + runs(server) + "; embedded " + runs(embedded));
    }

    private static String runs(List<double[]> rs) {
        return rs.stream().map(r -> String.format(Locale.ROOT, "%.0f/%.1f", r[0], r[1])).toList().toString();
    }

    private static double median(List<double[]> rs, int i) {
        double[] v = rs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String now() {
        return L1Command.now();
    }
}
