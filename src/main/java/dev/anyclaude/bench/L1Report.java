package dev.anyclaude.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The L1 benchmark's Markdown: per workload, one summary row per setup (wall time, prompt tokens the server
 * processed, both against the server alone; reuse from turn 2 of each stream; time to first token) and the
 * per-request detail (time to first token, reused / prompt tokens).
 */
final class L1Report {
    private final StringBuilder out = new StringBuilder();
    private final List<String> notes = new ArrayList<>();

    L1Report(String command, Path model, Path server, String serverArgs, String launchArgs, String upstreamArgs) {
        line("## L1 on the real llama.cpp server (" + L1Command.now() + ")");
        line("");
        line("Command: `" + command + "`  ");
        line("Machine: " + AgentReplayReport.machine() + "; load average before: " + AgentReplayReport.load() + ".  ");
        line("Server: `" + server + "`; model `" + model.getFileName() + "`.  ");
        line("Flags: (a), (c), (d) run llama-server with its defaults" + (serverArgs.isBlank() ? "" : " plus `" + serverArgs + "`")
                + "; (b) runs the flags `--launch` chooses" + (launchArgs.isBlank() ? "" : " with `" + launchArgs + "`")
                + (upstreamArgs.isBlank() ? "" : "; (c) with `" + upstreamArgs + "`") + ". Every setup starts from a"
                + " fresh server; prompt tokens processed are the server's `llamacpp:prompt_tokens_total`.");
        line("");
    }

    void note(String text) {
        notes.add(text);
    }

    void workload(L1Workload w, List<L1Command.Run> runs) {
        line("### " + w.name() + ": " + w.description());
        line("");
        line("| setup | wall s | wall ×(a) | prompt tokens processed | tokens ×(a) | reused (server) | usage agrees | reuse from turn 2, min | turns ≥ 95 % | TTFT p50 ms | errors |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        L1Command.Run a = runs.stream().filter(r -> r.setup().equals("server")).findFirst().orElse(null);
        for (L1Command.Run r : runs) {
            Reuse reuse = reuse(r.turns());
            long usageReused = r.turns().stream().mapToLong(L1Client.Turn::reusedTokens).sum();
            long errors = r.turns().stream().filter(t -> t.error() != null).count();
            line(String.format(Locale.ROOT, "| %s | %.1f | %s | %,d | %s | %,d | %s | %s | %d / %d | %.0f | %d |",
                    L1Command.labels().get(r.setup()), r.wallMs() / 1000, ratio(r.wallMs(), a == null ? 0 : a.wallMs()),
                    r.processed(), ratio(r.processed(), a == null ? 0 : a.processed()), r.cached(),
                    usageReused == r.cached() ? "yes" : String.format(Locale.ROOT, "%,d", usageReused),
                    reuse.count == 0 ? "-" : String.format(Locale.ROOT, "%.3f", reuse.min), reuse.atLeast95, reuse.count,
                    percentile(r.turns(), 0.5), errors));
        }
        line("");
        detail(runs);
        for (L1Command.Run r : runs) {
            r.turns().stream().filter(t -> t.error() != null).limit(3).forEach(t -> line("- " + r.setup() + " " + t.agent()
                    + " turn " + t.turn() + ": " + t.error()));
        }
        line("");
    }

    /** Per request: time to first token and reused / prompt tokens, one column per setup. */
    private void detail(List<L1Command.Run> runs) {
        line("<details><summary>per request: time to first token (ms), reused / prompt tokens</summary>");
        line("");
        StringBuilder head = new StringBuilder("| # | lane | agent | turn |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|");
        for (L1Command.Run r : runs) {
            head.append(' ').append(r.setup()).append(" |");
            rule.append("---|");
        }
        line(head.toString());
        line(rule.toString());
        int n = runs.isEmpty() ? 0 : runs.getFirst().turns().size();
        for (int i = 0; i < n; i++) {
            L1Client.Turn t0 = runs.getFirst().turns().get(i);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "| %d | %d | %s | %d |", i + 1, t0.lane(),
                    t0.agent(), t0.turn()));
            for (L1Command.Run r : runs) {
                L1Client.Turn t = i < r.turns().size() ? r.turns().get(i) : null;
                row.append(t == null || t.error() != null ? " error |" : String.format(Locale.ROOT, " %.0f · %,d / %,d |",
                        t.firstTokenMs(), t.reusedTokens(), t.promptTokens()));
            }
            line(row.toString());
        }
        line("");
        line("</details>");
        line("");
    }

    /** Per stream (lane + agent), from turn 2: the share of the previous prompt this one reused. */
    record Reuse(int count, int atLeast95, double min) {}

    static Reuse reuse(List<L1Client.Turn> turns) {
        Map<String, Long> previous = new HashMap<>();
        int count = 0;
        int ok = 0;
        double min = Double.MAX_VALUE;
        for (L1Client.Turn t : turns) {
            String stream = t.lane() + "/" + t.agent();
            Long prev = previous.get(stream);
            if (prev != null && prev > 0 && t.error() == null) {
                double share = Math.min(1.0, (double) t.reusedTokens() / prev);
                count++;
                ok += share >= 0.95 ? 1 : 0;
                min = Math.min(min, share);
            }
            if (t.error() == null) {
                previous.put(stream, t.promptTokens());
            }
        }
        return new Reuse(count, ok, count == 0 ? Double.NaN : min);
    }

    private static double percentile(List<L1Client.Turn> turns, double p) {
        double[] v = turns.stream().filter(t -> t.error() == null).mapToDouble(L1Client.Turn::firstTokenMs).sorted().toArray();
        return v.length == 0 ? Double.NaN : v[Math.min(v.length - 1, (int) Math.floor(p * v.length))];
    }

    private static String ratio(double value, double base) {
        return base <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", value / base);
    }

    String render() {
        if (!notes.isEmpty()) {
            line("Notes:");
            notes.forEach(n -> line("- " + n));
            line("");
        }
        return out.toString();
    }

    private void line(String s) {
        out.append(s).append('\n');
    }
}
