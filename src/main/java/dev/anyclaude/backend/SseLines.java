package dev.anyclaude.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the {@code data:} payloads of a server-sent-events body, one event line at a time, without
 * materializing anything but the payload strings. Multi-line data fields are joined with newlines.
 */
final class SseLines {
    private final InputStream in;
    private byte[] buf = new byte[16 * 1024];
    private int pos;
    private int limit;
    private boolean eof;

    SseLines(InputStream in) {
        this.in = in;
    }

    /** The next event's data, or null at end of stream. */
    String nextData() throws IOException {
        StringBuilder data = null;
        String line;
        while ((line = nextLine()) != null) {
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
                continue;
            }
            if (line.startsWith("data:")) {
                String payload = line.length() > 5 && line.charAt(5) == ' ' ? line.substring(6) : line.substring(5);
                if (data == null) {
                    data = new StringBuilder(payload);
                } else {
                    data.append('\n').append(payload);
                }
            }
            // event:, id:, retry: and comments carry nothing the translators need
        }
        return data == null ? null : data.toString();
    }

    /** Reads the rest of the body so a keep-alive connection can be reused. */
    void drain() throws IOException {
        while (!eof) {
            pos = limit;
            fill();
        }
    }

    private String nextLine() throws IOException {
        int start = pos;
        while (true) {
            for (int i = start; i < limit; i++) {
                if (buf[i] == '\n') {
                    int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
                    String s = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
                    pos = i + 1;
                    return s;
                }
            }
            start = limit;
            if (eof) {
                if (pos < limit) {
                    String s = new String(buf, pos, limit - pos, StandardCharsets.UTF_8);
                    pos = limit;
                    return s;
                }
                return null;
            }
            int consumed = pos;
            fill();
            start -= consumed;
        }
    }

    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            byte[] bigger = new byte[buf.length * 2];
            System.arraycopy(buf, 0, bigger, 0, limit);
            buf = bigger;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }
}
