package dev.anyclaude.cli;

import dev.anyclaude.backend.launch.AppDirs;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.time.Clock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code anyclaude demo}: the whole path on this machine with nothing installed — a generated model in the
 * embedded engine, the gateway, and a Claude-Code-shaped request sent three times (a new question each
 * time, the billing header changing as Claude Code changes it), with cold and warm timings side by side.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Generate a tiny model, start the embedded engine and the gateway, send a Claude-Code-shaped "
                + "request three times, and show what prefix reuse does: cold vs warm time to first token, "
                + "prompt tokens reused, cache stats.")
public final class DemoCommand implements Callable<Integer> {
    private static final Pattern USAGE = Pattern.compile("\"input_tokens\":(\\d+),\"cache_creation_input_tokens\":\\d+,"
            + "\"cache_read_input_tokens\":(\\d+),\"output_tokens\":(\\d+)");

    @Option(names = "--model", paramLabel = "FILE", description = "A GGUF model to use instead of the generated one.")
    Path model;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads (0: all cores).")
    int threads;

    private final PrintStream out = System.out;
    private final Clock clock = Clock.SYSTEM;

    /** One request's figures. */
    record Turn(String question, long promptTokens, long reused, long outputTokens, double ttftMs, double totalMs) {}

    @Override
    public Integer call() throws Exception {
        Path file = model != null ? model : generatedModel();
        ServeOptions o = new ServeOptions();
        o.backend = "embedded";
        o.model = file.toString();
        o.port = 0;
        o.ctx = 16384;
        o.slots = 2;
        o.threads = threads;
        o.responseCache = "off"; // the demo is about prefix reuse, not about replaying answers
        String template = new String(
                DemoCommand.class
                        .getResourceAsStream("/demo/claude-code-request.json")
                        .readAllBytes(),
                StandardCharsets.UTF_8);
        try (Gateway gateway = Gateway.start(o.settings());
                HttpClient http = HttpClient.newHttpClient()) {
            out.println();
            out.println("anyclaude demo: gateway " + gateway.url() + ", embedded engine, model " + file);
            out.println("Sending a Claude-Code-shaped request (" + template.length()
                    + " bytes: system prompt, 3 tools, a user turn) three times, each with a new question.");
            out.println();
            String[] questions = {
                "Show me the git status of this repo.", "Now read README.md, please.", "Which test fails, and why?"
            };
            List<Turn> turns = new ArrayList<>();
            for (int i = 0; i < questions.length; i++) {
                String body = template.replace("Show me the git status of this repo.", questions[i])
                        .replaceFirst("cc_version=2\\.1\\.197\\.123", "cc_version=2.1.197." + (101 + i * 111));
                turns.add(send(http, gateway.url(), body, questions[i]));
            }
            table(turns);
            String stats = http.send(
                            HttpRequest.newBuilder(URI.create(gateway.url() + "/cache/stats"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            out.println();
            out.println("GET /cache/stats (excerpt):");
            stats.lines()
                    .filter(l -> l.contains("\"slot\"")
                            || l.contains("cachedTokens")
                            || l.contains("reusedTokens")
                            || l.contains("\"extended\"")
                            || l.contains("\"diverged\""))
                    .limit(12)
                    .forEach(l -> out.println("  " + l.strip()));
            out.println();
            out.println("Next: ./anyclaude serve --backend embedded --model YOUR.gguf "
                    + "  (or --upstream URL for a model server)");
        }
        return 0;
    }

    private Turn send(HttpClient http, String url, String body, String question)
            throws IOException, InterruptedException {
        long start = clock.nanoTime();
        HttpResponse<InputStream> r = http.send(
                HttpRequest.newBuilder(URI.create(url + "/v1/messages"))
                        .header("content-type", "application/json")
                        .header("x-claude-code-session-id", "demo-session")
                        .timeout(Duration.ofMinutes(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        double ttft = -1;
        long prompt = 0;
        long reused = 0;
        long output = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (ttft < 0 && line.startsWith("data: {\"type\":\"content_block_delta\"")) {
                    ttft = (clock.nanoTime() - start) / 1e6;
                }
                if (line.startsWith("data: {\"type\":\"message_delta\"")) {
                    Matcher m = USAGE.matcher(line);
                    if (m.find()) {
                        reused = Long.parseLong(m.group(2));
                        prompt = Long.parseLong(m.group(1)) + reused;
                        output = Long.parseLong(m.group(3));
                    }
                }
                if (line.startsWith("event: error")) {
                    throw new IllegalStateException("the gateway answered an error: " + in.readLine());
                }
            }
        }
        return new Turn(question, prompt, reused, output, ttft, (clock.nanoTime() - start) / 1e6);
    }

    private void table(List<Turn> turns) {
        out.printf(
                "%-4s %-40s %8s %8s %7s %12s %10s%n",
                "req", "question", "prompt", "reused", "reuse", "first token", "total");
        for (int i = 0; i < turns.size(); i++) {
            Turn t = turns.get(i);
            out.printf(
                    "%-4d %-40s %8d %8d %6.1f%% %9.0f ms %7.0f ms%n",
                    i + 1,
                    t.question(),
                    t.promptTokens(),
                    t.reused(),
                    t.promptTokens() == 0 ? 0 : 100.0 * t.reused() / t.promptTokens(),
                    t.ttftMs(),
                    t.totalMs());
        }
        if (turns.size() > 1 && turns.get(1).ttftMs() > 0) {
            out.printf(
                    "%nWarm requests reached their first token %.1fx faster than the cold one: the system prompt and "
                            + "tools were computed once and reused, although Claude Code's "
                            + "billing header changed every time "
                            + "(the gateway drops it).%n",
                    turns.get(0).ttftMs() / turns.get(1).ttftMs());
        }
    }

    /** The demo model: generated once into the user cache, a few MiB, loads in well under a second. */
    private static Path generatedModel() throws IOException {
        Path dir = AppDirs.system().cache().resolve("demo");
        Path file = dir.resolve("tiny-256x4-seed1.gguf");
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "tiny", ".gguf.part");
            GgufWriter.writeTinyLlama(TinyLlamaSpec.small(1), tmp);
            Files.move(
                    tmp,
                    file,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.err.println("anyclaude: generated the demo model " + file);
        }
        return file;
    }
}
