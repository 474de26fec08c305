package dev.anyclaude.api;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.RequestObserver;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.messages.ToolCallJudge;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import dev.anyclaude.time.Clock;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.util.component.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP front of the gateway: Javalin on Jetty with virtual threads, and every route it serves. */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private final Javalin app;
    private final EventJson json;

    /**
     * Extra routes registered by other features (metrics, cache stats) through {@link Routes}, so that
     * this class does not need to know them.
     */
    public interface Routes {
        void add(HandlerType method, String path, io.javalin.http.Handler handler);
    }

    /** Decides whether a request's credentials ({@code x-api-key}, {@code Authorization}) let it in. */
    public interface Authenticator {
        boolean allows(String apiKeyHeader, String authorizationHeader);

        Authenticator OPEN = (apiKey, authorization) -> true;
    }

    /** Counts failures answered with an HTTP error status, by route label and kind. */
    public interface ErrorCounter {
        void count(String route, ErrorKind kind);

        ErrorCounter NONE = (route, kind) -> {};
    }

    /**
     * What the operations side plugs into the server: who may call it, how {@code /ready} learns readiness
     * (cheaply), and where HTTP failures are counted.
     */
    public record Hooks(Authenticator authenticator, Supplier<Backend.Readiness> readiness, ErrorCounter errors) {
        public static Hooks none(Backend backend) {
            return new Hooks(Authenticator.OPEN, backend::readiness, ErrorCounter.NONE);
        }
    }

    /** Paths that answer without credentials: probes from load balancers and Kubernetes carry none. */
    private static final java.util.Set<String> OPEN_PATHS = java.util.Set.of("/health", "/ready");

    private static final int INPUT_BUFFER_BYTES = 64 * 1024;

    private final ErrorCounter errors;
    private final MessagesEndpoint messages;

    /**
     * The parts of the request path as {@code Gateway} wires them; {@link MessagesEndpoint} lists the stages in order.
     */
    public record Stages(
            RequestParser parser,
            EventJson json,
            Normalizer normalizer,
            ConversationStreams streams,
            ResponseCache responses,
            ModelRouter router,
            Backend backend,
            RequestObserver observer,
            ToolCallJudge judge) {}

    public GatewayServer(
            Stages stages,
            GatewayOptions options,
            Hooks hooks,
            List<StatsSection> stats,
            ObjectMapper mapper,
            Consumer<Routes> extraRoutes,
            Clock clock) {
        this.json = stages.json();
        this.errors = hooks.errors();
        Backend backend = stages.backend();
        this.messages = new MessagesEndpoint(
                stages.parser(),
                json,
                stages.normalizer(),
                stages.streams(),
                stages.responses(),
                stages.router(),
                backend,
                options,
                stages.observer(),
                stages.judge(),
                clock);
        CountTokensEndpoint count =
                new CountTokensEndpoint(stages.parser(), json, stages.normalizer(), stages.router(), backend, options);
        ModelsEndpoint models = new ModelsEndpoint(json, stages.router(), backend);
        CacheStatsEndpoint cacheStats = new CacheStatsEndpoint(mapper, stats);
        DashboardEndpoint dashboard = new DashboardEndpoint(mapper, stats);
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            // Claude Code's requests are 15-80 KB: read them from the socket in 64 KB gulps, not Jetty's 8 KB.
            // Javalin creates its connector after these hooks run, so the size is set as the server starts.
            config.jetty.modifyServer(server -> server.addEventListener(new LifeCycle.Listener() {
                @Override
                public void lifeCycleStarting(LifeCycle event) {
                    for (Connector c : server.getConnectors()) {
                        HttpConnectionFactory http = c.getConnectionFactory(HttpConnectionFactory.class);
                        if (http != null) {
                            http.setInputBufferSize(INPUT_BUFFER_BYTES);
                        }
                    }
                }
            }));
            config.http.maxRequestSize = Long.MAX_VALUE; // bounded by HttpBodies with an Anthropic-shaped error
            config.routes.post("/v1/messages", messages::handle);
            config.routes.post("/v1/messages/count_tokens", count::handle);
            config.routes.get("/v1/models", models::list);
            config.routes.get("/v1/models/{id}", models::one);
            if (hooks.authenticator() != Authenticator.OPEN) {
                config.routes.before(ctx -> {
                    // a browser cannot send headers with a page or an EventSource: the dashboard also takes ?key=
                    String pageKey = ctx.path().startsWith("/dashboard") ? ctx.queryParam("key") : null;
                    if (!OPEN_PATHS.contains(ctx.path())
                            && !hooks.authenticator().allows(ctx.header("x-api-key"), ctx.header("authorization"))
                            && (pageKey == null || !hooks.authenticator().allows(pageKey, null))) {
                        throw new GatewayException(
                                ErrorKind.AUTHENTICATION,
                                ctx.path().startsWith("/dashboard")
                                        ? "missing or invalid API key (expected: /dashboard?key=KEY)"
                                        : "missing or invalid API key (expected: header x-api-key: KEY "
                                                + "or Authorization: Bearer KEY)");
                    }
                });
            }
            config.routes.head("/", ctx -> ctx.status(200));
            config.routes.get(
                    "/", ctx -> jsonOk(ctx, "{\"name\":\"anyclaude\",\"status\":\"ok\",\"dashboard\":\"/dashboard\"}"));
            for (String path : DashboardEndpoint.paths()) {
                config.routes.get(path, dashboard::file);
            }
            config.routes.get("/dashboard/events", dashboard.events());
            String health = health(mapper, backend);
            config.routes.get("/health", ctx -> jsonOk(ctx.header("Cache-Control", "no-store"), health));
            config.routes.head(
                    "/health", ctx -> ctx.header("Cache-Control", "no-store").status(200));
            config.routes.get(
                    "/ready",
                    ctx -> ready(ctx, backend.name(), hooks.readiness().get(), true));
            config.routes.head(
                    "/ready",
                    ctx -> ready(ctx, backend.name(), hooks.readiness().get(), false));
            config.routes.get("/cache/stats", cacheStats::stats);
            config.routes.delete("/cache", cacheStats::clear);
            extraRoutes.accept((method, path, handler) -> config.routes.addHttpHandler(method, path, handler));
            config.routes.exception(GatewayException.class, (e, ctx) -> {
                if (!recycled(ctx, e)) {
                    error(ctx, e.kind(), e.getMessage(), e.retryAfterSeconds());
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                if (recycled(ctx, e)) {
                    return;
                }
                log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, ErrorKind.INTERNAL, "internal error: " + e.getClass().getSimpleName(), -1);
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null
                        || ctx.result().isEmpty()
                        || ctx.result().startsWith("Endpoint")) {
                    error(ctx, ErrorKind.NOT_FOUND, "not found: " + ctx.method() + " " + ctx.path(), -1);
                }
            });
            config.routes.error(
                    405,
                    ctx -> error(
                            ctx, ErrorKind.NOT_FOUND, "method not allowed: " + ctx.method() + " " + ctx.path(), -1));
        });
    }

    /**
     * Whether the request is gone: a stopping server recycles requests under handlers that still run (the
     * dashboard's event stream), and Javalin then fails on the recycled response. There is no one left to answer,
     * and an exception handler must not fail there too: Javalin would queue it again, forever.
     */
    private static boolean recycled(Context ctx, Exception e) {
        try {
            ctx.req().getRequestURI();
            ctx.res().getStatus();
            return false;
        } catch (RuntimeException gone) {
            log.debug("a request ended under its handler (the server is stopping): {}", e.toString());
            return true;
        }
    }

    private static void ready(Context ctx, String backend, Backend.Readiness r, boolean withBody) {
        ctx.status(r.ready() ? 200 : 503).header("Cache-Control", "no-store");
        if (withBody) {
            ctx.contentType("application/json")
                    .result("{\"status\":\"" + (r.ready() ? "ready" : "not_ready") + "\",\"backend\":" + quote(backend)
                            + ",\"reason\":" + quote(r.reason()) + "}");
        }
    }

    /** {@code {"status":"ok"}}, with the engine when the model runs in this process. */
    private static String health(ObjectMapper mapper, Backend backend) {
        java.util.Map<String, Object> engine = backend.engineInfo();
        if (engine.isEmpty()) {
            return "{\"status\":\"ok\"}";
        }
        try {
            return mapper.writeValueAsString(java.util.Map.of("status", "ok", "engine", engine));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the health document", e);
        }
    }

    private static void jsonOk(Context ctx, String body) {
        ctx.status(200).contentType("application/json").result(body);
    }

    /** A JSON string literal for {@code s}. */
    static String quote(String s) {
        return s == null
                ? "null"
                : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    private void error(Context ctx, ErrorKind kind, String message, long retryAfter) {
        // A /v1/messages request that got its request-id has an open exchange, and the observer counts its
        // failure; everything else (bad input before that, other routes, 401, 404) is counted here.
        if (ctx.res().getHeader("request-id") == null) {
            errors.count(routeLabel(ctx), kind);
        }
        if (ctx.res().isCommitted()) {
            return;
        }
        if (retryAfter >= 0) {
            ctx.header("retry-after", Long.toString(retryAfter));
        }
        if (kind.retryable()) {
            ctx.header("x-should-retry", "true");
        }
        ctx.status(kind.status()).contentType("application/json").result(json.error(kind, message));
    }

    /** The matched route as a metric label ({@code /v1/messages} → {@code messages}); "other" when none matched. */
    private static String routeLabel(Context ctx) {
        io.javalin.router.Endpoint e = ctx.endpoints().matchedHttpEndpoint();
        if (e == null) {
            return "other";
        }
        String path = e.path.startsWith("/v1/") ? e.path.substring(4) : e.path.substring(1);
        return path.isEmpty() ? "root" : path;
    }

    /** Starts listening; returns the bound port (useful with port 0). */
    public int start(String host, int port) {
        app.start(host, port);
        return app.port();
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
        messages.close(Duration.ofSeconds(5));
    }
}
