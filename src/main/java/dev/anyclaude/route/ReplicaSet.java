package dev.anyclaude.route;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.anyclaude.backend.Backend;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.StatsSection;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several replicas of one model server behind the gateway, used as one backend: each conversation stream
 * goes to the replica that already holds its prefix, and a replica that cannot be reached is skipped.
 *
 * <p>A stream is pinned to the replica that served it last. A stream seen for the first time goes to the
 * replica chosen by rendezvous hashing of its agent fingerprint (system prompt + tools), so new sessions of
 * the same agent land where that agent's prefix is already cached, and the agents spread evenly. A replica
 * that fails before the first event (unreachable, overloaded, timed out) is marked down for a cool-down and
 * the request moves to the next replica in its order; after the first event a failure is the client's.
 */
public final class ReplicaSet implements Backend {
    private static final Logger log = LoggerFactory.getLogger(ReplicaSet.class);

    private final List<Replica> replicas;
    private final Cache<String, Integer> pinned;
    private final Clock clock;
    private final long coolDownNanos;

    /** One replica: a backend, its label (the URL) and what the set knows about it. */
    private static final class Replica {
        final Backend backend;
        final String label;
        final AtomicLong requests = new AtomicLong();
        final AtomicLong failovers = new AtomicLong();
        volatile long downUntil;
        volatile String lastError;

        Replica(Backend backend, String label) {
            this.backend = backend;
            this.label = label;
        }
    }

    /** @param replicas backends with their labels, in the order given by the user */
    public ReplicaSet(Map<String, Backend> replicas, Duration coolDown, Clock clock) {
        if (replicas.size() < 2) {
            throw new IllegalArgumentException("a replica set needs at least two replicas");
        }
        List<Replica> list = new ArrayList<>();
        replicas.forEach((label, b) -> list.add(new Replica(b, label)));
        this.replicas = List.copyOf(list);
        this.clock = clock;
        this.coolDownNanos = coolDown.toNanos();
        this.pinned = Caffeine.newBuilder()
                .maximumSize(10_000)
                .expireAfterAccess(Duration.ofHours(2))
                .ticker(clock.caffeine())
                .build();
    }

    @Override
    public String name() {
        return replicas.getFirst().backend.name();
    }

    /** The order in which replicas are tried for a stream: its pinned replica, then by rendezvous hash. */
    List<Integer> order(String streamKey) {
        long agent = agentOf(streamKey);
        List<Integer> order = new ArrayList<>(replicas.size());
        for (int i = 0; i < replicas.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Long.compareUnsigned(score(agent, b), score(agent, a)));
        Integer pin = streamKey == null ? null : pinned.getIfPresent(streamKey);
        if (pin != null) {
            order.remove(pin);
            order.addFirst(pin);
        }
        // healthy replicas first, keeping that order
        long now = clock.nanoTime();
        List<Integer> up = new ArrayList<>();
        List<Integer> down = new ArrayList<>();
        for (int i : order) {
            (replicas.get(i).downUntil > now ? down : up).add(i);
        }
        up.addAll(down);
        return up;
    }

    private static long agentOf(String streamKey) {
        if (streamKey == null) {
            return 0;
        }
        int slash = streamKey.lastIndexOf('/');
        return (slash >= 0 ? streamKey.substring(slash + 1) : streamKey).hashCode() * 0x9E3779B97F4A7C15L;
    }

    private static long score(long agent, int replica) {
        long x = agent ^ (replica + 1) * 0xC2B2AE3D27D4EB4FL;
        x ^= x >>> 33;
        x *= 0xFF51AFD7ED558CCDL;
        x ^= x >>> 33;
        return x;
    }

    @Override
    public void generate(BackendRequest request, EventSink sink) throws IOException {
        GatewayException last = null;
        for (int i : order(request.affinityKey())) {
            Replica r = replicas.get(i);
            FirstEvent watched = new FirstEvent(sink);
            try {
                r.requests.incrementAndGet();
                r.backend.generate(request, watched);
                if (request.affinityKey() != null) {
                    pinned.put(request.affinityKey(), i);
                }
                r.downUntil = 0;
                return;
            } catch (GatewayException e) {
                if (watched.started || !e.kind().retryable()) {
                    throw e;
                }
                r.downUntil = clock.nanoTime() + coolDownNanos;
                r.lastError = e.getMessage();
                r.failovers.incrementAndGet();
                log.warn("replica {} failed ({}); trying the next one", r.label, e.getMessage());
                last = e;
            }
        }
        throw last != null ? last : new GatewayException(ErrorKind.BACKEND_UNREACHABLE, "no replica answered");
    }

    /** Passes events on and notes whether any was sent, after which a failover is no longer possible. */
    private static final class FirstEvent implements EventSink {
        private final EventSink downstream;
        boolean started;

        FirstEvent(EventSink downstream) {
            this.downstream = downstream;
        }

        @Override
        public void accept(StreamEvent event) throws IOException {
            started = true;
            downstream.accept(event);
        }
    }

    @Override
    public TokenCount countTokens(BackendRequest request) {
        return replicas.get(order(request.affinityKey()).getFirst()).backend.countTokens(request);
    }

    @Override
    public List<String> models() {
        for (Replica r : replicas) {
            if (!r.backend.models().isEmpty()) {
                return r.backend.models();
            }
        }
        return List.of();
    }

    @Override
    public Readiness readiness() {
        List<String> down = new ArrayList<>();
        boolean any = false;
        for (Replica r : replicas) {
            Readiness one = r.backend.readiness();
            any |= one.ready();
            if (!one.ready()) {
                down.add(r.label + ": " + one.reason());
            }
        }
        return any
                ? new Readiness(true, down.isEmpty() ? "ok" : "degraded: " + String.join("; ", down))
                : Readiness.down(String.join("; ", down));
    }

    /** The smallest context of the replicas (0 when none reports one). */
    @Override
    public long contextTokens() {
        long min = 0;
        for (Replica r : replicas) {
            long c = r.backend.contextTokens();
            if (c > 0 && (min == 0 || c < min)) {
                min = c;
            }
        }
        return min;
    }

    /** The replicas' state as the "replicas" section of /cache/stats. */
    public StatsSection stats() {
        return StatsSection.of("replicas", this::snapshot, null);
    }

    private Object snapshot() {
        long now = clock.nanoTime();
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            Replica r = replicas.get(i);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("replica", r.label);
            m.put("up", r.downUntil <= now);
            int index = i;
            m.put(
                    "pinned_streams",
                    pinned.asMap().values().stream().filter(v -> v == index).count());
            m.put("requests", r.requests.get());
            m.put("failovers", r.failovers.get());
            m.put("last_error", r.lastError);
            out.add(m);
        }
        return out;
    }

    @Override
    public void close() {
        replicas.forEach(r -> r.backend.close());
    }
}
