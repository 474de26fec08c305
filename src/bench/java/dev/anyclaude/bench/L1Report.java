package dev.anyclaude.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The L1 benchmark's Markdown: per workload, one summary row per setup (wall time and prompt tokens the server
 * processed, both against the server alone; the server's own busy seconds; reuse from turn 2 of each stream;
 * time to first token) and the per-request detail (time to first token, reused / prompt tokens); at the end, the
 * issue's targets checked against these figures.
 */
final class L1Report {
    private final StringBuilder out = new StringBuilder();
    private final List<String> notes = new ArrayList<>();
    private final List<String> checks = new ArrayList<>();

    L1Report(String command, Path model, Path server, String serverArgs, String launchArgs, String upstreamArgs) {
        line("## L1 on the real llama.cpp server (" + L1Command.now() + ")");
        line("");
        line("Command: `" + command + "`  ");
        line("Machine: " + AgentReplayReport.machine() + "; load average before: " + AgentReplayReport.load() + ".  ");
        line("Server: `" + server + "`; model `" + model.getFileName() + "`.  ");
        line("Flags: (a), (c), (d) run llama-server with its defaults"
                + (serverArgs.isBlank() ? "" : " plus `" + serverArgs + "`")
                + "; (b) runs the flags `--launch` chooses" + (launchArgs.isBlank() ? "" : " with `" + launchArgs + "`")
                + (upstreamArgs.isBlank() ? "" : "; (c) with `" + upstreamArgs + "`") + ". Every run starts from a"
                + " fresh server; prompt tokens processed are the server's `llamacpp:prompt_tokens_total`, server busy"
                + " time its `prompt_seconds_total + tokens_predicted_seconds_total`, front CPU the CPU time of the"
                + " gateway or router process over the run (each gets 40 tiny "
                + "warm-up requests first). With several runs,"
                + " times are medians (range in brackets).");
        line("");
    }

    void note(String text) {
        notes.add(text);
    }

    void workload(L1Workload w, List<L1Command.Result> results) {
        line("### " + w.name() + ": " + w.description());
        line("");
        line("| setup | wall s | wall ×(a) | prompt tokens processed | "
                + "tokens ×(a) | reused (server) | prompt tokens the server saw "
                + "| usage agrees | server busy s | front CPU s | reuse from "
                + "turn 2, min | turns ≥ 95 % | TTFT p50 ms | errors |");
        line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        L1Command.Result a = results.stream()
                .filter(r -> r.setup().equals("server"))
                .findFirst()
                .orElse(null);
        double aWall = a == null
                ? 0
                : median(a.runs().stream().mapToDouble(L1Command.Run::wallMs).toArray());
        double aTokens = a == null
                ? 0
                : median(a.runs().stream().mapToDouble(L1Command.Run::processed).toArray());
        for (L1Command.Result result : results) {
            L1Command.Run r = result.median();
            double[] walls =
                    result.runs().stream().mapToDouble(L1Command.Run::wallMs).toArray();
            double[] busy = result.runs().stream()
                    .mapToDouble(L1Command.Run::serverSeconds)
                    .toArray();
            double[] front = result.runs().stream()
                    .mapToDouble(L1Command.Run::gatewayCpuSeconds)
                    .toArray();
            double[] tokens =
                    result.runs().stream().mapToDouble(L1Command.Run::processed).toArray();
            double wall = median(walls);
            double processed = median(tokens);
            Reuse reuse = reuse(r.turns());
            long usageReused =
                    r.turns().stream().mapToLong(L1Client.Turn::reusedTokens).sum();
            long errors = result.runs().stream()
                    .flatMap(x -> x.turns().stream())
                    .filter(t -> t.error() != null)
                    .count();
            line(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %,d | %,d | %s | %s | %s | %s | %d / %d | %.0f | %d |",
                    L1Command.labels().get(result.setup()),
                    seconds(walls),
                    ratio(wall, aWall),
                    tokens(tokens),
                    ratio(processed, aTokens),
                    r.cached(),
                    r.processed() + r.cached(),
                    usageReused == r.cached() ? "yes" : String.format(Locale.ROOT, "%,d", usageReused),
                    secondsOf(busy),
                    front[0] < 0 ? "-" : secondsOf(front),
                    reuse.count == 0 ? "-" : String.format(Locale.ROOT, "%.3f", reuse.min),
                    reuse.atLeast95,
                    reuse.count,
                    percentile(r.turns(), 0.5),
                    errors));
            if (a != null && result != a && !result.setup().equals("ccr")) {
                check(w, result.setup(), processed / aTokens, wall / aWall, reuse);
            }
        }
        line("");
        detail(results);
        for (L1Command.Result result : results) {
            result.runs().stream()
                    .flatMap(x -> x.turns().stream())
                    .filter(t -> t.error() != null)
                    .limit(3)
                    .forEach(t ->
                            line("- " + result.setup() + " " + t.agent() + " turn " + t.turn() + ": " + t.error()));
        }
        line("");
    }

    /** The targets for (b) and (c) on this workload. */
    private void check(L1Workload w, String setup, double tokens, double wall, Reuse reuse) {
        boolean sessions = w.name().equals("sessions") && setup.equals("launch");
        double tokenTarget = sessions ? 0.6 : 1.0;
        double wallTarget = sessions ? 0.7 : 1.05;
        checks.add(String.format(
                Locale.ROOT,
                "| %s | %s | %.2f (≤ %.2f) %s | %.2f (≤ %.2f) %s | %s |",
                w.name(),
                L1Command.labels().get(setup),
                tokens,
                tokenTarget,
                tokens <= tokenTarget ? "met" : "**missed**",
                wall,
                wallTarget,
                wall <= wallTarget ? "met" : "**missed**",
                reuse.count == 0
                        ? "-"
                        : reuse.atLeast95 + " / " + reuse.count
                                + (reuse.atLeast95 == reuse.count ? " met" : " **missed**")));
    }

    /** Per request: time to first token and reused / prompt tokens, one column per setup (its median run). */
    private void detail(List<L1Command.Result> results) {
        line("<details><summary>per request: time to first token (ms) · "
                + "reused / prompt tokens (median run of each setup)</summary>");
        line("");
        StringBuilder head = new StringBuilder("| # | lane | agent | turn |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|");
        for (L1Command.Result r : results) {
            head.append(' ').append(r.setup()).append(" |");
            rule.append("---|");
        }
        line(head.toString());
        line(rule.toString());
        int n = results.isEmpty() ? 0 : results.getFirst().median().turns().size();
        for (int i = 0; i < n; i++) {
            L1Client.Turn t0 = results.getFirst().median().turns().get(i);
            StringBuilder row = new StringBuilder(
                    String.format(Locale.ROOT, "| %d | %d | %s | %d |", i + 1, t0.lane(), t0.agent(), t0.turn()));
            for (L1Command.Result r : results) {
                List<L1Client.Turn> turns = r.median().turns();
                L1Client.Turn t = i < turns.size() ? turns.get(i) : null;
                row.append(
                        t == null || t.error() != null
                                ? " error |"
                                : t.promptTokens() == 0
                                        ? String.format(Locale.ROOT, " %.0f · no usage |", t.firstTokenMs())
                                        : String.format(
                                                Locale.ROOT,
                                                " %.0f · %,d / %,d |",
                                                t.firstTokenMs(),
                                                t.reusedTokens(),
                                                t.promptTokens()));
            }
            line(row.toString());
        }
        line("");
        line("</details>");
        line("");
    }

    /** Per stream (lane + agent), from turn 2: the share of the previous prompt this one reused. */
    record Reuse(int count, int atLeast95, double min) {}

    /**
     * Reuse from turn 2 of each stream. A turn whose answer carried no usage (llama-server's own stream has none
     * when its first token is part of a character: no {@code message_start}) is left out, and so is the turn after
     * it, whose previous prompt is unknown.
     */
    static Reuse reuse(List<L1Client.Turn> turns) {
        Map<String, Long> previous = new HashMap<>();
        int count = 0;
        int ok = 0;
        double min = Double.MAX_VALUE;
        for (L1Client.Turn t : turns) {
            String stream = t.lane() + "/" + t.agent();
            Long prev = previous.remove(stream);
            boolean known = t.error() == null && t.promptTokens() > 0;
            if (prev != null && known) {
                double share = Math.min(1.0, (double) t.reusedTokens() / prev);
                count++;
                ok += share >= 0.95 ? 1 : 0;
                min = Math.min(min, share);
            }
            if (known) {
                previous.put(stream, t.promptTokens());
            }
        }
        return new Reuse(count, ok, count == 0 ? Double.NaN : min);
    }

    private static double percentile(List<L1Client.Turn> turns, double p) {
        double[] v = turns.stream()
                .filter(t -> t.error() == null)
                .mapToDouble(L1Client.Turn::firstTokenMs)
                .sorted()
                .toArray();
        return v.length == 0 ? Double.NaN : v[Math.min(v.length - 1, (int) Math.floor(p * v.length))];
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? 0 : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String seconds(double[] ms) {
        double[] s = new double[ms.length];
        for (int i = 0; i < ms.length; i++) {
            s[i] = ms[i] / 1000;
        }
        return secondsOf(s);
    }

    private static String secondsOf(double[] s) {
        if (s.length == 1) {
            return String.format(Locale.ROOT, "%.1f", s[0]);
        }
        double[] sorted = s.clone();
        java.util.Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.1f [%.1f–%.1f]", median(s), sorted[0], sorted[sorted.length - 1]);
    }

    private static String tokens(double[] t) {
        double[] sorted = t.clone();
        java.util.Arrays.sort(sorted);
        return sorted[0] == sorted[sorted.length - 1]
                ? String.format(Locale.ROOT, "%,.0f", sorted[0])
                : String.format(Locale.ROOT, "%,.0f [%,.0f–%,.0f]", median(t), sorted[0], sorted[sorted.length - 1]);
    }

    private static String ratio(double value, double base) {
        return base <= 0 ? "-" : String.format(Locale.ROOT, "%.2f", value / base);
    }

    String render() {
        if (!checks.isEmpty()) {
            line("### Targets");
            line("");
            line("Prompt tokens and wall time against (a), medians of the runs above; on the sessions workload (b) must"
                    + " beat (a) clearly, elsewhere (b) and (c) must not be worse. "
                    + "Reuse: turns from turn 2 of every stream"
                    + " that reused ≥ 95 % of their previous prompt.");
            line("");
            line("| workload | setup | prompt tokens ×(a) | wall ×(a) | reuse from turn 2 |");
            line("|---|---|---|---|---|");
            checks.forEach(this::line);
            line("");
        }
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
