package dev.anyclaude.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agent replay benchmark's report: per-turn tables, the per-turn time with normalization against
 * the same turn without it (where the changing billing line leaves nothing to reuse), and peak memory,
 * as Markdown.
 */
final class AgentReplayReport {
    private final StringBuilder out = new StringBuilder();
    private final Map<String, Long> peakRss = new LinkedHashMap<>();

    void line(String text) {
        out.append(text).append('\n');
    }

    void peak(String kase, long mib) {
        peakRss.put(kase, mib);
    }

    /**
     * The main agent with normalization on and off, turn by turn, and the summary ratio.
     *
     * @return the median of (time with reuse / time without) over turns 2..N, for the exit status
     */
    double onOff(List<AgentReplayTurn> on, List<AgentReplayTurn> off, double target) {
        line("| turn | prompt tokens | reused (on) | reuse ratio (on) | "
                + "/cache/stats ratio (on) | TTFT on ms | total on ms"
                + " | reused (off) | TTFT off ms | total off ms | on / off |");
        line("|---|---|---|---|---|---|---|---|---|---|---|");
        List<Double> ratios = new ArrayList<>();
        List<Double> onTimes = new ArrayList<>();
        List<Double> offTimes = new ArrayList<>();
        for (int i = 0; i < on.size(); i++) {
            AgentReplayTurn a = on.get(i);
            AgentReplayTurn b = off.get(i);
            double r = a.totalMs() / b.totalMs();
            if (a.turn() > 1) {
                ratios.add(r);
                onTimes.add(a.totalMs());
                offTimes.add(b.totalMs());
            }
            line(String.format(
                    Locale.ROOT,
                    "| %d | %d | %d | %.3f | %s | %.0f | %.0f | %d | %.0f | %.0f | %s |",
                    a.turn(),
                    a.promptTokens(),
                    a.reusedTokens(),
                    a.reuseRatio(),
                    ratio(a.statsReuseRatio()),
                    a.firstTokenMs(),
                    a.totalMs(),
                    b.reusedTokens(),
                    b.firstTokenMs(),
                    b.totalMs(),
                    a.turn() == 1 ? "(both cold)" : fraction(r)));
        }
        double median = median(ratios);
        double worst = ratios.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        line("");
        line(String.format(
                Locale.ROOT,
                "Turns 2-%d: median time per turn %.0f ms with normalization, %.0f ms without"
                        + " (no reuse); median ratio %s, worst turn %s; target at most 1/%.0f: %s.",
                on.size(),
                median(onTimes),
                median(offTimes),
                fraction(median),
                fraction(worst),
                1 / target,
                median <= target ? "met" : "NOT met"));
        line(String.format(
                Locale.ROOT,
                "Reuse with normalization, turns 2-%d: lowest %.3f (usage), lowest %.3f (/cache/stats);"
                        + " without: highest %.3f.",
                on.size(),
                lowest(on, false),
                lowest(on, true),
                highest(off)));
        return median;
    }

    /** The main agent and its sub-agent interleaved: each stream's turns. */
    void interleaved(List<AgentReplayTurn> turns) {
        line("| request | stream | turn | slot | prompt tokens | reused | "
                + "reuse ratio | /cache/stats ratio | TTFT ms | total ms |");
        line("|---|---|---|---|---|---|---|---|---|---|");
        int n = 0;
        for (AgentReplayTurn t : turns) {
            line(String.format(
                    Locale.ROOT,
                    "| %d | %s | %d | %d | %d | %d | %.3f | %s | %.0f | %.0f |",
                    ++n,
                    t.agent(),
                    t.turn(),
                    t.slot(),
                    t.promptTokens(),
                    t.reusedTokens(),
                    t.reuseRatio(),
                    ratio(t.statsReuseRatio()),
                    t.firstTokenMs(),
                    t.totalMs()));
        }
        line("");
        for (String agent : List.of("main", "sub")) {
            List<AgentReplayTurn> mine =
                    turns.stream().filter(t -> t.agent().equals(agent)).toList();
            List<Double> later = mine.stream()
                    .filter(t -> t.turn() > 1)
                    .map(AgentReplayTurn::totalMs)
                    .toList();
            if (later.isEmpty()) {
                line(String.format(
                        Locale.ROOT,
                        "- %s: one turn, %.0f ms.",
                        agent,
                        mine.getFirst().totalMs()));
                continue;
            }
            line(String.format(
                    Locale.ROOT,
                    "- %s: first turn %.0f ms, later turns median %.0f ms (%s of its first),"
                            + " lowest reuse ratio from turn 2 on %.3f.",
                    agent,
                    mine.getFirst().totalMs(),
                    median(later),
                    fraction(median(later) / mine.getFirst().totalMs()),
                    lowest(mine, false)));
        }
    }

    String render() {
        StringBuilder sb = new StringBuilder(out);
        sb.append('\n')
                .append("Peak resident memory of the benchmark process (gateway, engine and client in one JVM):");
        peakRss.forEach((k, v) -> sb.append(' ')
                .append(k)
                .append(' ')
                .append(v < 0 ? "unknown" : v + " MiB")
                .append(';'));
        sb.setLength(sb.length() - 1);
        return sb.append(".\n").toString();
    }

    private static double lowest(List<AgentReplayTurn> turns, boolean stats) {
        return turns.stream()
                .filter(t -> t.turn() > 1)
                .mapToDouble(t -> stats ? t.statsReuseRatio() : t.reuseRatio())
                .min()
                .orElse(Double.NaN);
    }

    private static double highest(List<AgentReplayTurn> turns) {
        return turns.stream()
                .filter(t -> t.turn() > 1)
                .mapToDouble(AgentReplayTurn::reuseRatio)
                .max()
                .orElse(Double.NaN);
    }

    private static String ratio(double r) {
        return Double.isNaN(r) ? "n/a" : String.format(Locale.ROOT, "%.3f", r);
    }

    static String fraction(double r) {
        return Double.isNaN(r) || r <= 0 ? "n/a" : String.format(Locale.ROOT, "1/%.1f", 1 / r);
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length == 0
                ? Double.NaN
                : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The machine, for the report's header: CPUs and their model, load average, Java. */
    static String machine() {
        String cpu = System.getProperty("os.arch");
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst()
                    .orElse(cpu);
        } catch (IOException | RuntimeException ignored) {
            // Not Linux: the architecture is all we know.
        }
        return String.format(
                Locale.ROOT,
                "%d CPUs (%s), %s %s",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
    }

    /** The 1-, 5- and 15-minute load averages (Linux), or "unknown". */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return String.join(" ", Arrays.copyOf(f, 3));
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
