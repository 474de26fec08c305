package dev.anyclaude.backend.embedded;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.engine.EngineConfig;
import dev.anyclaude.engine.GgufWriter;
import dev.anyclaude.engine.LlamaContext;
import dev.anyclaude.engine.NativeModel;
import dev.anyclaude.engine.NativeOptions;
import dev.anyclaude.engine.SlotSnapshot;
import dev.anyclaude.engine.TinyLlamaSpec;
import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.Message;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.Role;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The embedded engine's prefix-reuse benchmark: cold against warm time to first token on a
 * Claude-Code-shaped prompt of about 9,000 tokens, two prefixes alternating over six turns, a prefix
 * restored from a saved state (RAM and disk) against recomputing it, output identity with and without
 * reuse, peak memory per case, and one shared llama.cpp context with two sequences against two
 * contexts (why each slot has its own).
 *
 * <p>Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... dev.anyclaude.backend.embedded.EmbeddedBenchmark
 * [--model FILE | --embd N --layers N --heads N --ff N] [--prefix-tokens 9000] [--threads 2] [--repeat 3]
 * [--fixture claude-code-body.json] [--work-dir DIR]}. Each case runs in every repetition and the
 * report gives medians; ratios are only comparable within one run.
 */
public final class EmbeddedBenchmark {
    /** A benchmark times the machine it runs on: the system clock, never a test's. */
    private static final Clock STOPWATCH = Clock.SYSTEM;

    private final Options options;
    private final PrintStream log;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private final Map<String, int[]> identity = new LinkedHashMap<>();
    private final List<double[]> designChecks = new ArrayList<>();
    private BenchmarkPrompts prompts;

    /** Benchmark settings; {@code model} null means generate one from {@code spec}. */
    public record Options(
            Path model,
            TinyLlamaSpec spec,
            int prefixTokens,
            int suffixTokens,
            int outputTokens,
            int threads,
            Path fixture,
            Path workDir,
            int repeat) {}

    /** One line of the table: every repetition's run of one request. */
    private static final class Row {
        final String kase;
        final String label;
        final String coldKey;
        final List<Run> runs = new ArrayList<>();
        long rssMiB;

        Row(String kase, String label, String coldKey) {
            this.kase = kase;
            this.label = label;
            this.coldKey = coldKey;
        }

        double ttft() {
            return median(runs.stream().mapToDouble(Run::ttftMs).toArray());
        }

        double total() {
            return median(runs.stream().mapToDouble(Run::totalMs).toArray());
        }
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length == 0
                ? Double.NaN
                : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private EmbeddedBenchmark(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        String report = run(o, System.err);
        System.out.println(report);
        System.exit(0);
    }

    /** Reads the command-line options (see the class comment); unknown options are refused. */
    public static Options parse(String[] args) {
        Path model = null;
        TinyLlamaSpec small = TinyLlamaSpec.small(1);
        int embd = small.embd();
        int layers = small.layers();
        int heads = small.heads();
        int ff = small.ff();
        int prefix = 9000;
        int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
        Path fixture = Path.of(
                System.getProperty("anyclaude.home", "."),
                "src/test/resources/claude-code/p-tool-bash-read/04-POST-v1_messages.body.json");
        Path work = Path.of(System.getProperty("java.io.tmpdir"));
        int repeat = 3;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--model" -> model = Path.of(v);
                case "--embd" -> embd = Integer.parseInt(v);
                case "--layers" -> layers = Integer.parseInt(v);
                case "--heads" -> heads = Integer.parseInt(v);
                case "--ff" -> ff = Integer.parseInt(v);
                case "--prefix-tokens" -> prefix = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--fixture" -> fixture = Path.of(v);
                case "--work-dir" -> work = Path.of(v);
                case "--repeat" -> repeat = Integer.parseInt(v);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + " (expected: --model, --embd, --layers, --heads, --ff, "
                                    + "--prefix-tokens, --threads, --fixture, --work-dir, --repeat)");
            }
            i++;
        }
        return new Options(
                model,
                new TinyLlamaSpec(embd, layers, heads, heads, ff, 32768, 1),
                prefix,
                50,
                20,
                threads,
                fixture,
                work,
                repeat);
    }

    /** Runs every case and returns the report as Markdown; progress goes to {@code log}. */
    public static String run(Options o, PrintStream log) throws IOException {
        return new EmbeddedBenchmark(o, log).run();
    }

    private String run() throws IOException {
        Path model = options.model();
        if (model == null) {
            TinyLlamaSpec s = options.spec();
            model = options.workDir()
                    .resolve("anyclaude-bench-" + s.embd() + "x" + s.layers() + "-ff" + s.ff() + ".gguf");
            if (!Files.isRegularFile(model)) {
                log.println("generating " + model);
                GgufWriter.writeTinyLlama(s, model);
            }
        }
        EngineConfig base = EngineConfig.defaults(model)
                .withThreads(options.threads())
                .withCtxPerSlot(256)
                .withSeed(1)
                .withSlotWait(Duration.ofMinutes(10))
                .withStateBytes(4096 * EngineConfig.MIB, 0);
        long loadStart = STOPWATCH.nanoTime();
        try (EmbeddedBackend probe = new EmbeddedBackend(base.withSlots(1), json, null)) {
            notes.put(
                    "model",
                    String.format(
                            Locale.ROOT,
                            "model: %s; loaded in %.2f s",
                            probe.model().description,
                            (STOPWATCH.nanoTime() - loadStart) / 1e9));
            prompts = new BenchmarkPrompts(probe, json, options);
        }
        // Room for the prefix, three turns of history and the answers.
        base = base.withCtxPerSlot((int) Math.max(prompts.prefixA, prompts.prefixB) + 1024);
        // Each case runs in every repetition, so a disturbance on a shared machine hits one sample, not one case.
        for (int i = 1; i <= options.repeat(); i++) {
            log.println("repetition " + i + " of " + options.repeat());
            coldAndWarm(base);
            alternating(base);
            restored(base, "RAM");
            restored(base.withStateBytes(0, 8192 * EngineConfig.MIB), "disk");
            sharedContext(base);
        }
        return report(model);
    }

    /** A timed request. */
    private record Run(String label, long promptTokens, long reused, double ttftMs, double totalMs, String text) {}

    private Run measure(EmbeddedBackend b, String label, MessagesRequest r) throws IOException {
        List<StreamEvent> events = new ArrayList<>();
        long[] first = {0};
        long start = STOPWATCH.nanoTime();
        b.generate(new BackendRequest(r, null, label), events::add, () -> first[0] = STOPWATCH.nanoTime());
        long end = STOPWATCH.nanoTime();
        StreamEvent.MessageDelta delta = (StreamEvent.MessageDelta) events.get(events.size() - 2);
        StringBuilder text = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockDelta d && d.delta() instanceof StreamEvent.TextDelta t) {
                text.append(t.text());
            }
        }
        Run run = new Run(
                label,
                delta.usage().inputTokens() + delta.usage().cacheReadInputTokens(),
                delta.usage().cacheReadInputTokens(),
                ((first[0] == 0 ? end : first[0]) - start) / 1e6,
                (end - start) / 1e6,
                text.toString());
        log.printf(
                Locale.ROOT,
                "%-32s prompt %6d reused %6d ttft %9.1f ms total %9.1f ms%n",
                label,
                run.promptTokens(),
                run.reused(),
                run.ttftMs(),
                run.totalMs());
        return run;
    }

    /** Records a run; {@code cold} is the run it is compared with, or itself when it is the cold one. */
    private void row(String kase, Run run, Run cold, long rssMiB) {
        String key = kase + "|" + run.label();
        Row row = rows.computeIfAbsent(
                key, k -> new Row(kase, run.label(), run == cold ? null : kase + "|" + cold.label()));
        row.runs.add(run);
        if (row.runs.size() == 1) {
            // Later repetitions inherit memory the allocator kept from earlier ones; the first is the case alone.
            row.rssMiB = rssMiB;
        }
    }

    private void identical(String what, Run a, Run b) {
        boolean same = a.text().equals(b.text());
        int[] count = identity.computeIfAbsent(what, k -> new int[2]);
        count[0] += same ? 1 : 0;
        count[1]++;
        if (!same) {
            log.println("DIFFERENT OUTPUT for " + what + ":\n  " + a.text() + "\n  " + b.text());
        }
    }

    private void coldAndWarm(EngineConfig base) throws IOException {
        MessagesRequest first = prompts.a(List.of(), prompts.suffix(1));
        MessagesRequest second = prompts.a(List.of(), prompts.suffix(2));
        Run cold;
        Run warm;
        Peak.reset();
        try (EmbeddedBackend b = new EmbeddedBackend(base.withSlots(2), json, null)) {
            measure(b, "A + suffix 1 (fills the slot)", first);
            warm = measure(b, "A + suffix 2, warm", second);
        }
        long warmRss = Peak.mib();
        Peak.reset();
        try (EmbeddedBackend b = new EmbeddedBackend(base.withSlots(2), json, null)) {
            cold = measure(b, "A + suffix 2, cold", second);
        }
        long coldRss = Peak.mib();
        row("1 cold vs warm", cold, cold, coldRss);
        row("1 cold vs warm", warm, cold, warmRss);
        identical("case 1, warm vs cold", warm, cold);
    }

    private void alternating(EngineConfig base) throws IOException {
        Peak.reset();
        List<Message> historyA = new ArrayList<>();
        List<Message> historyB = new ArrayList<>();
        Run lastA = null;
        Run lastB = null;
        MessagesRequest lastRequestA = null;
        MessagesRequest lastRequestB = null;
        List<Run> runs = new ArrayList<>();
        try (EmbeddedBackend b = new EmbeddedBackend(base.withSlots(2), json, null)) {
            for (int turn = 1; turn <= 3; turn++) {
                lastRequestA = prompts.a(historyA, prompts.suffix(10 + turn));
                lastA = measure(b, "main agent turn " + turn, lastRequestA);
                runs.add(lastA);
                historyA.addAll(grow(lastRequestA, lastA));
                lastRequestB = prompts.b(historyB, prompts.suffix(20 + turn));
                lastB = measure(b, "sub-agent turn " + turn, lastRequestB);
                runs.add(lastB);
                historyB.addAll(grow(lastRequestB, lastB));
            }
            notes.put("case 2", "case 2 slot stats after the last repetition: " + b.slotStats());
        }
        long rss = Peak.mib();
        for (int i = 0; i < runs.size(); i++) {
            row("2 alternating prefixes", runs.get(i), runs.get(i % 2), rss);
        }
        try (EmbeddedBackend b = new EmbeddedBackend(base.withSlots(1), json, null)) {
            identical(
                    "case 2, main agent turn 3 vs recomputed",
                    lastA,
                    measure(b, "main agent turn 3, recomputed", lastRequestA));
            identical(
                    "case 2, sub-agent turn 3 vs recomputed",
                    lastB,
                    measure(b, "sub-agent turn 3, recomputed", lastRequestB));
        }
    }

    /** The messages a turn adds to its conversation: its last user message and the answer. */
    private static List<Message> grow(MessagesRequest r, Run answer) {
        Message asked = r.messages().getLast();
        String said = answer.text().isBlank() ? "(no answer)" : answer.text();
        return List.of(asked, new Message(Role.ASSISTANT, List.of(new ContentBlock.Text(said))));
    }

    private void restored(EngineConfig base, String tier) throws IOException {
        MessagesRequest a1 = prompts.a(List.of(), prompts.suffix(31));
        MessagesRequest b1 = prompts.b(List.of(), prompts.suffix(32));
        MessagesRequest a2 = prompts.a(List.of(), prompts.suffix(33));
        Run restored;
        Peak.reset();
        try (EmbeddedBackend b = new EmbeddedBackend(base.withSlots(1), json, null)) {
            measure(b, "A (" + tier + " case)", a1);
            measure(b, "B takes the only slot, A saved", b1);
            restored = measure(b, "A again, restored from " + tier, a2);
            SlotSnapshot s = b.slotStats().getFirst();
            notes.put(
                    "case 3 " + tier,
                    String.format(
                            Locale.ROOT,
                            "case 3 (%s): saves %d, restores %d, saved bytes RAM %d MiB, disk %d MiB",
                            tier,
                            s.saves(),
                            s.restores(),
                            s.savedRamBytes() >> 20,
                            s.savedDiskBytes() >> 20));
        }
        long rss = Peak.mib();
        Run recomputed;
        Peak.reset();
        try (EmbeddedBackend b = new EmbeddedBackend(base.withSlots(1), json, null)) {
            recomputed = measure(b, "A again, recomputed", a2);
        }
        long coldRss = Peak.mib();
        row("3 restore (" + tier + ") vs recompute", recomputed, recomputed, coldRss);
        row("3 restore (" + tier + ") vs recompute", restored, recomputed, rss);
        identical("case 3 (" + tier + "), restored vs recomputed", restored, recomputed);
    }

    /**
     * The engine's layout (one context, a KV stream per sequence) against llama.cpp's unified KV (both
     * sequences in one pool): prefill of B while A is resident, then a suffix on A.
     */
    private void sharedContext(EngineConfig base) throws IOException {
        NativeModel m = NativeModel.load(base.natives(), base.modelPath(), null);
        int[] a = m.tokenize(prompts.render(prompts.a(List.of(), prompts.suffix(41))));
        int[] b = m.tokenize(prompts.render(prompts.b(List.of(), prompts.suffix(42))));
        int[] suffix = m.tokenize(prompts.suffix(43));
        suffix = java.util.Arrays.copyOfRange(suffix, 1, suffix.length);
        int n = base.ctxPerSlot();
        double sepB;
        double sepWarm;
        NativeOptions o = base.natives();
        try (LlamaContext split =
                new LlamaContext(m, 2 * n, base.batch(), 2, base.threads(), o.flashAttention(), o.kvType(), false)) {
            split.decode(a, 0, a.length, 0, 0, null);
            sepB = timed(() -> split.decode(b, 0, b.length, 0, 1, null));
            int[] s = suffix;
            sepWarm = timed(() -> split.decode(s, 0, s.length, a.length, 0, null));
        }
        double uniB;
        double uniWarm;
        try (LlamaContext u =
                new LlamaContext(m, 2 * n, base.batch(), 2, base.threads(), o.flashAttention(), o.kvType(), true)) {
            u.decode(a, 0, a.length, 0, 0, null);
            uniB = timed(() -> u.decode(b, 0, b.length, 0, 1, null));
            int[] s = suffix;
            uniWarm = timed(() -> u.decode(s, 0, s.length, a.length, 0, null));
        }
        designChecks.add(new double[] {sepB, uniB, sepWarm, uniWarm});
        notes.put(
                "design",
                String.format(
                        Locale.ROOT,
                        "design check, %d-token prefix B filled while A (%d tokens) is"
                                + " resident, and a %d-token suffix on A afterwards:",
                        b.length,
                        a.length,
                        suffix.length));
    }

    private static double timed(Runnable r) {
        long t = STOPWATCH.nanoTime();
        r.run();
        return (STOPWATCH.nanoTime() - t) / 1e6;
    }

    private String report(Path model) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("Embedded engine benchmark, ")
                .append(LocalDate.ofInstant(STOPWATCH.instant(), ZoneId.systemDefault()))
                .append(", ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs (")
                .append(cpuName())
                .append("), ")
                .append(System.getProperty("java.vm.name"))
                .append(' ')
                .append(System.getProperty("java.version"))
                .append('\n');
        sb.append("model file ")
                .append(model.getFileName())
                .append(" (")
                .append(Files.size(model) >> 20)
                .append(" MiB), threads ")
                .append(options.threads())
                .append(", prefixes A ")
                .append(prompts.prefixA)
                .append(" and B ")
                .append(prompts.prefixB)
                .append(" tokens, suffix ")
                .append(options.suffixTokens())
                .append(" tokens, ")
                .append(options.outputTokens())
                .append(" tokens generated at temperature 0, prompt source ")
                .append(prompts.source)
                .append(". Times are medians of ")
                .append(options.repeat())
                .append(" repetitions (min-max in brackets); peak RSS is the "
                        + "process's peak during the case in the first")
                .append(" repetition, model and JVM included.\n\n");
        sb.append("| case | request | prompt tokens | reused | TTFT ms | total ms | TTFT vs cold | peak RSS MiB |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows.values()) {
            Run last = r.runs.getLast();
            double[] t = r.runs.stream().mapToDouble(Run::ttftMs).sorted().toArray();
            Row cold = r.coldKey == null ? null : rows.get(r.coldKey);
            sb.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %d | %.0f [%.0f-%.0f] | %.0f | %s | %d |%n",
                    r.kase,
                    r.label,
                    last.promptTokens(),
                    last.reused(),
                    r.ttft(),
                    t[0],
                    t[t.length - 1],
                    r.total(),
                    cold == null ? "cold" : String.format(Locale.ROOT, "1/%.1f", cold.ttft() / r.ttft()),
                    r.rssMiB));
        }
        sb.append('\n');
        for (String n : notes.values()) {
            sb.append("- ").append(n);
            if (n.startsWith("design check")) {
                double[] sep = designChecks.stream().mapToDouble(d -> d[0]).toArray();
                double[] uni = designChecks.stream().mapToDouble(d -> d[1]).toArray();
                double[] sepW = designChecks.stream().mapToDouble(d -> d[2]).toArray();
                double[] uniW = designChecks.stream().mapToDouble(d -> d[3]).toArray();
                sb.append(String.format(
                        Locale.ROOT,
                        " fill B in its own KV stream %.0f ms, in a unified KV pool with A"
                                + " %.0f ms (%.1fx); suffix on A, own stream %.0f ms, unified %.0f ms (%.1fx)",
                        median(sep),
                        median(uni),
                        median(uni) / median(sep),
                        median(sepW),
                        median(uniW),
                        median(uniW) / median(sepW)));
            }
            sb.append('\n');
        }
        for (Map.Entry<String, int[]> e : identity.entrySet()) {
            int[] c = e.getValue();
            sb.append("- ")
                    .append(e.getKey())
                    .append(": outputs ")
                    .append(c[0] == c[1] ? "identical" : "DIFFER")
                    .append(" in ")
                    .append(c[0])
                    .append(" of ")
                    .append(c[1])
                    .append(" repetitions\n");
        }
        return sb.toString();
    }

    private static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not Linux: the architecture is all we know.
        }
        return System.getProperty("os.arch");
    }

    /** Peak resident memory of this process (Linux), reset between cases. */
    private static final class Peak {
        static void reset() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            } catch (IOException | RuntimeException ignored) {
                // Not Linux or not allowed: the peak then covers the whole run so far.
            }
        }

        static long mib() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // Unknown.
            }
            return -1;
        }
    }
}
