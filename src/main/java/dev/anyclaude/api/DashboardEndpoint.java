package dev.anyclaude.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.messages.StatsSection;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /dashboard}: a page to leave open beside Claude Code — the backend, each conversation stream and its
 * requests (reused vs processed prompt tokens, time to first token, speed, L2, errors, why a turn re-prefilled),
 * totals and memory. Its figures are {@code /cache/stats}, pushed once a second over server-sent events ({@code
 * /dashboard/events}); the page and uPlot (its charts) come from the jar, so it needs no network.
 */
final class DashboardEndpoint {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DashboardEndpoint.class);
    /** How often the page gets the figures. */
    static final Duration EVERY = Duration.ofSeconds(1);

    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String[]> FILES = Map.of(
            "/dashboard", new String[] {"/dashboard/index.html", "text/html; charset=utf-8"},
            "/dashboard/app.js", new String[] {"/dashboard/app.js", "text/javascript; charset=utf-8"},
            "/dashboard/app.css", new String[] {"/dashboard/app.css", "text/css; charset=utf-8"},
            "/dashboard/uPlot.iife.min.js",
                    new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/dashboard/uPlot.min.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private final ObjectMapper mapper;
    private final List<StatsSection> sections;
    private final Map<String, byte[]> loaded;

    DashboardEndpoint(ObjectMapper mapper, List<StatsSection> sections) {
        this.mapper = mapper;
        this.sections = List.copyOf(sections);
        this.loaded = new java.util.HashMap<>();
        FILES.forEach((path, file) -> loaded.put(path, read(file[0])));
    }

    private static byte[] read(String resource) {
        try (InputStream in = DashboardEndpoint.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing from the jar: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The paths it serves besides the event stream. */
    static List<String> paths() {
        return FILES.keySet().stream().sorted().toList();
    }

    void file(Context ctx) {
        String[] file = FILES.get(ctx.path());
        ctx.status(200).contentType(file[1]).header("Cache-Control", "no-cache").result(loaded.get(ctx.path()));
    }

    /** The event stream: the figures at once, then every {@link #EVERY} until the page goes away. */
    SseHandler events() {
        return new SseHandler(this::push);
    }

    private void push(SseClient client) {
        client.ctx().header("Cache-Control", "no-store");
        try {
            while (!client.terminated()) {
                client.sendEvent("stats", mapper.writeValueAsString(StatsSection.document(sections)));
                Thread.sleep(EVERY.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the gateway stops
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            log.warn("dashboard: cannot write the figures: {}", e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.debug("dashboard: event stream ended: {}", e.toString()); // the page went away
        }
    }
}
