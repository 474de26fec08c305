package dev.anyclaude.api;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client side of a streamed response: writes events as SSE frames, flushing each one, and keeps the
 * connection alive while the backend is still prefilling.
 *
 * <p>The HTTP status and {@code message_start} are written ("committed") when the backend accepts the
 * request or, at the latest, {@code commitAfter} after the request arrived, so a slow prefill never looks
 * dead; until then a failure can still be answered with a proper HTTP error status and retried. After
 * commit, a {@code ping} is sent whenever nothing was written for {@code pingEvery}. A failed write means
 * the client left: the generating thread is interrupted so the backend cancels its upstream work.
 */
final class SseStream implements EventSink, AutoCloseable {
    private final HttpServletResponse response;
    private final EventJson json;
    private final String messageId;
    private final String model;
    private final Duration commitAfter;
    private final Duration pingEvery;
    private final Thread producer;
    private final ReentrantLock lock = new ReentrantLock();

    private OutputStream out;
    private boolean committed;
    private boolean closed;
    private boolean clientGone;
    private long lastWriteNanos;
    private Thread keeper;

    SseStream(HttpServletResponse response, EventJson json, String messageId, String model,
            Duration commitAfter, Duration pingEvery) {
        this.response = response;
        this.json = json;
        this.messageId = messageId;
        this.model = model;
        this.commitAfter = commitAfter;
        this.pingEvery = pingEvery;
        this.producer = Thread.currentThread();
    }

    /** Starts the keep-alive thread (commit deadline, then pings). */
    void start() {
        keeper = Thread.ofVirtual().name("sse-keepalive-" + messageId).start(this::keepAlive);
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
            if (event instanceof StreamEvent.MessageStart start) {
                if (!committed) {
                    commit(start.usage());
                }
                return;
            }
            if (!committed) {
                commit(Usage.ZERO);
            }
            write(json.sse(event));
        } finally {
            lock.unlock();
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
        try {
            out.write(frame);
            out.flush();
            lastWriteNanos = System.nanoTime();
        } catch (IOException e) {
            clientGone = true;
            throw new ClientGoneException();
        }
    }

    private void keepAlive() {
        long start = System.nanoTime();
        try {
            Thread.sleep(commitAfter);
            while (true) {
                lock.lock();
                try {
                    if (closed) {
                        return;
                    }
                    if (!committed) {
                        commit(Usage.ZERO);
                    } else if (System.nanoTime() - lastWriteNanos >= pingEvery.toNanos()) {
                        write(json.sse(StreamEvent.PING));
                    }
                } catch (IOException e) {
                    producer.interrupt();
                    return;
                } finally {
                    lock.unlock();
                }
                long sinceWrite = System.nanoTime() - Math.max(lastWriteNanos, start);
                Thread.sleep(Duration.ofNanos(Math.max(pingEvery.toNanos() - sinceWrite, 50_000_000L)));
            }
        } catch (InterruptedException e) {
            // closed
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
        if (keeper != null) {
            keeper.interrupt();
        }
    }

    /** The client closed the connection. */
    static final class ClientGoneException extends IOException {
        ClientGoneException() {
            super("client closed the connection", null);
        }
    }
}
