package dev.anyclaude;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.EventJson;
import dev.anyclaude.api.GatewayOptions;
import dev.anyclaude.api.GatewayServer;
import dev.anyclaude.api.Json;
import dev.anyclaude.api.RequestObserver;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.api.StatsSection;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.OpenAiBackend;
import dev.anyclaude.backend.OpenAiConfig;
import dev.anyclaude.backend.launch.LaunchSpec;
import dev.anyclaude.backend.launch.LaunchedServer;
import dev.anyclaude.backend.launch.ServerKind;
import dev.anyclaude.cache.CachePolicy;
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.cache.ResponseCacheConfig;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import java.time.Duration;
import java.util.List;

/** A running gateway: the backend and the HTTP server, wired from {@link ServeOptions} with constructor calls. */
public final class Gateway implements AutoCloseable {
    private final Backend backend;
    private final GatewayServer server;
    private final ResponseCache responses;
    private final int port;
    private final String host;
    private final ModelRouter router;
    private final LaunchedServer launched;

    private Gateway(Backend backend, GatewayServer server, ResponseCache responses, String host, int port,
            ModelRouter router, LaunchedServer launched) {
        this.backend = backend;
        this.responses = responses;
        this.server = server;
        this.host = host;
        this.port = port;
        this.router = router;
        this.launched = launched;
    }

    /** Builds and starts a gateway; throws IllegalArgumentException for a bad setting. */
    public static Gateway start(ServeOptions o) {
        ObjectMapper mapper = Json.create();
        LaunchedServer launched = o.launch == null ? null : launch(o);
        Backend backend;
        try {
            backend = backend(o, launched, mapper);
        } catch (RuntimeException e) {
            if (launched != null) {
                launched.close();
            }
            throw e;
        }
        String main = launched != null && launched.servedModel() != null ? launched.servedModel() : o.model;
        if ("openai".equals(o.backend) && main == null && !backend.models().isEmpty()) {
            main = backend.models().getFirst();
        }
        if ("embedded".equals(o.backend)) {
            main = backend.models().isEmpty() ? main : backend.models().getFirst();
        }
        ModelRouter router = new ModelRouter(main, o.smallModel, o.aliases);
        GatewayOptions options = new GatewayOptions(o.maxBodyBytes, Duration.ofMillis(250),
                Duration.ofSeconds(Math.max(1, o.pingSeconds)), 3, Duration.ofSeconds(15));
        ConversationStreams streams = new ConversationStreams(512);
        ResponseCache responses = new ResponseCache(ResponseCacheConfig.defaults()
                .withPolicy(CachePolicy.parse(o.responseCache))
                .withMaxBytes(o.responseCacheBytes)
                .withTtl(Duration.ofSeconds(o.responseCacheTtlSeconds))
                .withRedis(o.redis));
        List<StatsSection> stats = List.of(responses, streams);
        GatewayServer server = new GatewayServer(new RequestParser(mapper), new EventJson(mapper),
                new Normalizer(!o.noNormalize), streams, responses, router, backend, options, RequestObserver.NONE,
                stats, mapper, routes -> {});
        int port;
        try {
            port = server.start(o.host, o.port);
        } catch (RuntimeException e) {
            backend.close();
            responses.close();
            if (launched != null) {
                launched.close();
            }
            throw new IllegalArgumentException("cannot listen on " + o.host + ":" + o.port + ": " + e.getMessage(), e);
        }
        return new Gateway(backend, server, responses, o.host, port, router, launched);
    }

    /** Starts the model server named by {@code --launch} (blocking until it is healthy). */
    private static LaunchedServer launch(ServeOptions o) {
        if (!"openai".equals(o.backend)) {
            throw new IllegalArgumentException("--launch: needs --backend openai (the launched server is the upstream)");
        }
        return LaunchedServer.start(new LaunchSpec(ServerKind.parse(o.launch), o.serverBin, o.model, o.ctx, o.slots,
                o.serverPort, o.serverArgs, o.serverLog, o.slotDir, o.toolParser,
                Duration.ofSeconds(o.serverReadyTimeoutSeconds)), System.err);
    }

    private static Backend backend(ServeOptions o, LaunchedServer launched, ObjectMapper mapper) {
        return switch (o.backend) {
            case "openai" -> {
                String upstream = launched != null ? launched.baseUrl().toString() : o.upstream;
                if (upstream == null) {
                    throw new IllegalArgumentException("--upstream: missing (expected: the model server's URL, e.g. http://127.0.0.1:8080, or --launch)");
                }
                Flavor flavor = launched != null && "auto".equals(o.flavor) ? launched.flavor() : Flavor.parse(o.flavor);
                long ctx = o.ctx == 0 && launched != null ? launched.contextTokens() : o.ctx;
                OpenAiBackend b = new OpenAiBackend(new OpenAiConfig(OpenAiConfig.normalizeBase(upstream), o.upstreamKey,
                        flavor, ctx, Duration.ofSeconds(5), Duration.ofSeconds(o.upstreamTimeoutSeconds),
                        o.foldInlineSystem), mapper);
                b.probe();
                yield b;
            }
            default -> throw new IllegalArgumentException("--backend: " + o.backend + " (expected: openai or embedded)");
        };
    }

    public int port() {
        return port;
    }

    public String url() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + h + ":" + port;
    }

    public Backend backend() {
        return backend;
    }

    /** The backend model ordinary requests go to, or null when requests pass their model through. */
    public String mainModel() {
        return router.mainModel();
    }

    /** The backend model haiku-class (small/fast) requests go to. */
    public String smallModel() {
        return router.smallModel();
    }

    /** The model server started with {@code --launch}, or null. */
    public LaunchedServer launched() {
        return launched;
    }

    List<String> describe() {
        return List.of("backend " + backend.name(), "listening " + url());
    }

    @Override
    public void close() {
        server.close();
        responses.close();
        backend.close();
        if (launched != null) {
            launched.close();
        }
    }
}
