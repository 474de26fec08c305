package dev.anyclaude.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.GatewayException;
import dev.anyclaude.messages.Json;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OpenAiBackend over the plain HTTP/1.1 client, against raw servers that behave like real ones do at the
 * edges: llama.cpp closing a keep-alive connection after a stream, a proxy answering HTML, a server that
 * goes silent, a client that leaves.
 */
class OpenAiBackendOverHttp1Test {
    private static final ObjectMapper JSON = Json.create();

    private RawHttpServer server;
    private OpenAiBackend backend;

    @AfterEach
    void stop() throws IOException {
        if (backend != null) {
            backend.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private OpenAiBackend backend(String apiKey, Duration responseTimeout) {
        backend = new OpenAiBackend(
                new OpenAiConfig(
                        OpenAiConfig.normalizeBase(server.uri("").toString()),
                        apiKey,
                        Flavor.GENERIC,
                        0,
                        Duration.ofSeconds(5),
                        responseTimeout,
                        InlineSystem.AUTO),
                JSON);
        return backend;
    }

    private static BackendRequest request(boolean stream) {
        return new BackendRequest(
                new RequestParser(JSON)
                        .parse(("{\"model\":\"m\",\"max_tokens\":20,\"stream\":" + stream
                                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                                .getBytes(StandardCharsets.UTF_8)),
                null,
                "r1");
    }

    private static String sse(List<String> payloads) {
        StringBuilder body = new StringBuilder();
        for (String p : payloads) {
            body.append("data: ").append(p).append("\n\n");
        }
        body.append("data: [DONE]\n\n");
        byte[] b = body.toString().getBytes(StandardCharsets.UTF_8);
        return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                + Integer.toHexString(b.length) + "\r\n" + new String(b, StandardCharsets.ISO_8859_1) + "\r\n0\r\n\r\n";
    }

    private static String text(List<StreamEvent> events) {
        StringBuilder sb = new StringBuilder();
        for (StreamEvent e : events) {
            if (e instanceof StreamEvent.BlockDelta d && d.delta() instanceof StreamEvent.TextDelta t) {
                sb.append(t.text());
            }
        }
        return sb.toString();
    }

    @Test
    void streamsOverAConnectionTheServerClosesAfterEveryStream() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            c.write(sse(Chunks.text("Hello there.")));
            // like llama.cpp: no Connection: close, yet the socket is closed once the stream is over
        });
        backend("sk-test", Duration.ofSeconds(10));

        for (int i = 0; i < 3; i++) {
            List<StreamEvent> events = new ArrayList<>();
            backend.generate(request(true), events::add);
            assertThat(text(events)).isEqualTo("Hello there.");
        }

        assertThat(server.requests())
                .hasSize(3)
                .allSatisfy(r -> assertThat(r)
                        .startsWith("POST /v1/chat/completions HTTP/1.1\r\n")
                        .contains("\r\nAuthorization: Bearer sk-test\r\n")
                        .contains("\r\nAccept: text/event-stream\r\n"));
    }

    @Test
    void consecutiveRequestsShareOneKeepAliveConnection() throws Exception {
        server = new RawHttpServer(c -> {
            while (c.request() != null) {
                c.write(sse(Chunks.text("again")));
            }
        });
        backend(null, Duration.ofSeconds(10));

        for (int i = 0; i < 4; i++) {
            List<StreamEvent> events = new ArrayList<>();
            backend.generate(request(true), events::add);
            assertThat(text(events)).isEqualTo("again");
        }

        assertThat(server.accepted()).isEqualTo(1);
        assertThat(server.requests()).allSatisfy(r -> assertThat(r).doesNotContain("Authorization"));
    }

    @Test
    void anAnswerThatIsNotHttpIsAProtocolViolationNamingTheBackend() throws Exception {
        server = RawHttpServer.answering("SSH-2.0-OpenSSH_9.6\r\n");
        backend(null, Duration.ofSeconds(10));

        assertThatThrownBy(() -> backend.generate(request(false), e -> {}))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.PROTOCOL_VIOLATION))
                .hasMessageContaining(server.uri("/v1").toString())
                .hasMessageContaining("SSH-2.0");
    }

    @Test
    void aServerSilentBeforeItsHeadersIsATimeoutAndSilentAfterThemIsTooWithItsOwnMessage() throws Exception {
        server = new RawHttpServer(c -> {
            c.request();
            if (c.index == 1) {
                c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            }
            c.awaitClientClose();
        });
        backend(null, Duration.ofMillis(300));

        assertThatThrownBy(() -> backend.generate(request(true), e -> {}))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BACKEND_TIMEOUT))
                .hasMessageContaining("did not answer within");
        assertThatThrownBy(() -> backend.generate(request(true), e -> {}))
                .isInstanceOfSatisfying(
                        GatewayException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.BACKEND_TIMEOUT))
                .hasMessageContaining("sent nothing for");
    }

    @Test
    void aStatusErrorCarriesTheServersRetryAfter() throws Exception {
        server = RawHttpServer.answering(
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 40\r\n\r\n{\"error\":{\"message\":\"slow down please\"}}");
        backend(null, Duration.ofSeconds(10));

        assertThatThrownBy(() -> backend.generate(request(false), e -> {}))
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.RATE_LIMITED);
                    assertThat(e.retryAfterSeconds()).isEqualTo(7);
                })
                .hasMessageContaining("slow down please");
    }

    @Test
    void interruptingTheRequestThreadIsTheClientLeaving() throws Exception {
        CountDownLatch asked = new CountDownLatch(1);
        server = new RawHttpServer(c -> {
            c.request();
            asked.countDown();
            c.awaitClientClose();
        });
        backend(null, Duration.ofMinutes(5));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                backend.generate(request(true), e -> {});
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();

        caller.interrupt();

        assertThat(caller.join(Duration.ofSeconds(10))).isTrue();
        assertThat(thrown.get()).isInstanceOf(InterruptedIOException.class).hasMessageContaining("the client left");
    }

    @Test
    void picksThePlainClientForHttpAndTheJdkClientForHttps() {
        try (UpstreamClient plain = UpstreamClient.forUpstream(
                        java.net.URI.create("http://127.0.0.1:8080/v1"), Duration.ofSeconds(1), Clock.SYSTEM);
                UpstreamClient tls = UpstreamClient.forUpstream(
                        java.net.URI.create("https://example.invalid/v1"), Duration.ofSeconds(1), Clock.SYSTEM)) {
            assertThat(plain).isInstanceOf(Http1Client.class);
            assertThat(tls).isInstanceOf(JdkUpstreamClient.class);
        }
    }
}
