package dev.anyclaude;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.EventJson;
import dev.anyclaude.api.GatewayOptions;
import dev.anyclaude.api.GatewayServer;
import dev.anyclaude.api.Json;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.OpenAiBackend;
import dev.anyclaude.backend.OpenAiConfig;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.observe.Operations;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import java.time.Duration;
import java.util.List;

/** A running gateway: the backend and the HTTP server, wired from {@link ServeOptions} with constructor calls. */
public final class Gateway implements AutoCloseable {
    private final Backend backend;
    private final GatewayServer server;
    private final Operations ops;
    private final int port;
    private final String host;

    private Gateway(Backend backend, GatewayServer server, Operations ops, String host, int port) {
        this.backend = backend;
        this.server = server;
        this.ops = ops;
        this.host = host;
        this.port = port;
    }

    /** Builds and starts a gateway; throws IllegalArgumentException for a bad setting. */
    public static Gateway start(ServeOptions o) {
        ObjectMapper mapper = Json.create();
        EventJson events = new EventJson(mapper);
        Operations ops = Operations.start(operations(o), o.host, mapper, events);
        Backend backend;
        try {
            backend = ops.guard(backend(o, mapper));
        } catch (RuntimeException e) {
            ops.close();
            throw e;
        }
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
        GatewayServer server = new GatewayServer(new RequestParser(mapper), events,
                new Normalizer(!o.noNormalize), router, backend, options, ops.observer(), ops::routes, ops.hooks());
        int port;
        try {
            port = server.start(o.host, o.port);
        } catch (RuntimeException e) {
            backend.close();
            ops.close();
            throw new IllegalArgumentException("cannot listen on " + o.host + ":" + o.port + ": " + e.getMessage(), e);
        }
        return new Gateway(backend, server, ops, o.host, port);
    }

    private static Operations.Settings operations(ServeOptions o) {
        return new Operations.Settings(o.apiKey, o.apiKeyFile, o.requestLog, o.logBodies, o.debug, o.debugDir,
                o.memoryWarning, o.memoryCritical, Duration.ofSeconds(o.memoryCheckSeconds), o.breakerFailures,
                Duration.ofSeconds(o.breakerCooldownSeconds));
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

    /** The backend as requests reach it (behind the circuit breaker unless --breaker-failures 0). */
    public Backend backend() {
        return backend;
    }

    /** Metrics, memory monitor and the rest of the operations side, for wiring caches and engines to it. */
    public Operations operations() {
        return ops;
    }

    List<String> describe() {
        return List.of("backend " + backend.name(), "listening " + url());
    }

    @Override
    public void close() {
        server.close();
        backend.close();
        ops.close();
    }
}
