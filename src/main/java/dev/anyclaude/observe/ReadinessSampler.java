package dev.anyclaude.observe;

import dev.anyclaude.backend.Backend;
import java.time.Duration;
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
 */
public final class ReadinessSampler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadinessSampler.class);

    private final Backend backend;
    private final Ticker ticker;
    private final long maxAgeNanos;
    private final AtomicBoolean sampling = new AtomicBoolean();

    private volatile Backend.Readiness last;
    private volatile long sampledAt;
    private ScheduledFuture<?> periodic;

    public ReadinessSampler(Backend backend, Ticker ticker, Duration maxAge) {
        this.backend = backend;
        this.ticker = ticker;
        this.maxAgeNanos = maxAge.toNanos();
        sample();
    }

    /** The latest readiness, refreshed first if it is older than the maximum age and nobody else is. */
    public Backend.Readiness current() {
        if (ticker.nanos() - sampledAt >= maxAgeNanos) {
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
            sampledAt = ticker.nanos();
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
