package dev.anyclaude.backend;

import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * The {@link UpstreamClient} for {@code https} upstreams: the JDK's {@link HttpClient} (HTTP/1.1), whose
 * response bodies are watched by an {@link IdleGuard} since the client itself has no idle limit.
 */
final class JdkUpstreamClient implements UpstreamClient {
    private final HttpClient http;
    private final Clock clock;

    JdkUpstreamClient(Duration connectTimeout, Clock clock) {
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    @Override
    public Reply send(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        HttpResponse<InputStream> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new GuardedReply(resp, new IdleGuard(resp.body(), timeout, clock));
    }

    @Override
    public void close() {
        http.close();
    }

    private record GuardedReply(HttpResponse<InputStream> response, IdleGuard body) implements Reply {
        @Override
        public int status() {
            return response.statusCode();
        }

        @Override
        public Optional<String> header(String name) {
            return response.headers().firstValue(name);
        }

        @Override
        public boolean expired() {
            return body.expired();
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException e) {
                // closing abandons the exchange; the client drops the connection itself
            }
        }
    }
}
