package dev.anyclaude.observe;

import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StatsSection;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent requests, turn by turn, for {@code /cache/stats} → {@code requests} and the dashboard: per request
 * its conversation stream, prompt tokens split into reused and processed (as the backend reported them), time
 * to first token, output tokens and speed, the response cache's answer, how it ended, and — when its prompt left
 * the stream's previous one — where, in words; totals over a window. No prompt text: only counts and names.
 */
public final class RequestTimeline implements RequestListener, StatsSection {
    /** How many requests it keeps. */
    static final int KEEP = 300;

    private final InstantSource clock;
    private final Duration window;
    private final Deque<Row> rows = new ArrayDeque<>(KEEP);
    /** Per session: the agent fingerprint of its main agent (the first stream with tools), to label sub-agents. */
    private final Map<String, String> mainAgentOfSession = new HashMap<>();

    private long seq;

    public RequestTimeline(InstantSource clock, Duration window) {
        this.clock = clock;
        this.window = window;
    }

    /**
     * One finished request.
     *
     * @param kind main (the session's first agent with tools), sub-agent (another agent of the session), side (no
     *     tools: titles, summaries, safety checks), or request (no session)
     * @param ttftMs time to the first content token, -1 when none came
     * @param tokensPerSecond output speed while decoding, -1 when it cannot be told
     * @param cache the response cache's answer: hit, miss or off
     * @param outcome ok, client_error, error or cancelled; {@code errorKind} the Anthropic error type when not ok
     */
    public record Row(
            long seq,
            String id,
            String at,
            String stream,
            String session,
            String kind,
            String model,
            long promptTokens,
            long reusedTokens,
            long processedTokens,
            long ttftMs,
            long totalMs,
            long outputTokens,
            double tokensPerSecond,
            String cache,
            String outcome,
            String errorKind,
            String divergence) {}

    @Override
    public void finished(RequestRecord r) {
        var info = r.info();
        String session = info.session() == null || info.session().isBlank() ? null : info.session();
        String stream = info.streamKey() == null ? info.requestId() : info.streamKey();
        String agent = stream.contains("/") ? stream.substring(stream.indexOf('/') + 1) : stream;
        var u = r.usage();
        synchronized (this) {
            String kind = kind(info.request(), session, agent);
            Row row = new Row(
                    ++seq,
                    info.requestId(),
                    r.startedAt().toString(),
                    stream,
                    session,
                    kind,
                    info.backendModel(),
                    u.promptTokens(),
                    u.cacheReadInputTokens(),
                    u.inputTokens() + u.cacheCreationInputTokens(),
                    r.ttftNanos() < 0 ? -1 : r.ttftNanos() / 1_000_000,
                    r.totalNanos() / 1_000_000,
                    u.outputTokens(),
                    round(r.outputTokensPerSecond()),
                    r.cache(),
                    r.outcome(),
                    r.failure() == null ? null : r.failure().kind().type(),
                    info.divergence());
            if (rows.size() == KEEP) {
                rows.removeFirst();
            }
            rows.addLast(row);
        }
    }

    private String kind(MessagesRequest request, String session, String agent) {
        if (request == null || request.tools() == null || request.tools().isEmpty()) {
            return "side";
        }
        if (session == null) {
            return "request";
        }
        if (mainAgentOfSession.size() > 4 * KEEP) {
            mainAgentOfSession.clear(); // bounded: old sessions are long gone from the rows
        }
        String main = mainAgentOfSession.computeIfAbsent(session, s -> agent);
        return main.equals(agent) ? "main" : "sub-agent";
    }

    private static double round(double v) {
        return v < 0 ? -1 : Math.round(v * 10) / 10.0;
    }

    @Override
    public String name() {
        return "requests";
    }

    @Override
    public synchronized Object snapshot() {
        Instant since = clock.instant().minus(window);
        List<Row> all = new ArrayList<>(rows);
        List<Row> recent =
                all.stream().filter(r -> !Instant.parse(r.at()).isBefore(since)).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("window_seconds", window.toSeconds());
        out.put("totals", totals(recent));
        out.put("streams", streams(all));
        out.put("recent", all.size() > 100 ? all.subList(all.size() - 100, all.size()) : all);
        return out;
    }

    @Override
    public synchronized Object clear() {
        int n = rows.size();
        rows.clear();
        mainAgentOfSession.clear();
        return Map.of("requests_forgotten", n);
    }

    private static Map<String, Object> totals(List<Row> rows) {
        long prompt = 0;
        long reused = 0;
        long hits = 0;
        Map<String, Long> errors = new LinkedHashMap<>();
        List<Long> ttft = new ArrayList<>();
        for (Row r : rows) {
            prompt += r.promptTokens();
            reused += r.reusedTokens();
            if ("hit".equals(r.cache())) {
                hits++;
            }
            if (r.errorKind() != null) {
                errors.merge(r.errorKind(), 1L, Long::sum);
            }
            if (r.ttftMs() >= 0 && !"hit".equals(r.cache())) {
                ttft.add(r.ttftMs());
            }
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("requests", rows.size());
        t.put("prompt_tokens", prompt);
        t.put("reused_tokens", reused);
        t.put("processed_tokens", prompt - reused);
        t.put("reuse_ratio", prompt == 0 ? 0.0 : Math.round(1000.0 * reused / prompt) / 1000.0);
        t.put("l2_hits", hits);
        t.put("errors", errors);
        t.put("ttft_p50_ms", percentile(ttft, 50));
        t.put("ttft_p95_ms", percentile(ttft, 95));
        return t;
    }

    /** Nearest-rank percentile, -1 for no values. */
    static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] v = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, rank - 1)];
    }

    /** One line per conversation stream, most recently active first. */
    private static List<Map<String, Object>> streams(List<Row> rows) {
        Map<String, Map<String, Object>> by = new LinkedHashMap<>();
        for (Row r : rows) {
            Map<String, Object> s = by.computeIfAbsent(r.stream(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stream", k);
                m.put("session", r.session());
                m.put("kind", r.kind());
                m.put("requests", 0L);
                m.put("prompt_tokens", 0L);
                m.put("reused_tokens", 0L);
                m.put("diverged", 0L);
                return m;
            });
            s.merge("requests", 1L, (a, b) -> (Long) a + (Long) b);
            s.merge("prompt_tokens", r.promptTokens(), (a, b) -> (Long) a + (Long) b);
            s.merge("reused_tokens", r.reusedTokens(), (a, b) -> (Long) a + (Long) b);
            if (r.divergence() != null) {
                s.merge("diverged", 1L, (a, b) -> (Long) a + (Long) b);
                s.put("last_divergence", r.divergence());
            }
            s.put("last_seq", r.seq());
            s.put("last_at", r.at());
        }
        List<Map<String, Object>> out = new ArrayList<>(by.values());
        out.sort((a, b) -> Long.compare((Long) b.get("last_seq"), (Long) a.get("last_seq")));
        return out;
    }
}
