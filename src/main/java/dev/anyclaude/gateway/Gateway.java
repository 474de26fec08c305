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
import dev.anyclaude.cache.ResponseCache;
import dev.anyclaude.cache.ResponseCacheStats;
import dev.anyclaude.engine.EngineConfig;
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
 * side and the HTTP server — wired from {@link Settings} with constructor calls, and closed in the
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

    private Gateway(
            Deque<AutoCloseable> closeInReverse,
            Backend backend,
            Operations ops,
            ModelRouter router,
            LaunchedServer launched,
            String host,
            int port) {
        this.closeInReverse = closeInReverse;
        this.backend = backend;
        this.ops = ops;
        this.router = router;
        this.launched = launched;
        this.host = host;
        this.port = port;
    }

    /**
     * Builds and starts a gateway; throws IllegalArgumentException for a setting only the running system can
     * refuse (an unreadable file, a port taken, a server that does not answer).
     */
    public static Gateway start(Settings s) {
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        try {
            return start(s, opened);
        } catch (RuntimeException e) {
            closeAll(opened);
            throw e;
        }
    }

    private static Gateway start(Settings s, Deque<AutoCloseable> opened) {
        ObjectMapper mapper = Json.create();
        EventJson events = new EventJson(mapper);
        Clock clock = Clock.SYSTEM; // the one clock every part below measures and stamps time on
        Operations ops =
                opened(opened, Operations.start(s.operations(), s.listen().host(), mapper, events, clock));
        LaunchedServer launched = s.launch() == null ? null : opened(opened, launch(s, clock));
        // The backend chain, outermost first: circuit breaker -> replicas -> L1 prefix cache -> (launched) server
        // (stage 10 of the request path that api.MessagesEndpoint lists).
        List<ServerPrefixCache> l1 = new ArrayList<>();
        List<OpenAiBackend> servers = new ArrayList<>();
        Backend raw = backend(s, launched, mapper, l1, servers, clock);
        Backend backend = opened(opened, ops.guard(raw));

        String main = launched != null && launched.servedModel() != null
                ? launched.servedModel()
                : s.backend().model();
        if (main == null && !backend.models().isEmpty()) {
            main = backend.models().getFirst();
        }
        ModelRouter router =
                new ModelRouter(main, s.backend().smallModel(), s.backend().aliases());

        ConversationStreams streams = new ConversationStreams(512, clock);
        ResponseCache responses = opened(opened, new ResponseCache(s.l2().config(), clock));
        RequestParser parser = new RequestParser(mapper);
        Normalizer normalizer = new Normalizer(s.l1().normalize());
        if (s.l1().warmFile() != null) {
            MessagesRequest warm = WarmFile.read(s.l1().warmFile(), parser::parse, normalizer);
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
        GatewayOptions options = new GatewayOptions(
                s.listen().maxBodyBytes(), Duration.ofMillis(250), s.listen().ping(), 3, Duration.ofSeconds(15));
        ToolCallJudge judge = safeguards(s.safeguards(), backend, router, mapper, clock);
        if (judge instanceof Safeguards local) {
            stats.add(local.stats());
        }
        GatewayServer server = new GatewayServer(
                new GatewayServer.Stages(
                        parser, events, normalizer, streams, responses, router, backend, ops.observer(), judge),
                options,
                hooks(ops),
                stats,
                mapper,
                metricsRoute(ops.metrics()),
                clock);
        int port;
        try {
            port = server.start(s.listen().host(), s.listen().port());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot listen on " + s.listen().host() + ":" + s.listen().port() + ": " + e.getMessage(), e);
        }
        opened.push(server);
        return new Gateway(opened, backend, ops, router, launched, s.listen().host(), port);
    }

    /** Auto mode's safeguards: judged by a model of the backend (--safeguards local), or left unanswered. */
    private static ToolCallJudge safeguards(
            Settings.Safeguards s, Backend backend, ModelRouter router, ObjectMapper mapper, Clock clock) {
        return switch (s.mode()) {
            case OFF -> ToolCallJudge.NONE;
            case LOCAL ->
                new Safeguards(
                        backend, s.model() != null ? s.model() : router.smallModel(), s.timeout(), mapper, clock);
        };
    }

    /** What the operations side plugs into the server: the API key (if any), sampled readiness, error counting. */
    private static GatewayServer.Hooks hooks(Operations ops) {
        GatewayServer.Authenticator auth =
                ops.apiKey().<GatewayServer.Authenticator>map(k -> k::allows).orElse(GatewayServer.Authenticator.OPEN);
        return new GatewayServer.Hooks(auth, ops.readiness(), ops.metrics()::countError);
    }

    /** {@code GET /metrics}: the Prometheus scrape of {@code metrics}. */
    private static Consumer<GatewayServer.Routes> metricsRoute(GatewayMetrics metrics) {
        return routes -> routes.add(
                HandlerType.GET,
                "/metrics",
                ctx -> ctx.contentType(GatewayMetrics.CONTENT_TYPE)
                        .header("Cache-Control", "no-store")
                        .result(metrics.scrape()));
    }

    private static <T extends AutoCloseable> T opened(Deque<AutoCloseable> opened, T resource) {
        opened.push(resource);
        return resource;
    }

    /**
     * The embedded engine's slots as the "l1" section of /cache/stats; DELETE /cache erases idle slots and saved
     * states.
     */
    private static StatsSection engineSection(EmbeddedBackend engine) {
        return StatsSection.of(
                "l1",
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
        return StatsSection.of(
                "l1",
                () -> byReplica(caches, c -> c.stats().snapshot()),
                () -> byReplica(caches, c -> c.stats().clear()));
    }

    private static Map<String, Object> byReplica(
            List<ServerPrefixCache> caches, java.util.function.Function<ServerPrefixCache, Object> what) {
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
    private static StatsSection backendSection(
            List<OpenAiBackend> servers,
            Backend raw,
            Backend guarded,
            ModelRouter router,
            LaunchedServer launched,
            Operations ops,
            Clock clock) {
        long started = clock.nanoTime();
        return StatsSection.of(
                "backend",
                () -> {
                    Map<String, Object> b = new LinkedHashMap<>();
                    b.put("kind", raw.name());
                    if (servers.size() == 1) {
                        OpenAiBackend ob = servers.getFirst();
                        b.put("flavor", ob.flavor().name().toLowerCase(java.util.Locale.ROOT));
                        b.put("url", ob.baseUrl().toString());
                        b.put("inline_system", ob.inlineSystemMode());
                    } else if (servers.size() > 1) {
                        b.put(
                                "replicas",
                                servers.stream()
                                        .map(x -> x.baseUrl().toString())
                                        .toList());
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
                },
                null);
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
            return new Relief.Freed(
                    before,
                    responses.stats().bytes(),
                    "response cache bound now " + Math.max(configured / 4, 1L << 20) + " bytes");
        });
        ops.memory().onRecovered("restore-response-cache", () -> responses.resize(configured));
        if (launched != null) {
            ops.memory().watch("backend_rss", MemoryProbe.residentMemory(() -> {
                long pid = launched.supervisor().pid();
                return pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
            }));
        }
    }

    /** Starts the model server named by {@code --launch} (blocking until it is healthy). */
    private static LaunchedServer launch(Settings s, Clock clock) {
        Settings.Launch l = s.launch();
        return LaunchedServer.start(
                new LaunchSpec(
                        l.server(),
                        l.executable(),
                        s.backend().model(),
                        s.backend().ctx(),
                        s.l1().slots(),
                        l.port(),
                        l.extraArgs(),
                        l.log(),
                        l.slotDir(),
                        l.toolParser(),
                        l.readyTimeout()),
                System.err,
                clock);
    }

    /**
     * The backend the settings name: the embedded engine, or each model server behind its L1 prefix cache (also
     * added to {@code l1}); several {@code --upstream} URLs make a {@link ReplicaSet} of them.
     */
    private static Backend backend(
            Settings s,
            LaunchedServer launched,
            ObjectMapper mapper,
            List<ServerPrefixCache> l1,
            List<OpenAiBackend> servers,
            Clock clock) {
        Settings.Backend o = s.backend();
        return switch (o.kind()) {
            case OPENAI -> {
                List<String> upstreams =
                        launched != null ? List.of(launched.baseUrl().toString()) : o.upstreams();
                Flavor flavor = launched != null && o.flavor() == Flavor.AUTO ? launched.flavor() : o.flavor();
                long ctx = o.ctx() == 0 && launched != null ? launched.contextTokens() : o.ctx();
                Map<String, Backend> replicas = new LinkedHashMap<>();
                for (String url : upstreams) {
                    OpenAiBackend b = new OpenAiBackend(
                            new OpenAiConfig(
                                    OpenAiConfig.normalizeBase(url),
                                    o.upstreamKey(),
                                    flavor,
                                    ctx,
                                    Duration.ofSeconds(5),
                                    o.upstreamTimeout(),
                                    o.inlineSystem(),
                                    o.toolFormat()),
                            mapper,
                            clock);
                    b.probe();
                    servers.add(b);
                    ServerPrefixCache cache = new ServerPrefixCache(
                            launched != null ? new SupervisedBackend(b, launched) : b,
                            b.baseUrl().toString(),
                            b::inlineSystemMode);
                    l1.add(cache);
                    replicas.put(b.baseUrl().toString(), cache);
                }
                yield replicas.size() == 1 ? l1.getFirst() : new ReplicaSet(replicas, Duration.ofSeconds(5), clock);
            }
            case EMBEDDED -> embedded(o, s.l1().slots(), mapper, clock);
        };
    }

    /** Loads the GGUF model into this process, showing load progress on the terminal. */
    private static EmbeddedBackend embedded(Settings.Backend o, int slots, ObjectMapper mapper, Clock clock) {
        Settings.Embedded e = o.embedded();
        EngineConfig config = EngineConfig.defaults(Path.of(o.model()))
                .withCtxPerSlot((int) o.ctx())
                .withSlots(slots)
                .withStateBytes(e.stateRamBytes(), e.stateDiskBytes())
                .withStateDir(e.stateDir())
                .withNatives(e.natives());
        if (e.threads() > 0) {
            config = config.withThreads(e.threads());
        }
        LoadProgress progress = new LoadProgress(System.err, o.model());
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
                org.slf4j.LoggerFactory.getLogger(Gateway.class)
                        .warn("closing {} failed: {}", e.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}
