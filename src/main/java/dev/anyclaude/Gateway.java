package dev.anyclaude;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.EventJson;
import dev.anyclaude.api.GatewayOptions;
import dev.anyclaude.api.GatewayServer;
import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.Json;
import dev.anyclaude.api.RequestObserver;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.api.StatsSection;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.OpenAiBackend;
import dev.anyclaude.backend.OpenAiConfig;
import dev.anyclaude.cache.CachePolicy;
import dev.anyclaude.cache.PrefixCacheSettings;
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.cache.ResponseCacheConfig;
import dev.anyclaude.cache.ServerPrefixCache;
import dev.anyclaude.cache.WarmFile;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/** A running gateway: the backend and the HTTP server, wired from {@link ServeOptions} with constructor calls. */
public final class Gateway implements AutoCloseable {
    private final Backend backend;
    private final ServerPrefixCache l1;
    private final GatewayServer server;
    private final ResponseCache responses;
    private final int port;
    private final String host;

    private Gateway(Backend backend, ServerPrefixCache l1, GatewayServer server, ResponseCache responses, String host,
            int port) {
        this.backend = backend;
        this.l1 = l1;
        this.responses = responses;
        this.server = server;
        this.host = host;
        this.port = port;
    }

    /** Builds and starts a gateway; throws IllegalArgumentException for a bad setting. */
    public static Gateway start(ServeOptions o) {
        ObjectMapper mapper = Json.create();
        Backend backend = backend(o, mapper);
        String main = o.model;
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
        RequestParser parser = new RequestParser(mapper);
        Normalizer normalizer = new Normalizer(!o.noNormalize);
        ServerPrefixCache l1;
        try {
            l1 = prefixCache(o, backend, parser, normalizer, router);
        } catch (RuntimeException e) {
            responses.close();
            backend.close();
            throw e;
        }
        List<StatsSection> stats = l1 == null ? List.of(responses, streams) : List.of(responses, streams, l1);
        GatewayServer server = new GatewayServer(parser, new EventJson(mapper), normalizer, streams, responses, router,
                backend, options, RequestObserver.NONE, stats, mapper, routes -> {});
        int port;
        try {
            port = server.start(o.host, o.port);
        } catch (RuntimeException e) {
            if (l1 != null) {
                l1.close();
            }
            backend.close();
            responses.close();
            throw new IllegalArgumentException("cannot listen on " + o.host + ":" + o.port + ": " + e.getMessage(), e);
        }
        return new Gateway(backend, l1, server, responses, o.host, port);
    }

    /** The L1 prefix cache of an OpenAI-compatible backend (slots on llama.cpp), with its start-up warm queued. */
    private static ServerPrefixCache prefixCache(ServeOptions o, Backend backend, RequestParser parser,
            Normalizer normalizer, ModelRouter router) {
        if (!(backend instanceof OpenAiBackend openai)) {
            return null;
        }
        MessagesRequest warm = o.warmFile == null ? null : WarmFile.read(o.warmFile, parser, normalizer);
        ServerPrefixCache l1 = ServerPrefixCache.forBackend(openai, new PrefixCacheSettings(o.llamaSlots, o.slotSaveDir,
                o.slotSaveBytes, Duration.ofSeconds(o.slotSaveTtlSeconds), Duration.ofSeconds(o.slotWaitSeconds),
                !o.noAgentWarm), InstantSource.system());
        if (warm != null) {
            l1.warmAtStartup(warm.withModel(router.resolve(warm.model())));
        }
        return l1;
    }

    private static Backend backend(ServeOptions o, ObjectMapper mapper) {
        return switch (o.backend) {
            case "openai" -> {
                if (o.upstream == null) {
                    throw new IllegalArgumentException("--upstream: missing (expected: the model server's URL, e.g. http://127.0.0.1:8080)");
                }
                OpenAiBackend b = new OpenAiBackend(new OpenAiConfig(OpenAiConfig.normalizeBase(o.upstream), o.upstreamKey,
                        Flavor.parse(o.flavor), o.ctx, Duration.ofSeconds(5), Duration.ofSeconds(o.upstreamTimeoutSeconds),
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

    List<String> describe() {
        return List.of("backend " + backend.name(), "listening " + url());
    }

    @Override
    public void close() {
        server.close();
        if (l1 != null) {
            l1.close();
        }
        responses.close();
        backend.close();
    }
}
