package dev.anyclaude.backend;

import java.io.IOException;
import java.net.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The status line and headers of an HTTP/1.x response, and what they say about the body's framing.
 *
 * @param minorVersion 1 for HTTP/1.1, 0 for HTTP/1.0
 * @param status the status code
 * @param headers the header fields in arrival order, names as sent
 */
record Http1Head(int minorVersion, int status, List<Map.Entry<String, String>> headers) {
    /** The most a response head may take (status line, headers, folds and terminators together). */
    static final int MAX_BYTES = 64 * 1024;

    /** How the end of the body is found. */
    enum Framing {
        NONE,
        LENGTH,
        CHUNKED,
        UNTIL_CLOSE
    }

    /**
     * Reads one response head from {@code c}. Empty lines before the status line (left by a sloppy previous
     * response) are skipped; a folded header line continues the value before it.
     *
     * @throws ProtocolException when the bytes are not an HTTP/1.x response head, or exceed {@link #MAX_BYTES}
     */
    static Http1Head read(Http1Connection c) throws IOException {
        int budget = MAX_BYTES;
        String statusLine;
        do {
            statusLine = c.line(budget);
            budget -= statusLine.length() + 2;
        } while (statusLine.isEmpty() && budget > 0);
        int minor = minorVersion(statusLine);
        int status = statusCode(statusLine);
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String line;
        while (!(line = c.line(budget)).isEmpty()) {
            budget -= line.length() + 2;
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                if (headers.isEmpty()) {
                    throw new ProtocolException("a folded header line with no header before it: " + preview(line));
                }
                Map.Entry<String, String> last = headers.removeLast();
                headers.add(Map.entry(last.getKey(), (last.getValue() + " " + line.strip()).strip()));
                continue;
            }
            int colon = line.indexOf(':');
            String name = colon > 0 ? line.substring(0, colon).strip() : "";
            if (name.isEmpty()) {
                throw new ProtocolException("not a header line: " + preview(line));
            }
            headers.add(Map.entry(name, line.substring(colon + 1).strip()));
        }
        return new Http1Head(minor, status, List.copyOf(headers));
    }

    private static int minorVersion(String statusLine) throws ProtocolException {
        if (statusLine.length() < 12
                || !statusLine.startsWith("HTTP/1.")
                || !isDigit(statusLine.charAt(7))
                || statusLine.charAt(8) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: " + preview(statusLine));
        }
        return statusLine.charAt(7) - '0';
    }

    private static int statusCode(String statusLine) throws ProtocolException {
        int i = 9;
        while (i < statusLine.length() && statusLine.charAt(i) == ' ') {
            i++;
        }
        if (i + 3 > statusLine.length()
                || !isDigit(statusLine.charAt(i))
                || !isDigit(statusLine.charAt(i + 1))
                || !isDigit(statusLine.charAt(i + 2))
                || i + 3 < statusLine.length() && statusLine.charAt(i + 3) != ' ') {
            throw new ProtocolException("not an HTTP/1.x status line: " + preview(statusLine));
        }
        return Integer.parseInt(statusLine, i, i + 3, 10);
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    private static String preview(String s) {
        String p = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder sb = new StringBuilder(p.length());
        for (char ch : p.toCharArray()) {
            sb.append(ch < 0x20 || ch > 0x7e ? '?' : ch);
        }
        return "\"" + sb + "\"";
    }

    /** An interim response (100 Continue, 103 Early Hints): the real one follows. */
    boolean interim() {
        return status >= 100 && status < 200 && status != 101;
    }

    /** The first value of {@code name}, compared case-insensitively. */
    Optional<String> header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return Optional.of(h.getValue());
            }
        }
        return Optional.empty();
    }

    /** How the body of this response to a {@code method} request ends (RFC 9112 section 6.3). */
    Framing framing(String method) throws ProtocolException {
        if (method.equals("HEAD") || status == 204 || status == 304 || status < 200) {
            return Framing.NONE;
        }
        if (hasTransferEncoding()) {
            return chunkedLast() ? Framing.CHUNKED : Framing.UNTIL_CLOSE;
        }
        return contentLength() >= 0 ? Framing.LENGTH : Framing.UNTIL_CLOSE;
    }

    /**
     * The declared Content-Length, or -1 when there is none. Repeated or listed values must agree.
     *
     * @throws ProtocolException when a value is not a number or values disagree
     */
    long contentLength() throws ProtocolException {
        long length = -1;
        for (Map.Entry<String, String> h : headers) {
            if (!h.getKey().equalsIgnoreCase("content-length")) {
                continue;
            }
            for (String v : h.getValue().split(",", -1)) {
                long n = parseLength(v.strip());
                if (length >= 0 && n != length) {
                    throw new ProtocolException("conflicting Content-Length values: " + preview(h.getValue()));
                }
                length = n;
            }
        }
        return length;
    }

    private static long parseLength(String v) throws ProtocolException {
        if (v.isEmpty() || v.length() > 18) {
            throw new ProtocolException("bad Content-Length: " + preview(v));
        }
        for (int i = 0; i < v.length(); i++) {
            if (!isDigit(v.charAt(i))) {
                throw new ProtocolException("bad Content-Length: " + preview(v));
            }
        }
        return Long.parseLong(v);
    }

    private boolean hasTransferEncoding() {
        return header("transfer-encoding").isPresent();
    }

    /** Whether chunked is the final transfer coding (the only case where the body's end is marked). */
    private boolean chunkedLast() {
        String last = "";
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("transfer-encoding")) {
                String[] codings = h.getValue().split(",");
                if (codings.length > 0) {
                    last = codings[codings.length - 1];
                }
            }
        }
        int semi = last.indexOf(';');
        return (semi < 0 ? last : last.substring(0, semi)).strip().equalsIgnoreCase("chunked");
    }

    /**
     * Whether the connection may carry another exchange after this response's body: HTTP/1.1 without
     * {@code Connection: close}, and a body whose end is marked. An HTTP/1.0 answer is never reused.
     */
    boolean keepAlive(Framing framing) {
        if (minorVersion < 1 || framing == Framing.UNTIL_CLOSE) {
            return false;
        }
        if (hasTransferEncoding() && header("content-length").isPresent()) {
            return false; // both framings at once: the message may be smuggled; do not trust what follows
        }
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("connection")) {
                for (String token : h.getValue().split(",")) {
                    if (token.strip().toLowerCase(Locale.ROOT).equals("close")) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
