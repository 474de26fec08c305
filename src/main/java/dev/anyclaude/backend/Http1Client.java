package dev.anyclaude.backend;

import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link UpstreamClient} for plain {@code http} upstreams: blocking HTTP/1.1 over pooled keep-alive
 * sockets, run entirely on the calling (virtual) thread.
 *
 * <p>The JDK's HttpClient costs a selector thread, future stages and executor hand-offs per request, and an
 * idle watchdog needs another thread; here a request is a write and a few reads on the caller's own thread.
 * The idle limit is the socket's read timeout, which a virtual thread waits out without holding a carrier,
 * and interrupting the thread (the gateway does when its client leaves) closes a socket blocked in connect
 * or read, so the call ends at once and the connection is never reused.
 *
 * <p>A request that fails on a reused connection before any byte of the answer arrived is sent once more on
 * a fresh one: that is how a keep-alive connection the server closed while it sat idle shows itself, and the
 * server cannot have acted on a request it never read. A fresh connection's failure is final.
 */
final class Http1Client implements UpstreamClient {
    static final int MAX_IDLE_PER_HOST = 64;
    static final Duration MAX_IDLE = Duration.ofSeconds(30);

    private final Duration connectTimeout;
    private final Http1Pool pool;

    Http1Client(Duration connectTimeout, Clock clock) {
        this(connectTimeout, new Http1Pool(MAX_IDLE_PER_HOST, MAX_IDLE, clock));
    }

    Http1Client(Duration connectTimeout, Http1Pool pool) {
        this.connectTimeout = connectTimeout;
        this.pool = pool;
    }

    @Override
    public Reply send(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        String host = uri.getHost();
        if (host == null) {
            throw new IllegalArgumentException("upstream URI without a host: " + uri);
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String key = host + ":" + port;
        byte[] head = requestHead(method, uri, host, headers, body);
        Http1Connection conn = pool.take(key);
        if (conn == null) {
            conn = connect(key, host, port);
        }
        while (true) {
            try {
                conn.send(head, body, timeout);
                Http1Head response = Http1Head.read(conn);
                while (response.interim()) {
                    response = Http1Head.read(conn);
                }
                if (response.status() == 101) {
                    throw new ProtocolException("the server switched protocols (101) unasked");
                }
                Http1Head.Framing framing = response.framing(method);
                long length = framing == Http1Head.Framing.LENGTH ? response.contentLength() : 0;
                Http1Body in = new Http1Body(conn, framing, length, response.keepAlive(framing), timeout, pool::give);
                return new Http1Reply(response, in);
            } catch (IOException e) {
                conn.close();
                if (Thread.interrupted()) {
                    InterruptedException ie = new InterruptedException("interrupted while calling " + key);
                    ie.initCause(e);
                    throw ie;
                }
                if (e instanceof SocketTimeoutException) {
                    HttpTimeoutException t = new HttpTimeoutException(
                            "no response from " + key + " within " + timeout.toMillis() + " ms");
                    t.initCause(e);
                    throw t;
                }
                if (conn.exchanges() > 1 && conn.bytesRead() == 0 && !(e instanceof ProtocolException)) {
                    conn = connect(key, host, port); // the server had closed the idle connection: once more, fresh
                    continue;
                }
                throw e;
            }
        }
    }

    private Http1Connection connect(String key, String host, int port) throws IOException, InterruptedException {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true); // a request and its answer are single writes: Nagle would only delay them
            socket.connect(new InetSocketAddress(literal, port), (int)
                    Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeout.toMillis())));
            return new Http1Connection(key, socket);
        } catch (IOException e) {
            socket.close();
            if (Thread.interrupted()) {
                InterruptedException ie = new InterruptedException("interrupted while connecting to " + key);
                ie.initCause(e);
                throw ie;
            }
            if (e instanceof SocketTimeoutException) {
                HttpConnectTimeoutException t = new HttpConnectTimeoutException(
                        "connecting to " + key + " timed out after " + connectTimeout.toMillis() + " ms");
                t.initCause(e);
                throw t;
            }
            if (e instanceof ConnectException) {
                throw e;
            }
            ConnectException c = new ConnectException("cannot connect to " + key + ": " + e);
            c.initCause(e);
            throw c;
        }
    }

    /** The request line and headers, as one array so they leave with the body in one write. */
    static byte[] requestHead(String method, URI uri, String host, Map<String, String> headers, byte[] body) {
        StringBuilder sb = new StringBuilder(256);
        String path = uri.getRawPath();
        sb.append(method).append(' ').append(path == null || path.isEmpty() ? "/" : path);
        if (uri.getRawQuery() != null) {
            sb.append('?').append(uri.getRawQuery());
        }
        sb.append(" HTTP/1.1\r\nHost: ").append(host);
        if (uri.getPort() != -1) {
            sb.append(':').append(uri.getPort());
        }
        sb.append("\r\n");
        headers.forEach((name, value) -> {
            if (!legal(name) || name.isEmpty() || !legal(value)) {
                throw new IllegalArgumentException("header " + name + ": line breaks are not allowed");
            }
            sb.append(name).append(": ").append(value).append("\r\n");
        });
        if (body != null) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        return sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static boolean legal(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** Idle connections kept for {@code host:port}. */
    int idleConnections(String hostPort) {
        return pool.idleCount(hostPort);
    }

    @Override
    public void close() {
        pool.close();
    }

    private record Http1Reply(Http1Head head, Http1Body in) implements Reply {
        @Override
        public int status() {
            return head.status();
        }

        @Override
        public Optional<String> header(String name) {
            return head.header(name);
        }

        @Override
        public InputStream body() {
            return in;
        }

        @Override
        public boolean expired() {
            return in.expired();
        }

        @Override
        public void close() {
            in.close();
        }
    }
}
