package dev.anyclaude.backend;

import dev.anyclaude.time.Clock;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * An upstream response body that is closed when the server sends nothing for longer than a limit, so a
 * server that answered its headers and then hung cannot hold a client forever. Closing makes the blocked
 * read fail; {@link #expired()} then tells that failure apart from a dropped connection.
 */
final class IdleGuard extends FilterInputStream {
    private final long limitNanos;
    private final Clock clock;
    private volatile long lastRead;
    private volatile boolean expired;
    private volatile boolean closed;
    private final Thread watcher;

    IdleGuard(InputStream in, Duration limit, Clock clock) {
        super(in);
        this.clock = clock;
        this.lastRead = clock.nanoTime();
        this.limitNanos = limit.toNanos();
        this.watcher = Thread.ofVirtual().name("upstream-idle-guard").start(this::watch);
    }

    private void watch() {
        long step = Math.max(Math.min(limitNanos / 4, 1_000_000_000L), 10_000_000L);
        try {
            while (!closed) {
                Thread.sleep(Duration.ofNanos(step));
                if (!closed && clock.nanoTime() - lastRead > limitNanos) {
                    expired = true;
                    super.close();
                    return;
                }
            }
        } catch (InterruptedException | IOException e) {
            // closed by the reader, or closing failed: nothing left to guard
        }
    }

    /** Whether the body was closed because the server went silent. */
    boolean expired() {
        return expired;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        lastRead = clock.nanoTime();
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        lastRead = clock.nanoTime();
        return n;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        watcher.interrupt();
        super.close();
    }
}
