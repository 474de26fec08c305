package dev.anyclaude.backend;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A response body read off an {@link Http1Connection} in the framing its head declared. Reaching the end of
 * a keep-alive response hands the connection back (to {@code release}); any failure, and closing before
 * the end with more than a small, already-arrived rest, closes the socket instead, so a connection is only
 * ever reused at a clean message boundary.
 */
final class Http1Body extends InputStream {
    /** How much of an unread rest {@link #close()} will skip to keep the connection. */
    static final int MAX_DRAIN = 64 * 1024;

    private static final int MAX_CHUNK_LINE = 4 * 1024;
    /** How long {@link #close()} waits for a rest that has begun to arrive (a split chunk trailer). */
    private static final Duration DRAIN_WAIT = Duration.ofMillis(50);

    private final Http1Connection conn;
    private final Http1Head.Framing framing;
    private final boolean keepAlive;
    private final Duration idleTimeout;
    private final Consumer<Http1Connection> release;
    private long remaining; // LENGTH: bytes left; CHUNKED: bytes left in the current chunk
    private boolean chunkDataEnded; // CHUNKED: a chunk's data was read and its CRLF is still due
    private boolean done;
    private boolean broken;
    private boolean expired;

    Http1Body(
            Http1Connection conn,
            Http1Head.Framing framing,
            long length,
            boolean keepAlive,
            Duration idleTimeout,
            Consumer<Http1Connection> release) {
        this.conn = conn;
        this.framing = framing;
        this.keepAlive = keepAlive;
        this.idleTimeout = idleTimeout;
        this.release = release;
        this.remaining = framing == Http1Head.Framing.LENGTH ? length : 0;
        if (framing == Http1Head.Framing.NONE || framing == Http1Head.Framing.LENGTH && length == 0) {
            finish();
        }
    }

    /** Whether a read failed because the server sent nothing for the idle timeout. */
    boolean expired() {
        return expired;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (done) {
            return -1;
        }
        if (broken) {
            throw new IOException("the upstream connection already failed");
        }
        if (len == 0) {
            return 0;
        }
        try {
            return switch (framing) {
                case LENGTH -> readFixed(b, off, len);
                case CHUNKED -> readChunked(b, off, len);
                case UNTIL_CLOSE -> readUntilClose(b, off, len);
                case NONE -> -1;
            };
        } catch (SocketTimeoutException e) {
            expired = true;
            fail();
            throw new IOException("the server sent nothing for " + idleTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            fail();
            throw e;
        }
    }

    private int readFixed(byte[] b, int off, int len) throws IOException {
        int n = conn.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException(
                    "the server closed the connection " + remaining + " bytes short of its Content-Length");
        }
        remaining -= n;
        if (remaining == 0) {
            finish();
        }
        return n;
    }

    private int readChunked(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            if (chunkDataEnded) {
                String crlf = conn.line(MAX_CHUNK_LINE);
                if (!crlf.isEmpty()) {
                    throw new ProtocolException("chunk data longer than its declared size");
                }
                chunkDataEnded = false;
            }
            remaining = chunkSize(conn.line(MAX_CHUNK_LINE));
            if (remaining == 0) {
                skipTrailers();
                finish();
                return -1;
            }
        }
        int n = conn.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the server closed the connection in the middle of a chunk");
        }
        remaining -= n;
        chunkDataEnded = remaining == 0;
        return n;
    }

    /** Parses a chunk-size line: hex digits, then optional whitespace and {@code ;extensions}, which are ignored. */
    private static long chunkSize(String line) throws ProtocolException {
        int semi = line.indexOf(';');
        String hex = (semi < 0 ? line : line.substring(0, semi)).strip();
        if (hex.isEmpty() || hex.length() > 15) {
            throw new ProtocolException(
                    "bad chunk size line: \"" + (line.length() > 40 ? line.substring(0, 40) : line) + "\"");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new ProtocolException(
                        "bad chunk size line: \"" + (line.length() > 40 ? line.substring(0, 40) : line) + "\"");
            }
            size = size * 16 + d;
        }
        return size;
    }

    private void skipTrailers() throws IOException {
        int budget = Http1Head.MAX_BYTES;
        String line;
        while (!(line = conn.line(budget)).isEmpty()) {
            budget -= line.length() + 2;
        }
    }

    private int readUntilClose(byte[] b, int off, int len) throws IOException {
        int n = conn.read(b, off, len);
        if (n < 0) {
            finish();
        }
        return n;
    }

    private void finish() {
        done = true;
        if (keepAlive && !Thread.currentThread().isInterrupted()) {
            release.accept(conn);
        } else {
            conn.close();
        }
    }

    private void fail() {
        broken = true;
        conn.close();
    }

    /**
     * Ends the exchange. A rest that has already arrived (the end of a chunked stream, a small error body) is
     * skipped so the connection can be reused; a rest still to come (an abandoned stream) is not waited for:
     * the socket is closed, which also tells the server to stop.
     */
    @Override
    public void close() {
        if (done || broken) {
            return;
        }
        if (!keepAlive || Thread.currentThread().isInterrupted()) {
            fail();
            return;
        }
        try {
            conn.readTimeout(DRAIN_WAIT);
            byte[] skip = new byte[8 * 1024];
            long skipped = 0;
            while (!done && !broken && skipped < MAX_DRAIN && conn.available() > 0) {
                int n = read(skip, 0, skip.length);
                if (n > 0) {
                    skipped += n;
                }
            }
        } catch (IOException e) {
            // the rest did not arrive in time, or the connection broke: it is closed below
        }
        if (!done) {
            fail();
        }
    }
}
