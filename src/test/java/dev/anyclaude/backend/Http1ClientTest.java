package dev.anyclaude.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.time.Clock;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plain HTTP/1.1 upstream client, against a raw socket server that answers exactly what each case needs. */
class Http1ClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

    private final Http1Client client = new Http1Client(Duration.ofSeconds(5), Clock.SYSTEM);
    private RawHttpServer server;

    @AfterEach
    void stop() throws IOException {
        client.close();
        if (server != null) {
            server.close();
        }
    }

    private String post(String path, String body) throws Exception {
        try (UpstreamClient.Reply r =
                client.send("POST", server.uri(path), JSON, body.getBytes(StandardCharsets.UTF_8), TIMEOUT)) {
            return r.status() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void writesTheRequestLineHostHeadersAndBody() throws Exception {
        server = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        try (UpstreamClient.Reply r = client.send(
                "POST",
                server.uri("/v1/chat/completions?x=1"),
                Map.of("Authorization", "Bearer k"),
                "{\"a\":1}".getBytes(StandardCharsets.UTF_8),
                TIMEOUT)) {
            r.body().readAllBytes();
        }

        assertThat(server.requests())
                .singleElement()
                .isEqualTo("POST /v1/chat/completions?x=1 HTTP/1.1\r\nHost: " + server.hostPort()
                        + "\r\nAuthorization: Bearer k\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedBeforeAnythingIsSent() throws Exception {
        server = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        assertThatThrownBy(() ->
                        client.send("GET", server.uri("/"), Map.of("Authorization", "Bearer k\r\nX: y"), null, TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.accepted()).isZero();
    }

    @Test
    void contentLengthAnswersReuseOneConnection() throws Exception {
        server = RawHttpServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello");

        for (int i = 0; i < 5; i++) {
            assertThat(post("/v1/x", "{}")).isEqualTo("200 hello");
        }

        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.requests()).hasSize(5);
        assertThat(client.idleConnections(server.hostPort())).isEqualTo(1);
    }

    @Test
    void chunkedBodySplitAcrossWritesWithExtensionsAndTrailersIsJoinedAndTheConnectionReused() throws Exception {
        String response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=value\r\nWiki\r\n5 ; ext\r\npedia\r\nE\r\n "
                + "in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\nX-More: 1\r\n\r\n";
        server = new RawHttpServer(c -> {
            while (c.request() != null) {
                c.trickle(response, 7);
            }
        });

        assertThat(post("/", "{}")).isEqualTo("200 Wikipedia in\r\n\r\nchunks.");
        assertThat(post("/", "{}")).isEqualTo("200 Wikipedia in\r\n\r\nchunks.");

        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void aCloseDelimitedBodyEndsAtEndOfStreamAndItsConnectionIsNotReused() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: a\n\n");
            c.write("data: b\n\n");
        });

        assertThat(post("/", "{}")).isEqualTo("200 data: a\n\ndata: b\n\n");
        assertThat(post("/", "{}")).isEqualTo("200 data: a\n\ndata: b\n\n");

        assertThat(server.accepted()).isEqualTo(2);
    }

    @Test
    void interimResponsesBeforeTheRealOneAreSkipped() throws Exception {
        server = RawHttpServer.answering("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");

        assertThat(post("/", "{}")).isEqualTo("201 ok");
        assertThat(post("/", "{}")).isEqualTo("201 ok");
        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void connectionCloseAndHttp10AnswersAreNotPooled() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.write(
                    c.index == 0
                            ? "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 1\r\n\r\na"
                            : "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nb");
            c.awaitClientClose();
        });

        assertThat(post("/", "{}")).isEqualTo("200 a");
        assertThat(client.idleConnections(server.hostPort())).isZero();
        assertThat(post("/", "{}")).isEqualTo("200 b");
        assertThat(client.idleConnections(server.hostPort())).isZero();
        assertThat(server.accepted()).isEqualTo(2);
    }

    @Test
    void headersAreCaseInsensitiveAndFoldedOrOddlySpacedLinesAreTolerated() throws Exception {
        server = RawHttpServer.answering(
                "HTTP/1.1  429\r\nretry-AFTER :  7 \r\nX-Folded: one\r\n\t two\r\ncontent-length:\t3\r\n\r\nnah");

        try (UpstreamClient.Reply r = client.send("GET", server.uri("/"), Map.of(), null, TIMEOUT)) {
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.header("Retry-After")).contains("7");
            assertThat(r.header("x-folded")).contains("one two");
            assertThat(r.body().readAllBytes()).asString().isEqualTo("nah");
        }
    }

    @Test
    void aStatusLineThatIsNotHttpIsAProtocolException() throws Exception {
        server = RawHttpServer.answering("<html><body>502 Bad Gateway</body></html>\r\n\r\n");

        assertThatThrownBy(() -> post("/", "{}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("not an HTTP/1.x status line")
                .hasMessageContaining("<html>");
        assertThat(server.accepted()).as("garbage is not retried").isEqualTo(1);
    }

    @Test
    void headersBeyondTheLimitAreRefusedInsteadOfBuffered() throws Exception {
        String header = "X-Padding: " + "p".repeat(1000) + "\r\n";
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 10_000; i++) { // 10 MB of headers, unless the client stops reading
                c.write(header);
            }
        });

        assertThatThrownBy(() -> post("/", "{}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("longer than");
    }

    @Test
    void conflictingContentLengthsAreAProtocolException() throws Exception {
        server = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");

        assertThatThrownBy(() -> post("/", "{}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("Content-Length");
    }

    @Test
    void aBadChunkSizeFailsTheBodyRead() throws Exception {
        server = RawHttpServer.answering("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");

        assertThatThrownBy(() -> post("/", "{}"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("chunk size");
        assertThat(client.idleConnections(server.hostPort())).isZero();
    }

    @Test
    void aBodyCutShortOfItsContentLengthIsAnEofNotAShortSuccess() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        });

        assertThatThrownBy(() -> post("/", "{}"))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("6 bytes short");
        assertThat(client.idleConnections(server.hostPort())).isZero();
    }

    @Test
    void aKeepAliveConnectionTheServerClosedWhileIdleIsRetriedOnceOnAFreshOne() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: " + (c.index + 1) + "\r\n\r\n" + "x".repeat(c.index + 1));
            if (c.index == 0) {
                c.socket.close(); // the server's keep-alive timeout, right after answering
                firstClosed.countDown();
            } else {
                c.awaitClientClose();
            }
        });
        assertThat(post("/", "{}")).isEqualTo("200 x");
        assertThat(client.idleConnections(server.hostPort())).isEqualTo(1);
        assertThat(firstClosed.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(post("/", "{}")).isEqualTo("200 xx");

        assertThat(server.accepted()).isEqualTo(2);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aFreshConnectionThatDiesUnansweredIsNotRetried() throws Exception {
        server = new RawHttpServer(c -> c.request()); // reads the request, then hangs up

        assertThatThrownBy(() -> post("/", "{}"))
                .isInstanceOf(EOFException.class)
                .hasMessageContaining("without answering");
        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void aReusedConnectionThatDiesMidAnswerIsNotRetried() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            c.request();
            c.write("HTTP/1.1 200 O"); // the second answer breaks off: the server may have acted on it
        });
        assertThat(post("/", "{}")).isEqualTo("200 ok");

        assertThatThrownBy(() -> post("/", "{}")).isInstanceOf(EOFException.class);
        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void noResponseHeadWithinTheTimeoutIsAnHttpTimeout() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.awaitClientClose();
        });

        assertThatThrownBy(() -> client.send("POST", server.uri("/"), JSON, new byte[0], Duration.ofMillis(200)))
                .isInstanceOf(HttpTimeoutException.class)
                .hasMessageContaining("within 200 ms");
        assertThat(server.accepted()).as("a slow server is not asked twice").isEqualTo(1);
    }

    @Test
    void aLargeRequestTheServerStopsReadingIsAnHttpTimeoutNotAHang() throws Exception {
        CountDownLatch testDone = new CountDownLatch(1);
        server = new RawHttpServer(c -> testDone.await(20, TimeUnit.SECONDS)); // accepts, reads nothing
        byte[] body = new byte[64 << 20]; // far beyond what loopback socket buffers hold
        try {
            assertThatThrownBy(() -> client.send("POST", server.uri("/"), JSON, body, Duration.ofMillis(300)))
                    .isInstanceOf(HttpTimeoutException.class)
                    .hasRootCauseInstanceOf(java.net.SocketException.class);
            assertThat(server.accepted()).as("not sent again").isEqualTo(1);
        } finally {
            testDone.countDown();
        }
    }

    @Test
    void aServerSilentAfterItsHeadersExpiresTheBodyAndItsConnectionIsDropped() throws Exception {
        CountDownLatch clientClosed = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            if (c.awaitClientClose()) {
                clientClosed.countDown();
            }
        });

        try (UpstreamClient.Reply r = client.send("POST", server.uri("/"), JSON, new byte[0], Duration.ofMillis(200))) {
            assertThat(r.body().readNBytes(5)).asString().isEqualTo("hello");
            assertThat(r.expired()).isFalse();
            assertThatThrownBy(() -> r.body().read())
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(java.io.InterruptedIOException.class)
                    .hasMessageContaining("sent nothing");
            assertThat(r.expired()).isTrue();
        }
        assertThat(clientClosed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.idleConnections(server.hostPort())).isZero();
    }

    @Test
    void interruptingAVirtualThreadBlockedOnTheAnswerClosesTheSocketAtOnce() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        CountDownLatch clientClosed = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            c.request();
            asked.countDown();
            if (c.awaitClientClose()) {
                clientClosed.countDown();
            }
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                client.send("POST", server.uri("/"), JSON, new byte[0], Duration.ofMinutes(5))
                        .close();
            } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();

        assertThat(caller.join(Duration.ofSeconds(10))).as("the call ended").isTrue();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(stillInterrupted.get())
                .as("InterruptedException consumes the flag")
                .isFalse();
        assertThat(clientClosed.await(10, TimeUnit.SECONDS))
                .as("the server saw the socket close")
                .isTrue();
        assertThat(client.idleConnections(server.hostPort())).isZero();
        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void aCallerInterruptedBeforeItCallsDoesNotWaitForTheAnswer() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.awaitClientClose();
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().unstarted(() -> {
            Thread.currentThread().interrupt(); // the client left before the request got this far
            try {
                client.send("POST", server.uri("/"), JSON, new byte[0], Duration.ofMinutes(5))
                        .close();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();

        assertThat(caller.join(Duration.ofSeconds(10))).as("the call ended").isTrue();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(client.idleConnections(server.hostPort())).isZero();
    }

    @Test
    void interruptingAVirtualThreadReadingTheBodyFailsTheReadAndDropsTheConnection() throws Exception {
        CountDownLatch clientClosed = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "9\r\ndata: a\n\n\r\n");
            if (c.awaitClientClose()) {
                clientClosed.countDown();
            }
        });
        CountDownLatch readFirst = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> interrupted = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try (UpstreamClient.Reply r =
                    client.send("POST", server.uri("/"), JSON, new byte[0], Duration.ofMinutes(5))) {
                r.body().readNBytes(9);
                readFirst.countDown();
                r.body().read();
            } catch (Throwable t) {
                thrown.set(t);
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        assertThat(readFirst.await(10, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();

        assertThat(caller.join(Duration.ofSeconds(10))).isTrue();
        assertThat(thrown.get()).isInstanceOf(IOException.class);
        assertThat(interrupted.get())
                .as("the backend reads the flag to tell 'client left'")
                .isTrue();
        assertThat(clientClosed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.idleConnections(server.hostPort())).isZero();
    }

    @Test
    void closingBeforeTheEndOfALongStreamClosesTheSocketSoTheServerStops() throws Exception {
        CountDownLatch serverStopped = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            c.request();
            c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
            try {
                for (int i = 0; i < 100_000; i++) { // far more than the drain allowance, unless the client hangs up
                    c.write("400\r\n" + "t".repeat(0x400) + "\r\n");
                }
            } catch (IOException e) {
                serverStopped.countDown();
            }
        });

        try (UpstreamClient.Reply r = client.send("POST", server.uri("/"), JSON, new byte[0], TIMEOUT)) {
            assertThat(r.body().readNBytes(10)).hasSize(10);
        }

        assertThat(serverStopped.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(client.idleConnections(server.hostPort())).isZero();
    }

    @Test
    void closingWithASmallRestAlreadyArrivedKeepsTheConnection() throws Exception {
        CountDownLatch sent = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            while (c.request() != null) {
                c.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2000\r\n\r\n" + "e".repeat(2000));
                sent.countDown();
            }
        });

        try (UpstreamClient.Reply r = client.send("POST", server.uri("/"), JSON, new byte[0], TIMEOUT)) {
            assertThat(sent.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(r.status()).isEqualTo(503);
            r.body().readNBytes(100);
        }
        assertThat(post("/", "{}")).startsWith("503 eee");

        assertThat(server.accepted()).isEqualTo(1);
    }

    @Test
    void aRefusedConnectionIsAConnectException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }

        assertThatThrownBy(
                        () -> client.send("GET", URI.create("http://127.0.0.1:" + port + "/"), Map.of(), null, TIMEOUT))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aNoContentAnswerHasAnEmptyBodyAndKeepsTheConnection() throws Exception {
        server = RawHttpServer.answering("HTTP/1.1 204 No Content\r\n\r\n");

        assertThat(post("/", "{}")).isEqualTo("204 ");
        assertThat(post("/", "{}")).isEqualTo("204 ");
        assertThat(server.accepted()).isEqualTo(1);
    }
}
