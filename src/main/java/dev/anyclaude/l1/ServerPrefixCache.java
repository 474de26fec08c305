package dev.anyclaude.l1;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.prefix.SlotFigures;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The L1 prefix cache in front of a model server: the server's own KV cache does the reusing; this makes sure
 * it can (the prompts reach it normalized, so one conversation's prompt is a prefix of its next one and
 * sessions share their system prompt and tools), warms it, and shows what it reused.
 *
 * <p>Where a request runs is left to the server. Measured against llama.cpp v0.5.0 with Claude Code workloads
 * (docs/benchmarks.md, "L1 on the real llama.cpp server"): its own choice (the idle slot with the longest
 * common prefix, idle slots kept in its host-RAM prompt cache) reused as much as the best pinning did, and
 * pinning each conversation to a slot of its own ({@code id_slot}) processed up to 6.7× the prompt tokens:
 * under unified KV the server clears idle slots into its prompt cache, and a request pinned to an emptied slot
 * never looks there. So no {@code id_slot} is sent.
 *
 * <p>Warm-ups ({@link PrefixWarmer}) run only while no request is in flight.
 */
public final class ServerPrefixCache implements Backend {
    private final Backend server;
    private final String where;
    private final SlotFigures figures = new SlotFigures();
    private final PrefixWarmer warmer = new PrefixWarmer();

    private final Supplier<String> inlineSystem;

    public ServerPrefixCache(Backend server, String where) {
        this(server, where, () -> null);
    }

    /**
     * @param inlineSystem how mid-conversation system messages are sent now and why (shown in the figures), or a
     *     supplier of null
     */
    public ServerPrefixCache(Backend server, String where, Supplier<String> inlineSystem) {
        this.server = server;
        this.where = where;
        this.inlineSystem = inlineSystem;
    }

    /** Where the server is, e.g. {@code http://127.0.0.1:8080/v1}: the key of its figures among replicas. */
    public String where() {
        return where;
    }

    @Override
    public String name() {
        return server.name();
    }

    @Override
    public void generate(BackendRequest request, EventSink sink) throws IOException {
        warmer.requestStarted();
        UsageTap tap = new UsageTap(sink);
        try {
            server.generate(request, tap);
        } finally {
            try {
                if (tap.answered()) {
                    figures.request(tap.usage());
                }
            } finally {
                warmer.requestEnded();
            }
        }
    }

    /**
     * Prefills {@code request} (a saved request, normalized and routed) once in the background, so that the
     * first real request with its system prompt and tools finds them in the server's cache: one output token, as
     * the server has no prefill-only call (llama.cpp's {@code n_predict: 0} still samples one).
     */
    public void warmAtStartup(MessagesRequest request) {
        MessagesRequest once = request.withMaxTokens(1).withStream(false);
        warmer.submit("start-up warm", true, () -> {
            UsageTap tap = new UsageTap(event -> {});
            server.generate(new BackendRequest(once, null, "warm-start-up"), tap);
            figures.warm(tap.usage());
            return true;
        });
    }

    @Override
    public TokenCount countTokens(BackendRequest request) {
        return server.countTokens(request);
    }

    @Override
    public List<String> models() {
        return server.models();
    }

    @Override
    public Readiness readiness() {
        return server.readiness();
    }

    @Override
    public long contextTokens() {
        return server.contextTokens();
    }

    /** Its figures as the {@code l1} section of {@code /cache/stats}; {@code DELETE /cache} resets them. */
    public StatsSection stats() {
        return StatsSection.of("l1", this::snapshot, this::clear);
    }

    /** Requests, prompt tokens and reused tokens so far, what the warmer did, and where requests run. */
    public Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "placement",
                "the server's own: no id_slot is sent; it reuses the idle slot with the longest common"
                        + " prefix and keeps idle slots in its host-RAM prompt cache");
        String inline = inlineSystem.get();
        if (inline != null) {
            out.put("inline_system", inline);
        }
        out.put("totals", figures.snapshot());
        out.put("warm", warmer.figures());
        return out;
    }

    private Object clear() {
        warmer.discard();
        figures.reset();
        warmer.resetCounters();
        return Map.of("figures_reset", true);
    }

    /** Stops warming and closes the server client. */
    @Override
    public void close() {
        warmer.close();
        server.close();
    }
}
