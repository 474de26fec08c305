package dev.anyclaude.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.RequestObserver;
import dev.anyclaude.time.Clock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The operations side of one running gateway, built from its settings: metrics, the request observer
 * (metrics, request log, debug log), the API key, the circuit breaker around the backend, sampled
 * readiness and the memory monitor, with the two threads that sample. {@code Gateway} wires it with
 * {@link #guard}, {@link #observer}, {@link #routes} and {@link #hooks}, and closes it last.
 */
public final class Operations implements AutoCloseable {

    /**
     * What the operations side is asked to do, from the serve options; checked on construction but for what
     * needs the system (the key file is read, the host resolved, the debug directory made at {@link #start}).
     *
     * @param apiKey the key clients must send ({@code --api-key}), or null
     * @param apiKeyFile the file holding it ({@code --api-key-file}), or null
     * @param requestLog the JSON-lines request log ({@code --request-log}), or null for none
     * @param logBodies whether request log lines carry request and response ({@code --log-bodies})
     * @param debug debug level 0 to 3 ({@code --debug})
     * @param debugDir null: {@code <tmp>/anyclaude-debug}
     * @param memoryWarningPercent {@code --memory-warning}
     * @param memoryCriticalPercent {@code --memory-critical}
     * @param memoryCheckEvery {@code --memory-check-seconds}
     * @param breakerFailures 0: no circuit breaker
     * @param breakerCoolDown {@code --breaker-cooldown}
     */
    public record Settings(
            String apiKey,
            Path apiKeyFile,
            Path requestLog,
            boolean logBodies,
            int debug,
            Path debugDir,
            int memoryWarningPercent,
            int memoryCriticalPercent,
            Duration memoryCheckEvery,
            int breakerFailures,
            Duration breakerCoolDown) {
        public Settings {
            DebugLog.requireLevel(debug);
            MemoryThresholds.ofPercent(memoryWarningPercent, memoryCriticalPercent);
            if (memoryCheckEvery.isNegative() || memoryCheckEvery.isZero()) {
                throw new IllegalArgumentException("--memory-check-seconds: " + memoryCheckEvery.toSeconds()
                        + " (expected: a positive number of seconds)");
            }
            if (breakerFailures < 0) {
                throw new IllegalArgumentException(
                        "--breaker-failures: " + breakerFailures + " (expected: 0 to disable, or a positive count)");
            }
            if (breakerFailures > 0 && (breakerCoolDown.isNegative() || breakerCoolDown.isZero())) {
                throw new IllegalArgumentException("--breaker-cooldown: " + breakerCoolDown.toSeconds()
                        + " (expected: a positive number of seconds)");
            }
        }
    }

    private final Settings settings;
    private final Optional<ApiKey> key;
    private final GatewayMetrics metrics;
    private final MemoryMonitor memory;
    private final RequestMeter meter;
    private final RequestTimeline timeline;
    private final RequestLog requestLog;
    private final DebugLog debugLog;
    private final ScheduledExecutorService sampling;
    private final Clock clock;
    private ReadinessSampler sampled;
    private Supplier<Backend.Readiness> readiness;

    private Operations(
            Settings s,
            Optional<ApiKey> key,
            GatewayMetrics metrics,
            MemoryMonitor memory,
            RequestMeter meter,
            RequestTimeline timeline,
            RequestLog requestLog,
            DebugLog debugLog,
            ScheduledExecutorService sampling,
            Clock clock) {
        this.settings = s;
        this.timeline = timeline;
        this.key = key;
        this.metrics = metrics;
        this.memory = memory;
        this.meter = meter;
        this.requestLog = requestLog;
        this.debugLog = debugLog;
        this.sampling = sampling;
        this.clock = clock;
    }

    /**
     * Checks the settings (a non-loopback {@code host} needs a key) and starts metrics, logs and the memory
     * monitor. Call before the backend is built so a refused setting costs nothing.
     *
     * @throws IllegalArgumentException a setting is invalid, with the option's name and what was expected
     */
    public static Operations start(Settings s, String host, ObjectMapper mapper, EventJson events, Clock clock) {
        Optional<ApiKey> key = ApiKey.from(s.apiKey(), s.apiKeyFile());
        ApiKey.requireForNonLoopback(host, key.isPresent());
        MemoryThresholds thresholds = MemoryThresholds.ofPercent(s.memoryWarningPercent(), s.memoryCriticalPercent());
        LogJson json = new LogJson(mapper, events);
        RequestLog requestLog = s.requestLog() != null ? RequestLog.open(s.requestLog(), json, s.logBodies()) : null;
        DebugLog debug;
        try {
            debug = s.debug() != 0
                    ? new DebugLog(
                            s.debug(), s.debugDir() != null ? s.debugDir() : DebugLog.defaultDumps(), json, clock)
                    : null;
        } catch (RuntimeException e) {
            if (requestLog != null) {
                requestLog.close();
            }
            throw e;
        }
        GatewayMetrics metrics = new GatewayMetrics(clock);
        List<RequestListener> listeners = new ArrayList<>();
        listeners.add(metrics);
        RequestTimeline timeline = new RequestTimeline(clock, Duration.ofMinutes(15));
        listeners.add(timeline);
        if (requestLog != null) {
            listeners.add(requestLog);
        }
        if (debug != null) {
            listeners.add(debug);
        }
        boolean keepEvents = (requestLog != null && s.logBodies()) || (debug != null && debug.wantsEvents());
        RequestMeter meter = new RequestMeter(listeners, clock, keepEvents);
        ScheduledThreadPoolExecutor sampling = new ScheduledThreadPoolExecutor(
                2, Thread.ofPlatform().daemon().name("anyclaude-sampling-", 0).factory());
        sampling.setRemoveOnCancelPolicy(true);
        MemoryMonitor memory = new MemoryMonitor(thresholds, metrics.registry(), clock)
                .watch("heap", MemoryProbe.jvmHeap())
                .watch("system", MemoryProbe.system())
                .watch("gateway_rss", MemoryProbe.residentMemory(() -> Optional.of(ProcessHandle.current())));
        memory.start(sampling, s.memoryCheckEvery(), true);
        return new Operations(s, key, metrics, memory, meter, timeline, requestLog, debug, sampling, clock);
    }

    /**
     * The backend as the gateway should call it: behind the circuit breaker (unless disabled). Readiness for
     * {@code /ready} and {@code anyclaude_backend_up} is the breaker's state, known at once, else the
     * backend's own answer, asked at most once a second, or what the last request showed of it if that came
     * later.
     */
    public Backend guard(Backend backend) {
        sampled = new ReadinessSampler(backend, clock, Duration.ofSeconds(1));
        sampled.start(sampling, Duration.ofSeconds(1));
        Backend watched = sampled.watch(backend);
        if (settings.breakerFailures() <= 0) {
            readiness = sampled::current;
            metrics.registerBackend(backend.name(), sampled::last);
            return watched;
        }
        CircuitBreakingBackend guarded = new CircuitBreakingBackend(
                watched, settings.breakerFailures(), settings.breakerCoolDown(), clock, metrics.registry());
        readiness = () -> guarded.readiness(sampled::current);
        metrics.registerBackend(backend.name(), () -> guarded.readiness(sampled::last));
        return guarded;
    }

    /** The observer to give the request path. */
    public RequestObserver observer() {
        return meter;
    }

    /** The recent requests, turn by turn: the {@code requests} section of {@code /cache/stats} and the dashboard. */
    public RequestTimeline timeline() {
        return timeline;
    }

    /** The API key the server asks for, if one was set. */
    public Optional<ApiKey> apiKey() {
        return key;
    }

    /** Sampled readiness, for {@code /ready}: cheap to call per request. Call after {@link #guard}. */
    public Supplier<Backend.Readiness> readiness() {
        if (readiness == null) {
            throw new IllegalStateException("guard(backend) first: readiness comes from the guarded backend");
        }
        return readiness;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * The memory monitor, to add sources (a launched server's RSS, the embedded KV bytes) and reliefs
     * (shrink the response cache; drop saved KV states, erase idle slots); its {@code status()} belongs in
     * {@code /cache/stats}.
     */
    public MemoryMonitor memory() {
        return memory;
    }

    public boolean authenticates() {
        return key.isPresent();
    }

    @Override
    public void close() {
        memory.close();
        if (sampled != null) {
            sampled.close();
        }
        sampling.shutdownNow();
        try {
            sampling.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (requestLog != null) {
            requestLog.close();
        }
        if (debugLog != null) {
            debugLog.close();
        }
        metrics.close();
    }
}
