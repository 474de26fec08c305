package dev.anyclaude.api;

import dev.anyclaude.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that keeps every open SSE stream alive: it commits a stream whose backend has not
 * answered in time and pings a committed stream that has been idle (see {@link SseStream#tick}).
 *
 * <p>One thread ticking while streams are open replaces a thread started, parked and interrupted per
 * request, which cost a wake-up and two scheduler hand-offs on every streamed request. It parks without
 * a timeout while no stream is open. A stream that is busy writing is skipped for that tick, so one
 * slow client never holds up the others.
 */
final class StreamKeeper implements AutoCloseable {
    private final Set<SseStream> open = ConcurrentHashMap.newKeySet();
    private final long tickNanos;
    private final Clock clock;
    private final Thread thread;
    private volatile boolean idle;
    private volatile boolean closed;

    /**
     * @param tickNanos how often open streams are checked: the precision of commit deadlines and pings
     * @param clock what commit deadlines and pings are measured on (the streams stamp their writes on it too)
     */
    StreamKeeper(long tickNanos, Clock clock) {
        this.tickNanos = tickNanos;
        this.clock = clock;
        this.thread = Thread.ofVirtual().name("sse-keeper").unstarted(this::run);
        thread.start();
    }

    /** A tick fine enough for {@code options}: a tenth of the shorter interval, between 5 and 50 ms. */
    static StreamKeeper forOptions(GatewayOptions options, Clock clock) {
        long shorter =
                Math.min(options.commitAfter().toNanos(), options.pingEvery().toNanos());
        return new StreamKeeper(Math.clamp(shorter / 10, 5_000_000L, 50_000_000L), clock);
    }

    Clock clock() {
        return clock;
    }

    void register(SseStream stream) {
        open.add(stream);
        if (idle) {
            LockSupport.unpark(thread);
        }
    }

    void unregister(SseStream stream) {
        open.remove(stream);
    }

    private void run() {
        while (!closed) {
            if (open.isEmpty()) {
                idle = true;
                if (open.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                idle = false;
                continue;
            }
            LockSupport.parkNanos(this, tickNanos);
            long now = clock.nanoTime();
            for (SseStream s : open) {
                if (!s.tick(now)) {
                    open.remove(s);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(thread);
    }
}
