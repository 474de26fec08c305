package dev.anyclaude.observe;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend's readiness, sampled: {@code /ready} and the {@code anyclaude_backend_up} gauge read the
 * latest sample, and a sample older than {@code maxAge} is refreshed on demand by one caller while the
 * others keep the previous answer. Load balancers and Kubernetes probe every few seconds with short
 * timeouts; this keeps each probe cheap and the backend from being asked more than once per
 * {@code maxAge} however many probes arrive.
 *
 * <p>Requests are samples too ({@link #watch}): one that fails because the backend is down (unreachable, a
 * 5xx, a connection lost mid-answer) makes the backend not ready at once, with the failure as the reason, and
 * one the backend answers makes it ready again; the next probe confirms or overrules either.
 */
public final class ReadinessSampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadinessSampler.class);

    private final Backend backend;
    private final Clock clock;
    private final long maxAgeNanos;
    private final AtomicBoolean sampling = new AtomicBoolean();

    private volatile Backend.Readiness last;
    private volatile long sampledAt;
    private ScheduledFuture<?> periodic;

    public ReadinessSampler(Backend backend, Clock clock, Duration maxAge) {
        this.backend = backend;
        this.clock = clock;
        this.maxAgeNanos = maxAge.toNanos();
        sample();
    }

    /** The latest readiness, refreshed first if it is older than the maximum age and nobody else is. */
    public Backend.Readiness current() {
        if (clock.nanoTime() - sampledAt >= maxAgeNanos) {
            sample();
        }
        return last;
    }

    /** The latest sample, without asking the backend. */
    public Backend.Readiness last() {
        return last;
    }

    private void sample() {
        if (!sampling.compareAndSet(false, true)) {
            return;
        }
        try {
            Backend.Readiness r;
            try {
                r = backend.readiness();
            } catch (RuntimeException e) {
                r = Backend.Readiness.down("readiness check failed: " + e.getMessage());
            }
            Backend.Readiness before = last;
            last = r;
            sampledAt = clock.nanoTime();
            if (before != null && before.ready() != r.ready()) {
                if (r.ready()) {
                    log.info("backend {} is ready", backend.name());
                } else {
                    log.warn("backend {} is not ready: {}", backend.name(), r.reason());
                }
            }
        } finally {
            sampling.set(false);
        }
    }

    /** Records what a request showed of the backend as the latest sample. */
    void observe(Backend.Readiness r) {
        Backend.Readiness before = last;
        if (before != null
                && before.ready() == r.ready()
                && (r.ready() || before.reason().equals(r.reason()))) {
            return;
        }
        last = r;
        sampledAt = clock.nanoTime();
        if (r.ready()) {
            log.info("backend {} answers again", backend.name());
        } else {
            log.warn("backend {} is not ready: {}", backend.name(), r.reason());
        }
    }

    /** Whether a failure of this kind says the backend itself is down (not the request, not a slow prefill). */
    static boolean meansDown(ErrorKind kind) {
        return switch (kind) {
            case BACKEND_UNREACHABLE, BACKEND_OVERLOADED, BACKEND_BUG, PROTOCOL_VIOLATION -> true;
            default -> false;
        };
    }

    /** {@code backend} with every request's outcome recorded here as a sample. */
    public Backend watch(Backend backend) {
        return new Watched(backend);
    }

    /** A backend whose requests report to the sampler. */
    private final class Watched implements Backend {
        private final Backend delegate;

        Watched(Backend delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public java.util.Map<String, Object> engineInfo() {
            return delegate.engineInfo();
        }

        @Override
        public void generate(BackendRequest request, EventSink sink) throws IOException {
            boolean[] answered = {false};
            try {
                delegate.generate(request, event -> {
                    if (!answered[0]) {
                        answered[0] = true;
                        observe(Backend.Readiness.up());
                    }
                    sink.accept(event);
                });
            } catch (GatewayException e) {
                if (meansDown(e.kind())) {
                    observe(Backend.Readiness.down(e.getMessage()));
                }
                throw e;
            }
        }

        @Override
        public TokenCount countTokens(BackendRequest request) {
            return delegate.countTokens(request);
        }

        @Override
        public List<String> models() {
            return delegate.models();
        }

        @Override
        public Readiness readiness() {
            return delegate.readiness();
        }

        @Override
        public long contextTokens() {
            return delegate.contextTokens();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Refreshes the sample every {@code every} on the scheduler, so the gauge follows without scrapes asking. */
    public void start(ScheduledExecutorService scheduler, Duration every) {
        long millis = Math.max(100, every.toMillis());
        periodic = scheduler.scheduleWithFixedDelay(this::current, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (periodic != null) {
            periodic.cancel(false);
        }
    }
}
