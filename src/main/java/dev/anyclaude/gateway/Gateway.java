package dev.anyclaude.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.GatewayOptions;
import dev.anyclaude.api.GatewayServer;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.OpenAiBackend;
import dev.anyclaude.backend.OpenAiConfig;
import dev.anyclaude.backend.embedded.EmbeddedBackend;
import dev.anyclaude.backend.launch.LaunchSpec;
import dev.anyclaude.backend.launch.LaunchedServer;
import dev.anyclaude.backend.launch.SupervisedBackend;
import dev.anyclaude.cache.CachePolicy;
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.cache.ResponseCacheConfig;
import dev.anyclaude.cache.ResponseCacheStats;
import dev.anyclaude.cli.LoadProgress;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.Accelerator;
import dev.anyclaude.engine.EngineConfig;
import dev.anyclaude.engine.NativeOptions;
import dev.anyclaude.l1.ServerPrefixCache;
import dev.anyclaude.l1.WarmFile;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.Json;
import dev.anyclaude.messages.MessagesRequest;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.messages.ToolCallJudge;
import dev.anyclaude.observe.GatewayMetrics;
import dev.anyclaude.observe.MemoryProbe;
import dev.anyclaude.observe.Operations;
import dev.anyclaude.observe.Relief;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import dev.anyclaude.route.ModelRouter;
import dev.anyclaude.route.ReplicaSet;
import dev.anyclaude.safeguard.Safeguards;
import dev.anyclaude.time.Clock;
import io.javalin.http.HandlerType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A running gateway — the model server it launched (if any), the backend, the caches, the operations
 * side and the HTTP server — wired from {@link ServeOptions} with constructor calls, and closed in the
 * reverse order of creation.
 */
public final class Gateway implements AutoCloseable {
    private final Deque<AutoCloseable> closeInReverse;
    private final Backend backend;
    private final Operations ops;
    private final ModelRouter router;
    private final LaunchedServer launched;
    private final String host;
    private final int port;

    private Gateway(Deque<AutoCloseable> closeInReverse, Backend backend, Operations ops, ModelRouter router,
            LaunchedServer launched, String host, int port) {
        this.closeInReverse = closeInReverse;
        this.backend = backend;
        this.ops = ops;
        this.router = router;
        this.launched = launched;
        this.host = host;
        this.port = port;
    }

    /** Builds and starts a gateway; throws IllegalArgumentException for a bad setting. */
    public static Gateway start(ServeOptions o) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            return start(o, opened);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private static Gateway start(ServeOptions o, Deque<AutoCloseable> opened) {
        ObjectMapper mapper = Json.create();
        EventJson events = new EventJson(mapper);
        Clock clock = Clock.SYSTEM; // the one clock every part below measures and stamps time on
        Operations ops = opened(opened, Operations.start(operations(o), o.host, mapper, events, clock));
        LaunchedServer launched = o.launch == null ? null : opened(opened, launch(o, clock));
        // The backend chain, outermost first: circuit breaker -> replicas -> L1 prefix cache -> (launched) server.
        List<ServerPrefixCache> l1 = new ArrayList<>();
        List<OpenAiBackend> servers = new ArrayList<>();
        Backend raw = backend(o, launched, mapper, l1, servers, clock);
        Backend backend = opened(opened, ops.guard(raw));

        String main = launched != null && launched.servedModel() != null ? launched.servedModel() : o.model;
        if (main == null && !backend.models().isEmpty()) {
            main = backend.models().getFirst();
        }
        ModelRouter router = new ModelRouter(main, o.smallModel, o.aliases);

        ConversationStreams streams = new ConversationStreams(512, clock);
        ResponseCache responses = opened(opened, new ResponseCache(ResponseCacheConfig.defaults()
                .withPolicy(CachePolicy.parse(o.responseCache))
                .withMaxBytes(o.responseCacheBytes)
                .withTtl(Duration.ofSeconds(o.responseCacheTtlSeconds))
                .withRedis(o.redis), clock));
        RequestParser parser = new RequestParser(mapper);
        Normalizer normalizer = new Normalizer(!o.noNormalize);
        if (o.warmFile != null) {
            MessagesRequest warm = WarmFile.read(o.warmFile, parser::parse, normalizer);
            l1.forEach(cache -> cache.warmAtStartup(warm.withModel(router.resolve(warm.model()))));
        }
        watchMemory(ops, responses, launched);

        List<StatsSection> stats = new ArrayList<>(List.of(responses, streams, memorySection(ops)));
        stats.add(0, backendSection(servers, raw, backend, router, launched, ops, clock));
        stats.add(ops.timeline());
        if (l1.size() == 1) {
            stats.add(1, l1.getFirst().stats());
        } else if (l1.size() > 1) {
            stats.add(1, perReplica(l1));
        }
        if (raw instanceof ReplicaSet replicas) {
            stats.add(2, replicas.stats());
        }
        if (raw instanceof EmbeddedBackend engine) {
            watchEngine(ops, engine);
            stats.add(1, engineSection(engine));
        }
        GatewayOptions options = new GatewayOptions(o.maxBodyBytes, Duration.ofMillis(250),
                Duration.ofSeconds(Math.max(1, o.pingSeconds)), 3, Duration.ofSeconds(15));
        ToolCallJudge judge = safeguards(o, backend, router, mapper, clock);
        if (judge instanceof Safeguards local) {
            stats.add(local.stats());
        }
        GatewayServer server = new GatewayServer(new GatewayServer.Stages(parser, events,
                normalizer, streams, responses, router, backend, ops.observer(), judge),
                options, hooks(ops), stats, mapper, metricsRoute(ops.metrics()), clock);
        int port;
        try {
            port = server.start(o.host, o.port);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot listen on " + o.host + ":" + o.port + ": " + e.getMessage(), e);
        }
        opened.push(server);
        return new Gateway(opened, backend, ops, router, launched, o.host, port);
    }

    /** Auto mode's safeguards: judged by a model of the backend (--safeguards local), or left unanswered. */
    private static ToolCallJudge safeguards(ServeOptions o, Backend backend, ModelRouter router, ObjectMapper mapper,
            Clock clock) {
        switch (o.safeguards) {
            case "off" -> {
                return ToolCallJudge.NONE;
            }
            case "local" -> {
                if (o.safeguardsTimeoutSeconds < 1) {
                    throw new IllegalArgumentException("--safeguards-timeout: " + o.safeguardsTimeoutSeconds
                            + " (expected: at least 1 second)");
                }
                String model = o.safeguardsModel != null ? o.safeguardsModel : router.smallModel();
                return new Safeguards(backend, model, Duration.ofSeconds(o.safeguardsTimeoutSeconds), mapper, clock);
            }
            default -> throw new IllegalArgumentException("--safeguards: " + o.safeguards + " (expected: local or off)");
        }
    }

    /** What the operations side plugs into the server: the API key (if any), sampled readiness, error counting. */
    private static GatewayServer.Hooks hooks(Operations ops) {
        GatewayServer.Authenticator auth = ops.apiKey().<GatewayServer.Authenticator>map(k -> k::allows)
                .orElse(GatewayServer.Authenticator.OPEN);
        return new GatewayServer.Hooks(auth, ops.readiness(), ops.metrics()::countError);
    }

    /** {@code GET /metrics}: the Prometheus scrape of {@code metrics}. */
    private static Consumer<GatewayServer.Routes> metricsRoute(GatewayMetrics metrics) {
        return routes -> routes.add(HandlerType.GET, "/metrics", ctx -> ctx.contentType(GatewayMetrics.CONTENT_TYPE)
                .header("Cache-Control", "no-store").result(metrics.scrape()));
    }

    private static <T extends AutoCloseable> T opened(Deque<AutoCloseable> opened, T resource) {
        opened.push(resource);
        return resource;
    }

    /** The embedded engine's slots as the "l1" section of /cache/stats; DELETE /cache erases idle slots and saved states. */
    private static StatsSection engineSection(EmbeddedBackend engine) {
        return StatsSection.of("l1",
                () -> Map.of("backend", "embedded", "kv_bytes", engine.kvBytes(), "slots", engine.slotStats()),
                () -> Map.of("erased_slots", engine.eraseIdleSlots(), "dropped_state_bytes", engine.dropSavedStates()));
    }

    /** The embedded engine's KV memory under the memory monitor, with its reliefs at critical pressure. */
    private static void watchEngine(Operations ops, EmbeddedBackend engine) {
        ops.memory().watch("kv", MemoryProbe.bytes(engine::kvBytes));
        ops.memory().onCritical("drop-saved-kv-states", () -> {
            long freed = engine.dropSavedStates();
            return new Relief.Freed(freed, 0, "saved slot states dropped");
        });
        ops.memory().onCritical("erase-idle-slots", () -> {
            long before = engine.kvBytes();
            long erased = engine.eraseIdleSlots();
            return new Relief.Freed(before, engine.kvBytes(), erased + " idle slots erased");
        });
    }

    /** Several replicas' L1 figures as one "l1" section, keyed by replica URL. */
    private static StatsSection perReplica(List<ServerPrefixCache> caches) {
        return StatsSection.of("l1", () -> byReplica(caches, c -> c.stats().snapshot()),
                () -> byReplica(caches, c -> c.stats().clear()));
    }

    private static Map<String, Object> byReplica(List<ServerPrefixCache> caches,
            java.util.function.Function<ServerPrefixCache, Object> what) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ServerPrefixCache c : caches) {
            out.put(c.where(), what.apply(c));
        }
        return out;
    }

    /**
     * What serves the requests, as the {@code backend} section of /cache/stats (and the dashboard's header): kind,
     * flavor, models, context, readiness, and for a launched server its command line, pid, uptime and restarts.
     */
    private static StatsSection backendSection(List<OpenAiBackend> servers, Backend raw, Backend guarded,
            ModelRouter router, LaunchedServer launched, Operations ops, Clock clock) {
        long started = clock.nanoTime();
        return StatsSection.of("backend", () -> {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("kind", raw.name());
            if (servers.size() == 1) {
                OpenAiBackend ob = servers.getFirst();
                b.put("flavor", ob.flavor().name().toLowerCase(java.util.Locale.ROOT));
                b.put("url", ob.baseUrl().toString());
                b.put("inline_system", ob.inlineSystemMode());
            } else if (servers.size() > 1) {
                b.put("replicas", servers.stream().map(x -> x.baseUrl().toString()).toList());
                b.put("flavor", servers.getFirst().flavor().name().toLowerCase(java.util.Locale.ROOT));
            }
            b.put("model", router.mainModel());
            b.put("small_model", router.smallModel());
            b.put("context_tokens", guarded.contextTokens());
            Backend.Readiness r = ops.readiness().get();
            b.put("ready", r.ready());
            b.put("reason", r.reason());
            b.put("uptime_seconds", (clock.nanoTime() - started) / 1_000_000_000L);
            if (launched != null) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("command", launched.command().display());
                l.put("pid", launched.supervisor().pid());
                l.put("state", launched.supervisor().state().toString().toLowerCase(java.util.Locale.ROOT));
                l.put("restarts", launched.supervisor().restarts());
                l.put("log", launched.logFile().toString());
                b.put("launched", l);
            }
            return b;
        }, null);
    }

    /** Memory figures and what the monitor did, as a section of /cache/stats. */
    private static StatsSection memorySection(Operations ops) {
        return StatsSection.of("memory", () -> ops.memory().status(), null);
    }

    /** Connects the memory monitor and the metrics to what holds memory: the response cache and the launched server. */
    private static void watchMemory(Operations ops, ResponseCache responses, LaunchedServer launched) {
        ops.metrics().registerResponseCache(() -> {
            ResponseCacheStats s = responses.stats();
            return new GatewayMetrics.CacheFigures(s.hits(), s.misses(), s.evictions(), s.entries(), s.bytes());
        });
        long configured = responses.config().maxBytes();
        ops.memory().onWarning("shrink-response-cache", () -> {
            long before = responses.stats().bytes();
            responses.resize(Math.max(configured / 4, 1L << 20));
            return new Relief.Freed(before, responses.stats().bytes(), "response cache bound now "
                    + Math.max(configured / 4, 1L << 20) + " bytes");
        });
        ops.memory().onRecovered("restore-response-cache", () -> responses.resize(configured));
        if (launched != null) {
            ops.memory().watch("backend_rss", MemoryProbe.residentMemory(() -> {
                long pid = launched.supervisor().pid();
                return pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
            }));
        }
    }

    private static Operations.Settings operations(ServeOptions o) {
        return new Operations.Settings(o.apiKey, o.apiKeyFile, o.requestLog, o.logBodies, o.debug, o.debugDir,
                o.memoryWarning, o.memoryCritical, Duration.ofSeconds(o.memoryCheckSeconds), o.breakerFailures,
                Duration.ofSeconds(o.breakerCooldownSeconds));
    }

    /** Starts the model server named by {@code --launch} (blocking until it is healthy). */
    private static LaunchedServer launch(ServeOptions o, Clock clock) {
        if (!"openai".equals(o.backendKind())) {
            throw new IllegalArgumentException("--launch: needs --backend openai (the launched server is the upstream)");
        }
        return LaunchedServer.start(new LaunchSpec(Flavor.parseLaunch(o.launch), o.serverBin, o.model, o.ctx, o.slots,
                o.serverPort, o.serverArgs, o.serverLog, o.slotDir, o.toolParser,
                Duration.ofSeconds(o.serverReadyTimeoutSeconds)), System.err, clock);
    }

    /**
     * The backend the options name: the embedded engine, or each model server behind its L1 prefix cache (also
     * added to {@code l1}); several {@code --upstream} URLs make a {@link ReplicaSet} of them.
     */
    private static Backend backend(ServeOptions o, LaunchedServer launched, ObjectMapper mapper,
            List<ServerPrefixCache> l1, List<OpenAiBackend> servers, Clock clock) {
        return switch (o.backendKind()) {
            case "openai" -> {
                String upstream = launched != null ? launched.baseUrl().toString() : o.upstream;
                if (upstream == null || upstream.isBlank()) {
                    throw new IllegalArgumentException("--upstream: missing (expected: the model server's URL, e.g. http://127.0.0.1:8080, or --launch)");
                }
                Flavor flavor = launched != null && "auto".equals(o.flavor) ? launched.flavor() : Flavor.parse(o.flavor);
                long ctx = o.ctx == 0 && launched != null ? launched.contextTokens() : o.ctx;
                Map<String, Backend> replicas = new LinkedHashMap<>();
                for (String url : upstream.split(",")) {
                    if (url.isBlank()) {
                        continue;
                    }
                    OpenAiBackend b = new OpenAiBackend(new OpenAiConfig(OpenAiConfig.normalizeBase(url), o.upstreamKey,
                            flavor, ctx, Duration.ofSeconds(5), Duration.ofSeconds(o.upstreamTimeoutSeconds),
                            o.inlineSystem(), o.toolFormat()), mapper, clock);
                    b.probe();
                    servers.add(b);
                    ServerPrefixCache cache = new ServerPrefixCache(launched != null ? new SupervisedBackend(b, launched) : b,
                            b.baseUrl().toString(), b::inlineSystemMode);
                    l1.add(cache);
                    replicas.put(b.baseUrl().toString(), cache);
                }
                yield replicas.size() == 1 ? l1.getFirst()
                        : new ReplicaSet(replicas, Duration.ofSeconds(5), clock);
            }
            case "embedded" -> embedded(o, mapper, clock);
            default -> throw new IllegalArgumentException("--backend: " + o.backend + " (expected: auto, openai or embedded)");
        };
    }

    /** Loads the GGUF model into this process, showing load progress on the terminal. */
    private static EmbeddedBackend embedded(ServeOptions o, ObjectMapper mapper, Clock clock) {
        if (o.model == null) {
            throw new IllegalArgumentException("--model: missing (expected: a GGUF file for --backend embedded; "
                    + "try ./anyclaude gen-model --out tiny.gguf)");
        }
        if (o.ctx > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--ctx: " + o.ctx + " (expected: at most " + Integer.MAX_VALUE + ")");
        }
        EngineConfig config = EngineConfig.defaults(Path.of(o.model))
                .withCtxPerSlot((int) o.ctx)
                .withSlots(o.slots)
                .withStateBytes(o.stateRamBytes, o.stateDiskBytes)
                .withStateDir(o.stateDir)
                .withNatives(new NativeOptions(o.llamaLib, Accelerator.parse(o.gpu), NativeOptions.parseGpuLayers(o.gpuLayers),
                        NativeOptions.FlashAttention.parse(o.flashAttn), NativeOptions.KvType.parse(o.kvType)));
        if (o.threads > 0) {
            config = config.withThreads(o.threads);
        }
        LoadProgress progress = new LoadProgress(System.err, o.model);
        EmbeddedBackend backend = new EmbeddedBackend(config, mapper, progress, clock);
        progress.done();
        System.err.println("anyclaude: embedded " + backend.describe());
        return backend;
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

    /** Metrics, memory monitor and the rest of the operations side. */
    public Operations operations() {
        return ops;
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

    @Override
    public void close() {
        closeAll(closeInReverse);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(Gateway.class).warn("closing {} failed: {}", e.getClass().getSimpleName(),
                        e.getMessage());
            }
        }
    }
}
