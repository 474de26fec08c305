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
@Command(
        name = "engine",
        mixinStandardHelpOptions = true,
        description =
                "Embedded engine vs the pinned llama-server on the same GGUF and threads, side by side in one run:"
                        + " cold prefill and decode tokens/s, resident memory, and a "
                        + "second session's first token when its"
                        + " system+tools prefix is already resident. Prints Markdown.")
public final class EngineCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            paramLabel = "FILE.gguf",
            description = "Model. Default: a generated llama model of about 90 M "
                    + "parameters (1024 wide, 8 layers) in --work-dir.")
    Path model;

    @Option(
            names = "--server-bin",
            paramLabel = "PATH",
            description = "llama-server. Default: the pinned release (scripts/llama-server.sh).")
    Path serverBin;

    @Option(
            names = "--prompt-tokens",
            defaultValue = "4096",
            description = "Prompt length of the cold prefill. Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(
            names = "--gen-tokens",
            defaultValue = "64",
            description = "Tokens generated per run. Default: ${DEFAULT-VALUE}.")
    int genTokens;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "Threads of both (0: all cores). Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--repeat",
            defaultValue = "3",
            description = "Runs per side, alternating; medians are reported. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(
            names = "--work-dir",
            defaultValue = "target/bench-engine",
            description = "Where the model and logs go. Default: ${DEFAULT-VALUE}.")
    Path work;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 16 || genTokens < 2 || repeat < 1 || threads < 0) {
            throw new IllegalArgumentException(
                    "--prompt-tokens >= 16, --gen-tokens >= 2, --repeat >= 1, --threads >= 0 expected");
        }
        Files.createDirectories(work);
        int t = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Path gguf = model != null ? model : generated();
        int ctx = promptTokens + genTokens + 64;
        Path bin = serverBin != null ? serverBin : PinnedLlamaServer.obtain(System.err);
        int port = L1Command.freePort();
        List<String> cmd = List.of(
                bin.toString(),
                "-m",
                gguf.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "-c",
                Integer.toString(ctx),
                "-np",
                "1",
                "-t",
                Integer.toString(t),
                "-tb",
                Integer.toString(t),
                "--no-warmup");
        EngineConfig config = EngineConfig.defaults(gguf)
                .withCtxPerSlot(ctx)
                .withSlots(1)
                .withThreads(t)
                .withStateBytes(0, 0);
        List<double[]> server = new ArrayList<>();
        List<double[]> embedded = new ArrayList<>();
        double[] secondSession;
        long serverRss;
        long ownRssBefore = ProcessProbe.self().rssKiB();
        long ownRss;
        String engineLine;
        try (ServerProcess p = ServerProcess.startAndAwaitPort(
                        "llama-server",
                        cmd,
                        Map.of(),
                        work,
                        work.resolve("llama-server.log"),
                        port,
                        Duration.ofSeconds(120));
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
            secondSession = secondSession(http, port, m, config);
            serverRss = new ProcessProbe(p.pid()).rssKiB();
            ownRss = ProcessProbe.self().rssKiB();
        }
        report(gguf, t, engineLine, server, embedded, serverRss, ownRss, ownRssBefore);
        reportSecondSession(secondSession);
        return 0;
    }

    /**
     * A second session whose system+tools prefix (all but the last 64 prompt tokens) is resident in a
     * slot that the first session still holds: its time to first token on the embedded engine (the
     * prefix copied into a free sequence) against a cold prefill of the same prompt, and llama-server's
     * prompt time for the same second prompt after the first (its own prompt cache, one slot). Returns
     * {embedded warm ms, embedded cold ms, reused, server warm prompt ms, server reused, server cold prompt ms}.
     */
    private double[] secondSession(HttpClient http, int port, NativeModel m, EngineConfig config) throws Exception {
        int prefix = promptTokens - 64;
        int[] first = prompt(100, m.vocabSize());
        int[] second = first.clone();
        int[] tail = prompt(101, m.vocabSize());
        System.arraycopy(tail, 0, second, prefix, promptTokens - prefix);
        double coldMs;
        try (Engine cold = new Engine(m, config.withSlots(2))) {
            coldMs = firstTokenMs(cold, second)[0];
        }
        double[] sameSlot;
        try (Engine engine = new Engine(m, config.withSlots(2))) {
            firstTokenMs(engine, first);
            sameSlot = firstTokenMs(engine, second);
        }
        double[] warm;
        try (Engine engine = new Engine(m, config.withSlots(2))) {
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread session1 = Thread.ofPlatform().start(() -> {
                try {
                    engine.generate(first, new Engine.Params(genTokens, 0, 0, 1, 7), new Engine.Listener() {
                        @Override
                        public void started(int slot, int promptTokens, int reused) {}

                        @Override
                        public boolean token(int token) throws IOException {
                            holding.countDown();
                            try {
                                release.await(5, java.util.concurrent.TimeUnit.MINUTES);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return true;
                        }
                    });
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            if (!holding.await(10, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new IOException("the first session did not start");
            }
            warm = firstTokenMs(engine, second);
            release.countDown();
            session1.join(60_000);
        }
        double[] serverFirst = serverPrompt(http, port, first);
        double[] serverSecond = serverPrompt(http, port, second);
        return new double[] {
            warm[0], coldMs, warm[1], serverSecond[0], serverSecond[1], serverFirst[0], sameSlot[0], sameSlot[1]
        };
    }

    /** {ms from the call to the first token, tokens reused}. */
    private static double[] firstTokenMs(Engine engine, int[] prompt) throws IOException {
        long start = System.nanoTime();
        double[] out = new double[2];
        engine.generate(prompt, new Engine.Params(1, 0, 0, 1, 7), new Engine.Listener() {
            @Override
            public void started(int slot, int promptTokens, int reused) {
                out[1] = reused;
            }

            @Override
            public boolean token(int token) {
                out[0] = (System.nanoTime() - start) / 1e6;
                return true;
            }
        });
        return out;
    }

    /** {prompt ms, tokens reused} of one llama-server request with its prompt cache on. */
    private double[] serverPrompt(HttpClient http, int port, int[] prompt) throws IOException, InterruptedException {
        String body = json.writeValueAsString(Map.of(
                "prompt",
                prompt,
                "n_predict",
                1,
                "cache_prompt",
                true,
                "temperature",
                0,
                "samplers",
                List.of("top_k")));
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(L1Command.url(port) + "/completion"))
                        .timeout(Duration.ofMinutes(10))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("llama-server /completion: " + r.statusCode() + " " + r.body());
        }
        JsonNode root = json.readTree(r.body());
        return new double[] {
            root.path("timings").path("prompt_ms").asDouble(),
            root.path("tokens_cached").asDouble(-1)
        };
    }

    private void reportSecondSession(double[] s) {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "### A second session, %d-token prompt, its first %d tokens "
                        + "resident in a slot the first session holds%n%n",
                promptTokens,
                promptTokens - 64);
        System.out.println("| | time to first token (embedded) / prompt time (llama-server), ms | reused tokens |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| embedded, cold prefill of the second prompt | %.0f | 0 |%n", s[1]);
        System.out.printf(
                Locale.ROOT,
                "| embedded, prefix copied from the busy slot | %.0f (%.2f of cold) | %.0f |%n",
                s[0],
                s[0] / s[1],
                s[2]);
        System.out.printf(
                Locale.ROOT,
                "| embedded, first session finished, same slot reused | %.0f (%.2f of cold) | %.0f |%n",
                s[6],
                s[6] / s[1],
                s[7]);
        System.out.printf(Locale.ROOT, "| llama-server (1 slot), first session cold | %.0f | |%n", s[5]);
        System.out.printf(
                Locale.ROOT, "| llama-server (1 slot), second session after it | %.0f | %.0f |%n", s[3], s[4]);
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
        String body = json.writeValueAsString(Map.of(
                "prompt",
                prompt,
                "n_predict",
                genTokens,
                "ignore_eos",
                true,
                "cache_prompt",
                false,
                "temperature",
                0,
                "samplers",
                List.of("top_k")));
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(L1Command.url(port) + "/completion"))
                        .timeout(Duration.ofMinutes(10))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("llama-server /completion: " + r.statusCode() + " " + r.body());
        }
        JsonNode timings = json.readTree(r.body()).path("timings");
        return new double[] {
            timings.path("prompt_per_second").asDouble(),
            timings.path("predicted_per_second").asDouble(),
            timings.path("predicted_n").asDouble()
        };
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

    private void report(
            Path gguf,
            int t,
            String engineLine,
            List<double[]> server,
            List<double[]> embedded,
            long serverRss,
            long ownRss,
            long ownRssBefore) {
        System.out.printf(
                Locale.ROOT,
                "## Embedded engine vs llama-server, same GGUF (%s), %d threads, %s%n%n",
                now(),
                t,
                gguf.getFileName());
        System.out.println("- engine: " + engineLine);
        System.out.printf(
                Locale.ROOT,
                "- prompt %d random tokens per run, %d generated (greedy), %d "
                        + "runs per side after one warm-up, alternating%n%n",
                promptTokens,
                genTokens,
                server.size());
        System.out.println("| | llama-server | embedded | embedded / server |");
        System.out.println("|---|---|---|---|");
        double sp = median(server, 0);
        double ep = median(embedded, 0);
        double sd = median(server, 1);
        double ed = median(embedded, 1);
        System.out.printf(Locale.ROOT, "| cold prefill, tokens/s (median) | %.0f | %.0f | %.2f× |%n", sp, ep, ep / sp);
        System.out.printf(Locale.ROOT, "| decode, tokens/s (median) | %.1f | %.1f | %.2f× |%n", sd, ed, ed / sd);
        System.out.printf(
                Locale.ROOT, "| tokens generated (median) | %.0f | %.0f | |%n", median(server, 2), median(embedded, 2));
        System.out.printf(
                Locale.ROOT,
                "| resident memory, MiB | %d | %d (whole JVM; %d before loading) | %+d MiB |%n",
                serverRss >> 10,
                ownRss >> 10,
                ownRssBefore >> 10,
                (ownRss - serverRss) >> 10);
        System.out.println();
        System.out.println(
                "Per run (prefill / decode tokens/s): server " + runs(server) + "; embedded " + runs(embedded));
    }

    private static String runs(List<double[]> rs) {
        return rs.stream()
                .map(r -> String.format(Locale.ROOT, "%.0f/%.1f", r[0], r[1]))
                .toList()
                .toString();
    }

    private static double median(List<double[]> rs, int i) {
        double[] v = rs.stream().mapToDouble(r -> r[i]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String now() {
        return L1Command.now();
    }
}
