package dev.anyclaude.backend;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One TCP connection to an upstream, with the read buffer the HTTP/1.1 framing is parsed from. Not
 * thread-safe: one exchange at a time owns it, and the {@link Http1Pool} holds it in between.
 */
final class Http1Connection implements AutoCloseable {
    private final String key;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] buf = new byte[16 * 1024];
    private int pos;
    private int limit;
    private long bytesRead;
    private int exchanges;
    private long idleSince;

    /** Wraps a connected socket (TCP_NODELAY already on), reached as {@code key} ({@code host:port}). */
    Http1Connection(String key, Socket socket) throws IOException {
        this.key = key;
        this.socket = socket;
        this.in = socket.getInputStream();
        // Large enough that a request head and a typical small body leave in one segment.
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
    }

    String key() {
        return key;
    }

    /** How many exchanges started on this connection before the current one: 0 for a fresh connection. */
    int exchanges() {
        return exchanges;
    }

    long idleSince() {
        return idleSince;
    }

    /** Marks the connection idle as of {@code nanos}, for the pool's eviction. */
    void idleFrom(long nanos) {
        idleSince = nanos;
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    /** Total response bytes received, to tell a connection that died unanswered from one that died mid-answer. */
    long bytesRead() {
        return bytesRead;
    }

    /**
     * Starts an exchange: sets the read timeout and sends {@code head} and {@code body} in as few writes as
     * fit. A socket write has no timeout of its own, and a server that stopped reading blocks it once the
     * socket buffers are full; so a body too large to be sure of fitting them ({@link #GUARDED_WRITE_BYTES})
     * is written under a deadline of {@code readTimeout}, after which the socket is closed and the send
     * fails with a {@link SocketTimeoutException}. Smaller requests, nearly all, pay nothing for this.
     */
    void send(byte[] head, byte[] body, Duration readTimeout) throws IOException {
        socket.setSoTimeout(timeoutMillis(readTimeout));
        exchanges++;
        bytesRead = 0;
        if (body == null || body.length < GUARDED_WRITE_BYTES) {
            write(head, body);
            return;
        }
        AtomicBoolean expired = new AtomicBoolean();
        ScheduledFuture<?> deadline = WriteDeadlines.SCHEDULER.schedule(
                () -> {
                    expired.set(true);
                    close();
                },
                timeoutMillis(readTimeout),
                TimeUnit.MILLISECONDS);
        try {
            write(head, body);
        } catch (IOException e) {
            if (expired.get()) {
                SocketTimeoutException t = new SocketTimeoutException("the server read none of the last part of a "
                        + body.length + "-byte request within " + readTimeout.toMillis() + " ms");
                t.initCause(e);
                throw t;
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    private void write(byte[] head, byte[] body) throws IOException {
        out.write(head);
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /**
     * Request bodies at least this large are written under a deadline (see {@link #send}). Loopback and LAN
     * socket buffers take a few hundred KB before a write blocks, so below this a write never waits long.
     */
    static final int GUARDED_WRITE_BYTES = 256 * 1024;

    /** The one thread that closes sockets whose large writes overran their deadline; made on first use. */
    private static final class WriteDeadlines {
        static final ScheduledExecutorService SCHEDULER = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("upstream-write-deadline").factory());
    }

    void readTimeout(Duration timeout) throws SocketException {
        socket.setSoTimeout(timeoutMillis(timeout));
    }

    private static int timeoutMillis(Duration d) {
        long ms = Math.max(1, d.toMillis());
        return ms > Integer.MAX_VALUE ? 0 : (int) ms;
    }

    /** Bytes readable without blocking: what is buffered plus what the socket holds. */
    int available() throws IOException {
        return limit - pos + in.available();
    }

    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (pos == limit) {
            if (len >= buf.length) { // a large read goes straight to the caller's array
                int n = in.read(b, off, len);
                if (n > 0) {
                    bytesRead += n;
                }
                return n;
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /**
     * One line, without its CRLF (a bare LF is accepted), decoded as ISO-8859-1.
     *
     * @param max how many bytes the line may hold (terminator included) before it is refused
     * @throws EOFException when the connection ends before the line does
     * @throws ProtocolException when the line is longer than {@code max}
     */
    String line(int max) throws IOException {
        StringBuilder sb = null;
        int taken = 0;
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    if (taken + (i + 1 - pos) > max) {
                        throw new ProtocolException("a response line longer than " + max + " bytes");
                    }
                    String part = new String(buf, pos, i - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    String line = sb == null ? part : sb.append(part).toString();
                    return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                }
            }
            taken += limit - pos;
            if (taken > max) {
                throw new ProtocolException("a response line longer than " + max + " bytes");
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(new String(buf, pos, limit - pos, StandardCharsets.ISO_8859_1));
            pos = limit;
            if (!fill()) {
                throw new EOFException(
                        bytesRead == 0
                                ? "the server closed the connection without answering"
                                : "the server closed the connection in the middle of a line");
            }
        }
    }

    private boolean fill() throws IOException {
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        bytesRead += n;
        return true;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to recover from a failed close
        }
    }
}
