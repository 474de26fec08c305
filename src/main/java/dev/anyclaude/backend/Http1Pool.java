package dev.anyclaude.backend;

import dev.anyclaude.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Idle keep-alive connections, per {@code host:port}. The most recently used one is handed out first (it is
 * the least likely to have been closed by the server); one idle for longer than the limit is closed when
 * found, so no thread has to sweep the pool.
 */
final class Http1Pool implements AutoCloseable {
    private final int maxPerHost;
    private final long maxIdleNanos;
    private final Clock clock;
    private final Map<String, ArrayDeque<Http1Connection>> idle = new HashMap<>();
    private boolean closed;

    /**
     * @param maxPerHost idle connections kept per {@code host:port}; more are closed
     * @param maxIdle how long a connection may sit unused before it is closed rather than reused
     * @param clock measures how long a connection has sat idle
     */
    Http1Pool(int maxPerHost, Duration maxIdle, Clock clock) {
        this.maxPerHost = maxPerHost;
        this.maxIdleNanos = maxIdle.toNanos();
        this.clock = clock;
    }

    /** An idle connection to {@code key}, or null when there is none fit to reuse. */
    Http1Connection take(String key) {
        List<Http1Connection> stale = new ArrayList<>(0);
        Http1Connection found = null;
        long now = clock.nanoTime();
        synchronized (this) {
            ArrayDeque<Http1Connection> q = idle.get(key);
            if (q != null) {
                // connections join at the tail, so the ones idle for too long sit at the head
                while (!q.isEmpty() && now - q.peekFirst().idleSince() > maxIdleNanos) {
                    stale.add(q.pollFirst());
                }
                while (found == null && !q.isEmpty()) {
                    Http1Connection c = q.pollLast();
                    if (c.isClosed()) {
                        stale.add(c);
                    } else {
                        found = c;
                    }
                }
            }
        }
        stale.forEach(Http1Connection::close);
        return found;
    }

    /** Keeps {@code c} for reuse, or closes it when the pool is full or closed. */
    void give(Http1Connection c) {
        c.idleFrom(clock.nanoTime());
        Http1Connection evicted = c;
        synchronized (this) {
            if (!closed) {
                ArrayDeque<Http1Connection> q = idle.computeIfAbsent(c.key(), k -> new ArrayDeque<>());
                q.addLast(c);
                evicted = q.size() > maxPerHost ? q.pollFirst() : null;
            }
        }
        if (evicted != null) {
            evicted.close();
        }
    }

    /** How many idle connections to {@code key} are held. */
    synchronized int idleCount(String key) {
        ArrayDeque<Http1Connection> q = idle.get(key);
        return q == null ? 0 : q.size();
    }

    @Override
    public void close() {
        List<Http1Connection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(Http1Connection::close);
    }
}
