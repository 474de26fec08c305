package dev.anyclaude.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/**
 * One keep-alive HTTP/1.1 connection of the load client to a loopback server, as lean as a load client can be:
 * the request is written as one prepared byte array, the response is read into one reused buffer
 * (Content-Length, chunked or close-delimited), and nothing is decoded but the status line and the framing
 * headers. A load client shares the cores with the servers it measures, so every microsecond it does not
 * spend is one they get.
 *
 * <p>It is not the gateway's upstream client ({@code backend.Http1Connection} with {@code Http1Head} and
 * {@code Http1Body}), and deliberately does not reuse it: that client is built to be strict and to stream
 * (every header kept, folds, conflicting lengths and smuggling refused, a pool, idle and write deadlines, a body
 * handed on as a stream), while this one times an exchange — from the write to the first response byte and to the
 * last — and keeps the body only to look for a marker in it. Reusing that client would mean making the
 * backend's package-private connection classes public for a tool, and would let the measuring side share a
 * parsing fault with the gateway it measures (whose upstream responses that code parses).
 */
final class LoadConnection implements AutoCloseable {
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private byte[] body = new byte[16 * 1024];
    private int bodyLength;

    /**
     * The outcome of one request.
     *
     * @param status the HTTP status
     * @param firstByteNanos from the start of the write to the first response byte
     * @param totalNanos from the start of the write to the last body byte
     */
    record Response(int status, long firstByteNanos, long totalNanos) {}

    LoadConnection(int port) {
        this.port = port;
    }

    /** Sends {@code request} (head and body) and reads the whole response; the body is kept until the next call. */
    Response exchange(byte[] request) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(60_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            pos = 0;
            limit = 0;
        }
        long start = System.nanoTime();
        out.write(request);
        out.flush();
        if (pos == limit && !fill()) {
            throw new EOFException("the server closed the connection before answering");
        }
        long firstByte = System.nanoTime() - start;
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        boolean keepAlive = statusLine.startsWith("HTTP/1.1");
        long contentLength = -1;
        boolean chunked = false;
        String h;
        while (!(h = line()).isEmpty()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("content-length")) {
                contentLength = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                chunked = value.toLowerCase().contains("chunked");
            } else if (name.equalsIgnoreCase("connection")) {
                keepAlive = !value.equalsIgnoreCase("close") && (keepAlive || value.equalsIgnoreCase("keep-alive"));
            }
        }
        bodyLength = 0;
        if (chunked) {
            long size;
            while ((size = Long.parseLong(stripExtension(line()), 16)) > 0) {
                copy(size);
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
        } else if (contentLength >= 0) {
            copy(contentLength);
        } else {
            while (pos < limit || fill()) {
                append(buf, pos, limit - pos);
                pos = limit;
            }
            keepAlive = false;
        }
        long total = System.nanoTime() - start;
        if (!keepAlive) {
            close();
        }
        return new Response(status, firstByte, total);
    }

    /** Whether the last response body contains {@code needle}. */
    boolean bodyContains(byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= bodyLength; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (body[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The start of the last response body, for error messages. */
    String bodyPreview() {
        return new String(body, 0, Math.min(bodyLength, 300), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String stripExtension(String chunkHeader) {
        int semi = chunkHeader.indexOf(';');
        return (semi < 0 ? chunkHeader : chunkHeader.substring(0, semi)).trim();
    }

    private void copy(long n) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill()) {
                throw new EOFException("the server closed the connection mid-body");
            }
            int take = (int) Math.min(n, limit - pos);
            append(buf, pos, take);
            pos += take;
            n -= take;
        }
    }

    private void append(byte[] src, int from, int n) {
        if (bodyLength + n > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + n));
        }
        System.arraycopy(src, from, body, bodyLength, n);
        bodyLength += n;
    }

    /** One CRLF- (or LF-) terminated line, without its terminator; ASCII. */
    private String line() throws IOException {
        StringBuilder sb = null;
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(buf, pos, end - pos, java.nio.charset.StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (sb == null) {
                        return part;
                    }
                    sb.append(part);
                    if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
                        sb.setLength(sb.length() - 1);
                    }
                    return sb.toString();
                }
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(new String(buf, pos, limit - pos, java.nio.charset.StandardCharsets.ISO_8859_1));
            pos = limit;
            if (!fill()) {
                throw new EOFException("the server closed the connection mid-line");
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
        return true;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a loopback socket: nothing to recover
            }
            socket = null;
        }
    }
}
