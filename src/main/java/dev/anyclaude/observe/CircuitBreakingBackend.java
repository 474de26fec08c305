package dev.anyclaude.observe;

import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.time.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backend} behind a circuit breaker: after N consecutive unreachable/timeout/overloaded failures
 * it stops sending requests to the backend and answers {@code overloaded_error} (529) at once with a
 * {@code retry-after}, so clients back off instead of each waiting out a connect timeout. After the
 * cool-down one request probes the backend; its first event closes the circuit, a failure reopens it.
 * Every attempt is counted by result in {@code anyclaude_backend_attempts_total}.
 */
public final class CircuitBreakingBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(CircuitBreakingBackend.class);

    private final Backend delegate;
    private final CircuitBreaker breaker;
    private final MeterRegistry registry;
    private final Counter refused;
    private final Map<String, Counter> attempts = new ConcurrentHashMap<>();

    public CircuitBreakingBackend(
            Backend delegate, int failures, Duration coolDown, Clock clock, MeterRegistry registry) {
        this.delegate = delegate;
        this.breaker = new CircuitBreaker(delegate.name(), failures, coolDown, clock);
        this.registry = registry;
        this.refused = Counter.builder("anyclaude.backend.circuit.refused")
                .tag("backend", delegate.name())
                .description("Requests answered overloaded_error at once because the circuit was open")
                .register(registry);
        Gauge.builder("anyclaude.backend.circuit.state", breaker, b -> b.state().ordinal())
                .tag("backend", delegate.name())
                .description("Circuit breaker state: 0 closed, 1 open, 2 half-open")
                .register(registry);
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
        CircuitBreaker.State before = breaker.state();
        CircuitBreaker.Ticket ticket;
        try {
            ticket = breaker.admit();
        } catch (GatewayException open) {
            refused.increment();
            throw open;
        }
        if (before != CircuitBreaker.State.CLOSED) {
            log.info("backend {}: probing after the cool-down with {}", name(), request.requestId());
        }
        FirstEvent watched = new FirstEvent(sink, ticket);
        try {
            delegate.generate(request, watched);
            watched.answered();
            attempt("ok");
        } catch (GatewayException e) {
            if (e.kind().retryable()) {
                breaker.failed(ticket, e);
            } else if (e.kind() == ErrorKind.CANCELLED) {
                breaker.inconclusive(ticket);
            } else {
                watched.answered(); // the backend is alive; the request itself was the problem
            }
            attempt(e.kind().label());
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            if (!watched.seen) {
                breaker.inconclusive(ticket);
            }
            attempt(watched.seen ? "ok" : "cancelled");
            throw e;
        } finally {
            CircuitBreaker.State after = breaker.state();
            if (after != before) {
                if (after == CircuitBreaker.State.OPEN) {
                    log.warn("backend {}: {}", name(), breaker.openReason());
                } else if (after == CircuitBreaker.State.CLOSED) {
                    log.info("backend {}: circuit closed, the backend answers again", name());
                }
            }
        }
    }

    private void attempt(String result) {
        // a handful of results: built and registered once each, not on every call
        attempts.computeIfAbsent(
                        result,
                        r -> Counter.builder("anyclaude.backend.attempts")
                                .tag("backend", name())
                                .tag("result", r)
                                .description("Calls to the backend (retries included), by result")
                                .register(registry))
                .increment();
    }

    /** Passes events on and tells the breaker the backend answered as soon as the first one arrives. */
    private final class FirstEvent implements EventSink {
        private final EventSink downstream;
        private final CircuitBreaker.Ticket ticket;
        boolean seen;

        FirstEvent(EventSink downstream, CircuitBreaker.Ticket ticket) {
            this.downstream = downstream;
            this.ticket = ticket;
        }

        @Override
        public void accept(StreamEvent event) throws IOException {
            answered();
            downstream.accept(event);
        }

        void answered() {
            if (!seen) {
                seen = true;
                breaker.succeeded(ticket);
            }
        }
    }

    /** Down while the circuit is open (cheap: the backend is not asked), else what the backend says. */
    @Override
    public Readiness readiness() {
        return readiness(delegate::readiness);
    }

    /** Down while the circuit is open, else what {@code backend} (e.g. a sample of the backend's answer) says. */
    public Readiness readiness(java.util.function.Supplier<Readiness> backend) {
        if (breaker.state() == CircuitBreaker.State.OPEN) {
            return Readiness.down(breaker.openReason());
        }
        return backend.get();
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
    public long contextTokens() {
        return delegate.contextTokens();
    }

    /** The backend this one guards (e.g. to reach flavor-specific operations). */
    public Backend delegate() {
        return delegate;
    }

    @Override
    public void close() {
        delegate.close();
    }
}
