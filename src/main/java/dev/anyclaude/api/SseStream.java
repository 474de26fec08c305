package dev.anyclaude.api;

import dev.anyclaude.messages.ClientGoneException;
import dev.anyclaude.messages.EventJson;
import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.PendingOutput;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import dev.anyclaude.time.Clock;
import jakarta.servlet.http.HttpServletResponse;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client side of a streamed response: writes events as SSE frames and keeps the connection alive
 * while the backend is still prefilling.
 *
 * <p>Each frame is flushed as it is written, unless the producing thread has an open
 * {@link PendingOutput} batch: then frames that arrived together leave in one write, flushed before the
 * producer next waits. The end of the message and errors are always flushed at once.
 *
 * <p>The HTTP status and {@code message_start} are written ("committed") when the backend accepts the
 * request or, at the latest, about {@code commitAfter} after the request arrived (the {@link StreamKeeper}
 * checks), so a slow prefill never looks dead; until then a failure can still be answered with a proper
 * HTTP error status and retried. After commit, a {@code ping} is sent whenever nothing was written for
 * {@code pingEvery}. A failed write means the client left: the generating thread is interrupted so the
 * backend cancels its upstream work.
 */
final class SseStream implements EventSink, Flushable, AutoCloseable {
    /** Output left unflushed this long is flushed by the keeper, whatever the producer is doing. */
    private static final long STRAY_FLUSH_NANOS = 20_000_000L;

    private final HttpServletResponse response;
    private final EventJson json;
    private final String messageId;
    private final String model;
    private final Duration commitAfter;
    private final Duration pingEvery;
    private final Thread producer;
    private final StreamKeeper keeper;
    private final ReentrantLock lock = new ReentrantLock();
    private final Clock clock;
    private final long createdNanos;

    private OutputStream out;
    private boolean committed;
    private boolean closed;
    private boolean dirty;
    private volatile boolean clientGone;
    private long lastWriteNanos;

    SseStream(
            HttpServletResponse response,
            EventJson json,
            String messageId,
            String model,
            Duration commitAfter,
            Duration pingEvery,
            StreamKeeper keeper) {
        this.response = response;
        this.json = json;
        this.messageId = messageId;
        this.model = model;
        this.commitAfter = commitAfter;
        this.pingEvery = pingEvery;
        this.keeper = keeper;
        this.clock = keeper.clock(); // one clock for the keeper's ticks and this stream's stamps
        this.createdNanos = clock.nanoTime();
        this.producer = Thread.currentThread();
    }

    /** Hands the stream to the keeper (commit deadline, then pings). */
    void start() {
        keeper.register(this);
    }

    boolean committed() {
        lock.lock();
        try {
            return committed;
        } finally {
            lock.unlock();
        }
    }

    boolean clientGone() {
        return clientGone;
    }

    @Override
    public void accept(StreamEvent event) throws IOException {
        lock.lock();
        try {
            if (clientGone) {
                throw new ClientGoneException();
            }
            if (closed) {
                return; // message_stop ended the response: nothing may follow it
            }
            if (event instanceof StreamEvent.MessageStart start) {
                if (!committed) {
                    commit(start.usage());
                    flushUnlessDeferred();
                }
                return;
            }
            if (!committed) {
                commit(Usage.ZERO);
            }
            write(json.sse(event));
            if (event instanceof StreamEvent.MessageStop) {
                end();
            } else if (event instanceof StreamEvent.Error) {
                flushNow();
            } else {
                flushUnlessDeferred();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void flush() throws IOException {
        lock.lock();
        try {
            if (dirty && !clientGone) {
                flushNow();
            }
        } finally {
            lock.unlock();
        }
    }

    private void flushUnlessDeferred() throws IOException {
        if (Thread.currentThread() != producer || !PendingOutput.defer(this)) {
            flushNow();
        }
    }

    private void commit(Usage usage) throws IOException {
        response.setStatus(200);
        response.setContentType("text/event-stream; charset=utf-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        out = response.getOutputStream();
        committed = true;
        write(json.sse(new StreamEvent.MessageStart(messageId, model, usage)));
    }

    private void write(byte[] frame) throws IOException {
        toClient(() -> out.write(frame));
        dirty = true;
        lastWriteNanos = clock.nanoTime();
    }

    /**
     * Completes the response after {@code message_stop}: the client has its last byte (and the final chunk)
     * before the gateway's bookkeeping (cache store, metrics, request log) runs.
     */
    private void end() throws IOException {
        toClient(out::close);
        dirty = false;
        closed = true;
    }

    private void flushNow() throws IOException {
        toClient(out::flush);
        dirty = false;
    }

    /** One operation on the client's connection; its failure means the client left. */
    private void toClient(ClientIo io) throws IOException {
        try {
            io.run();
        } catch (IOException e) {
            clientGone = true;
            throw new ClientGoneException();
        }
    }

    private interface ClientIo {
        void run() throws IOException;
    }

    /**
     * One keeper tick: commits the stream once {@code commitAfter} has passed without the backend
     * answering, and pings it once it has been idle for {@code pingEvery}. A stream the producer is writing
     * to right now is skipped. Returns false when the stream needs no more ticks (closed, or the client
     * left, in which case the producer is interrupted so the backend stops).
     */
    boolean tick(long now) {
        if (!lock.tryLock()) {
            return true;
        }
        try {
            if (closed || clientGone) {
                return false;
            }
            if (!committed) {
                if (now - createdNanos >= commitAfter.toNanos()) {
                    commit(Usage.ZERO);
                    flushNow();
                }
            } else if (now - lastWriteNanos >= pingEvery.toNanos()) {
                write(json.sse(StreamEvent.PING));
                flushNow();
            } else if (dirty && now - lastWriteNanos >= STRAY_FLUSH_NANOS) {
                flushNow(); // a batch left open while its producer waits elsewhere: never hold output back
            }
            return true;
        } catch (IOException e) {
            producer.interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        keeper.unregister(this);
    }
}
