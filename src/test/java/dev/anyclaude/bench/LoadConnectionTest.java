package dev.anyclaude.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The load client's HTTP/1.1 framing, against a scripted server that answers each request with the next reply. */
class LoadConnectionTest {

    /** Serves {@code replies} in order on one connection, reading one request (head + 5-byte body) before each. */
    private static ServerSocket serve(List<String> replies) throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                for (String reply : replies) {
                    readRequest(in);
                    // split in two writes, so the client must join reads
                    byte[] b = reply.getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length / 2);
                    out.flush();
                    Thread.sleep(5);
                    out.write(b, b.length / 2, b.length - b.length / 2);
                    out.flush();
                }
                if (replies.getLast().contains("Connection: close")
                        || !replies.getLast().contains("Content-Length")
                                && !replies.getLast().contains("chunked")) {
                    s.shutdownOutput();
                }
                Thread.sleep(200);
            } catch (Exception e) {
                // the test fails on the client side
            }
        });
        return server;
    }

    private static void readRequest(InputStream in) throws Exception {
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            matched = (c == "\r\n\r\n".charAt(matched)) ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        in.readNBytes(5);
    }

    private static final byte[] REQUEST =
            "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII);

    @Test
    void readsContentLengthAndChunkedBodiesOnOneKeptAliveConnection() throws Exception {
        try (ServerSocket server = serve(List.of(
                        "HTTP/1.1 200 OK\r\nContent-Type: "
                                + "application/json\r\nContent-Length: 11\r\n\r\n{\"a\":\"xyz\"}",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "7;ext=1\r\nevent: \r\n10\r\nmessage_stop\n\n\n\n\r\n0\r\nX-Trailer: t\r\n\r\n"));
                LoadConnection c = new LoadConnection(server.getLocalPort())) {
            LoadConnection.Response first = c.exchange(REQUEST);
            assertThat(first.status()).isEqualTo(200);
            assertThat(c.bodyContains("\"xyz\"".getBytes(StandardCharsets.US_ASCII)))
                    .isTrue();
            assertThat(first.firstByteNanos()).isPositive().isLessThanOrEqualTo(first.totalNanos());
            LoadConnection.Response second = c.exchange(REQUEST);
            assertThat(second.status()).isEqualTo(200);
            assertThat(c.bodyContains("event: message_stop".getBytes(StandardCharsets.US_ASCII)))
                    .isTrue();
            assertThat(c.bodyContains("X-Trailer".getBytes(StandardCharsets.US_ASCII)))
                    .isFalse();
        }
    }

    @Test
    void readsAnUndelimitedBodyToTheEndOfTheConnection() throws Exception {
        try (ServerSocket server = serve(List.of("HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\noverloaded"));
                LoadConnection c = new LoadConnection(server.getLocalPort())) {
            LoadConnection.Response r = c.exchange(REQUEST);
            assertThat(r.status()).isEqualTo(503);
            assertThat(c.bodyPreview()).isEqualTo("overloaded");
        }
    }

    @Test
    void reportsABodyCutShortAsAnError() throws Exception {
        try (ServerSocket server =
                        serve(List.of("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort"));
                LoadConnection c = new LoadConnection(server.getLocalPort())) {
            assertThatThrownBy(() -> c.exchange(REQUEST)).isInstanceOf(EOFException.class);
        }
    }
}
