package dev.anyclaude.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.messages.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code anyclaude bench replay}: a multi-turn Claude Code session replayed against the gateway with the
 * embedded engine, over HTTP. Case 1 runs the main agent through two gateways side by side, one with
 * prompt normalization and one with {@code --no-normalize} (where the billing line, new on every request,
 * leaves nothing to reuse), turn k on one then turn k on the other, so both see the same machine load;
 * the ratio of their per-turn times is the benchmark's figure (target: at most 1/10 from turn 2 on).
 * Case 2 interleaves the main agent with an Explore-style sub-agent on a two-slot gateway.
 */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Replay a multi-turn Claude Code session (from the recorded bodies, tool calls and results"
                    + " appended each turn, the billing line changing on every request) against the embedded engine,"
                    + " with prompt normalization on and off side by side, then with a sub-agent interleaved.",
            "Prints per-turn reuse and time, the per-turn time with reuse against without it, and peak memory,"
                    + " as Markdown. Loopback only; every request is bounded by --timeout."
        })
public final class AgentReplayCommand implements Callable<Integer> {
    private static final ProcessProbe SELF = ProcessProbe.self();

    @Option(
            names = "--fixtures",
            paramLabel = "DIR",
            defaultValue = "${sys:anyclaude.home:-.}/src/test/resources/claude-code/p-tool-bash-read",
            description = "The recorded Claude Code session. Default: ${DEFAULT-VALUE}.")
    Path fixtures;

    @Option(
            names = "--model",
            paramLabel = "FILE.gguf",
            description = "The model to run. Default: generate one from "
                    + "--embd/--layers/--heads/--kv-heads/--ff into --work-dir.")
    Path model;

    @Option(
            names = "--embd",
            paramLabel = "N",
            defaultValue = "256",
            description = "Width of the generated model. Default: ${DEFAULT-VALUE}.")
    int embd;

    @Option(
            names = "--layers",
            paramLabel = "N",
            defaultValue = "4",
            description = "Layers of the generated model. Default: ${DEFAULT-VALUE}.")
    int layers;

    @Option(
            names = "--heads",
            paramLabel = "N",
            defaultValue = "4",
            description = "Attention heads of the generated model. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(
            names = "--kv-heads",
            paramLabel = "N",
            description = "Key/value heads of the generated model. Default: --heads.")
    Integer kvHeads;

    @Option(
            names = "--ff",
            paramLabel = "N",
            defaultValue = "704",
            description = "Feed-forward width of the generated model. Default: ${DEFAULT-VALUE}.")
    int ff;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description = "Where a generated model is kept. Default: the temp directory.")
    Path workDir;

    @Option(
            names = "--turns",
            paramLabel = "N",
            defaultValue = "10",
            description = "Main-agent turns. Default: ${DEFAULT-VALUE}.")
    int turns;

    @Option(
            names = "--sub-agent-turns",
            paramLabel = "N",
            defaultValue = "10",
            description = "Sub-agent turns interleaved with the main agent's in case 2; "
                    + "0 skips case 2. Default: ${DEFAULT-VALUE}.")
    int subTurns;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "2",
            description = "CPU threads per slot. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
            names = "--ctx",
            paramLabel = "TOKENS",
            defaultValue = "16384",
            description = "Context per slot; must hold the last turn's prompt. Default: ${DEFAULT-VALUE}.")
    int ctx;

    @Option(
            names = "--system-chars",
            paramLabel = "CHARS",
            defaultValue = "3000",
            description = "Characters kept of Claude Code's main system prompt (0: all). Default: ${DEFAULT-VALUE}.")
    int systemChars;

    @Option(
            names = "--agent-list-chars",
            paramLabel = "CHARS",
            defaultValue = "1000",
            description = "Characters kept of the mid-conversation agent list (0: all). Default: ${DEFAULT-VALUE}.")
    int agentListChars;

    @Option(
            names = "--first-tools",
            paramLabel = "N",
            defaultValue = "0",
            description = "Keep the first N of Claude Code's tools besides the ones the "
                    + "session calls (-1: all). Default: ${DEFAULT-VALUE}.")
    int firstTools;

    @Option(
            names = "--tool-result-chars",
            paramLabel = "CHARS",
            defaultValue = "300",
            description = "Longest tool result in characters (0: whole). Default: ${DEFAULT-VALUE}.")
    int toolResultChars;

    @Option(
            names = "--max-tokens",
            paramLabel = "N",
            defaultValue = "8",
            description = "max_tokens sent (0: Claude Code's 64000). Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(
            names = "--target",
            paramLabel = "RATIO",
            defaultValue = "0.1",
            description =
                    "Target of (time per turn with reuse) / (time without), turns 2 on. Default: ${DEFAULT-VALUE}.")
    double target;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "900",
            description = "Longest time one request may take. Default: ${DEFAULT-VALUE}.")
    long timeoutSeconds;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the report to this file.")
    Path out;

    @Spec
    CommandSpec spec;

    /** Made when the command runs: picocli builds every command object at start-up, `serve` included. */
    private ObjectMapper json;

    /**
     * Runs the benchmark without the rest of the CLI: {@code java ... dev.anyclaude.bench.AgentReplayCommand
     * [options]}.
     */
    public static void main(String[] args) {
        // The embedded engine's slot threads are daemons, but exit explicitly as Main does.
        System.exit(new CommandLine(new AgentReplayCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        json = Json.create();
        PrintStream log = System.err;
        if (turns < 1 || subTurns < 0 || threads < 1 || ctx < 16 || !(target > 0) || timeoutSeconds < 1) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--turns, --threads, --timeout and --target must be positive,"
                            + " --sub-agent-turns 0 or more, --ctx at least 16");
        }
        AgentReplayTrim trim;
        try {
            trim = new AgentReplayTrim(systemChars, agentListChars, firstTools, toolResultChars, maxTokens);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        AgentReplaySession session =
                AgentReplaySession.load(fixtures, trim, AgentReplaySession.Billing.PER_REQUEST, json);
        Path file = model != null ? model : generated();
        List<AgentReplayRequest> main = session.mainAgent(turns);
        String loadBefore = AgentReplayReport.load();

        AgentReplayReport report = new AgentReplayReport();
        report.line("Agent replay benchmark, " + LocalDate.now() + ", " + AgentReplayReport.machine() + ".");
        report.line("Model " + file.getFileName() + " (" + (Files.size(file) >> 20) + " MiB), " + threads
                + " threads per slot, "
                + "context " + ctx + " per slot. Session: " + fixtures + ", " + session.recordedTurns()
                + " recorded turns, the rest"
                + " synthesized; billing line new on every request. Trim: " + trim.describe() + ". Main-agent bodies "
                + main.getFirst().bytes() + " B (turn 1) to " + main.getLast().bytes() + " B (turn " + turns + ").");
        report.line("");

        log.println("case 1: main agent, " + turns + " turns, normalization on and off side by side");
        SELF.resetPeak();
        List<AgentReplayTurn> on = new ArrayList<>();
        List<AgentReplayTurn> off = new ArrayList<>();
        String kv;
        try (Gateway normalized = gateway(file, true);
                Gateway raw = gateway(file, false);
                AgentReplayClient a = client(normalized);
                AgentReplayClient b = client(raw)) {
            for (AgentReplayRequest r : main) {
                on.add(progress(log, "on ", a.send(r)));
                off.add(progress(log, "off", b.send(r)));
            }
            kv = String.format(
                    Locale.ROOT,
                    "KV memory held at the end (slot caches + saved states in RAM, /cache/stats"
                            + " l1.kv_bytes): with normalization %d MiB, without %d MiB "
                            + "(each turn without it hands a slot to a new"
                            + " prefix, and the engine saves the old one first).",
                    kvMiB(a),
                    kvMiB(b));
        }
        report.peak("case 1 (both gateways)", SELF.peakRssKiB() >> 10);
        report.line("### Case 1: main agent, normalization on vs off (`--no-normalize`), same turns, same run");
        report.line("");
        report.onOff(on, off, target);
        report.line(kv);
        report.line("");

        if (subTurns > 0) {
            log.println(
                    "case 2: main agent and sub-agent interleaved, " + turns + " + " + subTurns + " turns, 2 slots");
            SELF.resetPeak();
            List<AgentReplayTurn> both = new ArrayList<>();
            try (Gateway g = gateway(file, true);
                    AgentReplayClient c = client(g)) {
                for (AgentReplayRequest r : AgentReplaySession.interleave(main, session.subAgent(subTurns))) {
                    both.add(progress(log, "   ", c.send(r)));
                }
            }
            report.peak("case 2", SELF.peakRssKiB() >> 10);
            report.line("### Case 2: main agent and sub-agent interleaved, one gateway, 2 slots");
            report.line("");
            report.interleaved(both);
            report.line("");
        }
        report.line("Load average (1, 5, 15 min) before: " + loadBefore + "; after: " + AgentReplayReport.load()
                + " (the machine may be shared; the on/off pairs ran turn by turn under the same load).");
        String text = report.render();
        System.out.println(text);
        if (out != null) {
            Files.writeString(out, text);
        }
        return 0;
    }

    private Path generated() throws IOException {
        TinyLlamaSpec spec = new TinyLlamaSpec(embd, layers, heads, kvHeads == null ? heads : kvHeads, ff, 32768, 1);
        Path dir = workDir != null ? workDir : Path.of(System.getProperty("java.io.tmpdir"));
        Path file = dir.resolve(String.format(
                Locale.ROOT,
                "anyclaude-replay-%dx%d-kv%d-ff%d.gguf",
                spec.embd(),
                spec.layers(),
                spec.kvHeads(),
                spec.ff()));
        if (!Files.isRegularFile(file)) {
            System.err.println("generating " + file);
            GgufWriter.writeTinyLlama(spec, file);
        }
        return file;
    }

    private Gateway gateway(Path file, boolean normalize) {
        ServeOptions o = new ServeOptions();
        o.backend = "embedded";
        o.model = file.toString();
        o.port = 0;
        o.ctx = ctx;
        o.slots = 2;
        o.threads = threads;
        o.responseCache = "off"; // every turn must reach the engine
        o.noNormalize = !normalize;
        return Gateway.start(o.settings());
    }

    private AgentReplayClient client(Gateway g) {
        return new AgentReplayClient(g.url(), json, Duration.ofSeconds(timeoutSeconds));
    }

    private static long kvMiB(AgentReplayClient c) throws IOException, InterruptedException {
        return c.cacheStats().path("l1").path("kv_bytes").asLong() >> 20;
    }

    private static AgentReplayTurn progress(PrintStream log, String label, AgentReplayTurn t) {
        log.printf(
                Locale.ROOT,
                "%s %-4s turn %2d: prompt %6d reused %6d (%.3f) slot %d, first token %7.0f ms, total %7.0f ms%n",
                label,
                t.agent(),
                t.turn(),
                t.promptTokens(),
                t.reusedTokens(),
                t.reuseRatio(),
                t.slot(),
                t.firstTokenMs(),
                t.totalMs());
        return t;
    }
}
