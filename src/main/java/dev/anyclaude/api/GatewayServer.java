package dev.anyclaude.api;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.function.Consumer;
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

    public GatewayServer(RequestParser parser, EventJson json, Normalizer normalizer, ConversationStreams streams,
            ResponseCache responses, ModelRouter router,
            Backend backend, GatewayOptions options, RequestObserver observer, List<StatsSection> stats,
            ObjectMapper mapper, Consumer<Routes> extraRoutes) {
        this.json = json;
        MessagesEndpoint messages = new MessagesEndpoint(parser, json, normalizer, streams, responses, router, backend, options,
                observer);
        CountTokensEndpoint count = new CountTokensEndpoint(parser, json, normalizer, router, backend, options);
        ModelsEndpoint models = new ModelsEndpoint(json, router, backend);
        CacheStatsEndpoint cacheStats = new CacheStatsEndpoint(mapper, stats);
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = Long.MAX_VALUE; // bounded by HttpBodies with an Anthropic-shaped error
            config.routes.post("/v1/messages", messages::handle);
            config.routes.post("/v1/messages/count_tokens", count::handle);
            config.routes.get("/v1/models", models::list);
            config.routes.get("/v1/models/{id}", models::one);
            config.routes.head("/", ctx -> ctx.status(200));
            config.routes.get("/", ctx -> jsonOk(ctx, "{\"name\":\"anyclaude\",\"status\":\"ok\"}"));
            config.routes.get("/health", ctx -> jsonOk(ctx, "{\"status\":\"ok\"}"));
            config.routes.get("/ready", ctx -> ready(ctx, backend));
            config.routes.get("/cache/stats", cacheStats::stats);
            config.routes.delete("/cache", cacheStats::clear);
            extraRoutes.accept((method, path, handler) -> config.routes.addHttpHandler(method, path, handler));
            config.routes.exception(GatewayException.class, (e, ctx) -> error(ctx, e.kind(), e.getMessage(),
                    e.retryAfterSeconds()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("unexpected failure on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, ErrorKind.INTERNAL, "internal error: " + e.getClass().getSimpleName(), -1);
            });
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty() || ctx.result().startsWith("Endpoint")) {
                    error(ctx, ErrorKind.NOT_FOUND, "not found: " + ctx.method() + " " + ctx.path(), -1);
                }
            });
            config.routes.error(405, ctx -> error(ctx, ErrorKind.NOT_FOUND,
                    "method not allowed: " + ctx.method() + " " + ctx.path(), -1));
        });
    }

    private static void ready(Context ctx, Backend backend) {
        Backend.Readiness r = backend.readiness();
        String body = "{\"status\":\"" + (r.ready() ? "ready" : "not_ready") + "\",\"backend\":\""
                + backend.name() + "\",\"reason\":" + quote(r.reason()) + "}";
        ctx.status(r.ready() ? 200 : 503).contentType("application/json").result(body);
    }

    private static void jsonOk(Context ctx, String body) {
        ctx.status(200).contentType("application/json").result(body);
    }

    /** A JSON string literal for {@code s}. */
    static String quote(String s) {
        return s == null ? "null" : "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    private void error(Context ctx, ErrorKind kind, String message, long retryAfter) {
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
    }

}
