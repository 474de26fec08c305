package dev.anyclaude.observe;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.RequestObserver.RequestInfo;
import dev.anyclaude.time.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The gateway's metrics in a Prometheus registry, scraped as text by {@code GET /metrics}: requests with
 * a latency histogram by route, model, backend and outcome; time to first token; output tokens per second;
 * prompt, reused-prompt and output tokens; errors by kind; requests in flight; backend up/down; response
 * cache figures; JVM and process memory. Labels are routes, model names, kinds and outcomes — never prompt
 * or response text.
 */
public final class GatewayMetrics implements RequestListener, AutoCloseable {
    /** The content type of {@link #scrape()}: Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /**
     * Histogram buckets for request latency and time to first token: a cached reply takes milliseconds, a
     * cold 40k-token prefill minutes. Seventeen chosen bounds instead of Micrometer's ~90 generated ones
     * per series keep scrapes small while histogram_quantile() stays meaningful across that range.
     */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(20),
        Duration.ofSeconds(30),
        Duration.ofMinutes(1),
        Duration.ofMinutes(2),
        Duration.ofMinutes(5),
        Duration.ofMinutes(10)
    };

    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final BoundedLabels models = new BoundedLabels(32);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<Object> retained = new CopyOnWriteArrayList<>();
    /**
     * The per-request meters by name and label values. Building and registering a meter sorts its tags and
     * looks it up by id, which cost ~2 % of the gateway's CPU when done six times per request; the label
     * values are bounded (routes, outcomes, kinds, {@link #models}), so this map is too.
     */
    private final Map<Labels, Counter> counters = new ConcurrentHashMap<>();

    private final Map<Labels, Timer> timers = new ConcurrentHashMap<>();
    private final Map<Labels, DistributionSummary> summaries = new ConcurrentHashMap<>();

    /** A meter's name and label values, in the order its builder names them. */
    private record Labels(String name, String a, String b, String c, String d) {
        Labels(String name, String a) {
            this(name, a, null, null, null);
        }

        Labels(String name, String a, String b) {
            this(name, a, b, null, null);
        }
    }

    /** @param clock paces how often a scrape reads the response cache's figures */
    public GatewayMetrics(Clock clock) {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), clock);
    }

    GatewayMetrics(PrometheusMeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        MemoryProbe rss = MemoryProbe.residentMemory(() -> Optional.of(ProcessHandle.current()));
        Gauge.builder("process.resident.memory", rss, p -> {
                    MemoryProbe.Reading r = p.read();
                    return r.known() ? r.usedBytes() : Double.NaN;
                })
                .baseUnit("bytes")
                .description("Resident memory of the gateway process")
                .strongReference(true)
                .register(registry);
        Gauge.builder("anyclaude.requests.in.flight", inFlight, AtomicInteger::get)
                .description("Messages requests being answered now")
                .register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** All metrics in the Prometheus text format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void started(RequestInfo info) {
        inFlight.incrementAndGet();
    }

    @Override
    public void cache(RequestInfo info, String outcome) {
        counters.computeIfAbsent(
                        new Labels("lookups", outcome),
                        k -> Counter.builder("anyclaude.response.cache.lookups")
                                .tag("result", outcome)
                                .description("How the response cache answered requests: hit, miss or off")
                                .register(registry))
                .increment();
    }

    @Override
    public void finished(RequestRecord r) {
        inFlight.decrementAndGet();
        RequestInfo info = r.info();
        String model = models.of(info.backendModel());
        String backend = info.backend();
        String route = info.route();
        String outcome = r.outcome();
        timers.computeIfAbsent(
                        new Labels("requests", route, model, backend, outcome),
                        k -> Timer.builder("anyclaude.requests")
                                .description("Messages requests, by route, backend model, backend and outcome")
                                .tags("route", route, "model", model, "backend", backend, "outcome", outcome)
                                .serviceLevelObjectives(LATENCY_BUCKETS)
                                .register(registry))
                .record(r.totalNanos(), TimeUnit.NANOSECONDS);
        if (r.ttftNanos() >= 0) {
            String cache = r.cache();
            timers.computeIfAbsent(
                            new Labels("ttft", model, backend, cache, null),
                            k -> Timer.builder("anyclaude.time.to.first.token")
                                    .description("Time from the request to the first content token sent")
                                    .tags("model", model, "backend", backend, "cache", cache)
                                    .serviceLevelObjectives(LATENCY_BUCKETS)
                                    .register(registry))
                    .record(r.ttftNanos(), TimeUnit.NANOSECONDS);
        }
        double rate = r.outputTokensPerSecond();
        if (rate > 0) {
            summaries
                    .computeIfAbsent(
                            new Labels("rate", model, backend),
                            k -> DistributionSummary.builder("anyclaude.output.tokens.per.second")
                                    .description("Decode speed of streamed responses (output tokens after the "
                                            + "first, per second)")
                                    .tags("model", model, "backend", backend)
                                    .serviceLevelObjectives(
                                            1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000)
                                    .register(registry))
                    .record(rate);
        }
        if (r.usage().promptTokens() > 0 || r.usage().outputTokens() > 0) {
            tokens(
                    "anyclaude.prompt.tokens",
                    "Prompt tokens (processed + reused from the prefix cache)",
                    model,
                    backend,
                    r.usage().promptTokens());
            tokens(
                    "anyclaude.prompt.tokens.reused",
                    "Prompt tokens the backend reused from its prefix (KV) cache",
                    model,
                    backend,
                    r.usage().cacheReadInputTokens());
            tokens(
                    "anyclaude.output.tokens",
                    "Output tokens generated",
                    model,
                    backend,
                    r.usage().outputTokens());
        }
        if (r.failure() != null) {
            countError(info.route(), r.failure().kind());
        }
    }

    private void tokens(String name, String description, String model, String backend, long n) {
        counters.computeIfAbsent(
                        new Labels(name, model, backend),
                        k -> Counter.builder(name)
                                .description(description)
                                .tags("model", model, "backend", backend)
                                .register(registry))
                .increment(n);
    }

    /** Counts one failure by route label and kind ({@code anyclaude_errors_total}). */
    public void countError(String route, ErrorKind kind) {
        counters.computeIfAbsent(
                        new Labels("errors", route, kind.label()),
                        k -> Counter.builder("anyclaude.errors")
                                .description("Failed requests, by route and error kind")
                                .tags("route", route, "kind", kind.label())
                                .register(registry))
                .increment();
    }

    /** Exports {@code anyclaude_backend_up{backend}} (1 ready, 0 not) from a sampled readiness. */
    public void registerBackend(String backend, Supplier<Backend.Readiness> sampled) {
        Gauge.builder("anyclaude.backend.up", sampled, s -> {
                    Backend.Readiness r = s.get();
                    return r != null && r.ready() ? 1 : 0;
                })
                .tag("backend", backend)
                .description("Whether the backend is ready (1) or not (0), sampled")
                .strongReference(true)
                .register(registry);
    }

    /** Figures of the response cache (L2), read when metrics are scraped. */
    public record CacheFigures(long hits, long misses, long evictions, long entries, long bytes) {}

    /**
     * Exports the response cache's hits, misses, evictions (counters), entries and bytes (gauges) from a
     * supplier of its figures; the supplier is called once per scrape.
     */
    public void registerResponseCache(Supplier<CacheFigures> figures) {
        ScrapeMemo<CacheFigures> memo = new ScrapeMemo<>(figures, clock);
        retained.add(memo); // meters hold their state weakly
        FunctionCounter.builder(
                        "anyclaude.response.cache.hits", memo, m -> m.get().hits())
                .description("Response cache hits")
                .register(registry);
        FunctionCounter.builder(
                        "anyclaude.response.cache.misses", memo, m -> m.get().misses())
                .description("Response cache misses")
                .register(registry);
        FunctionCounter.builder(
                        "anyclaude.response.cache.evictions", memo, m -> m.get().evictions())
                .description("Responses evicted from the cache")
                .register(registry);
        Gauge.builder("anyclaude.response.cache.entries", memo, m -> m.get().entries())
                .description("Responses in the cache")
                .register(registry);
        Gauge.builder("anyclaude.response.cache.stored", memo, m -> m.get().bytes())
                .baseUnit("bytes")
                .description("Bytes of responses in the cache")
                .register(registry);
    }

    /** A supplier read at most once per second, so one scrape reading five meters asks the cache once. */
    static final class ScrapeMemo<T> {
        private final Supplier<T> source;
        private final Clock clock;
        private T value;
        private long at = Long.MIN_VALUE;

        ScrapeMemo(Supplier<T> source, Clock clock) {
            this.source = source;
            this.clock = clock;
        }

        synchronized T get() {
            long now = clock.nanoTime();
            if (value == null || now - at >= 1_000_000_000L) {
                value = source.get();
                at = now;
            }
            return value;
        }
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
