package dev.anyclaude.backend;

import dev.anyclaude.time.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP client an {@link OpenAiBackend} calls its model server with: one blocking exchange per call, on
 * the caller's (virtual) thread. Its failures follow the JDK client's vocabulary so the backend classifies
 * them one way whichever implementation runs:
 *
 * <ul>
 *   <li>{@link java.net.ConnectException} or {@link java.net.http.HttpConnectTimeoutException}: no connection
 *       could be made (refused, unresolvable, connect timed out);
 *   <li>{@link java.net.http.HttpTimeoutException}: connected, but no response head within the timeout;
 *   <li>{@link java.net.ProtocolException}: the server answered something that is not HTTP/1.x;
 *   <li>any other {@link IOException}: the connection broke;
 *   <li>{@link InterruptedException}: the calling thread was interrupted (the client left).
 * </ul>
 */
sealed interface UpstreamClient extends AutoCloseable permits JdkUpstreamClient, Http1Client {

    /** The client for {@code baseUrl}'s scheme: plain HTTP/1.1 sockets for {@code http}, the JDK's for TLS. */
    static UpstreamClient forUpstream(URI baseUrl, Duration connectTimeout, Clock clock) {
        return "http".equalsIgnoreCase(baseUrl.getScheme())
                ? new Http1Client(connectTimeout, clock)
                : new JdkUpstreamClient(connectTimeout, clock);
    }

    /**
     * Sends one request and returns once the response head is in.
     *
     * @param method {@code GET} or {@code POST}
     * @param headers request headers besides Host and Content-Length (which the client sets)
     * @param body the request body, or null for none
     * @param timeout bound on waiting for the response head, and on each silence while the body is read
     */
    Reply send(String method, URI uri, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException, InterruptedException;

    @Override
    void close();

    /**
     * A response whose head has arrived; its body is read from {@link #body()}, and closing it releases the connection.
     */
    interface Reply extends AutoCloseable {
        int status();

        /** The first value of header {@code name} (case-insensitive). */
        Optional<String> header(String name);

        InputStream body();

        /** Whether reading the body failed because the server sent nothing for the timeout. */
        boolean expired();

        @Override
        void close();
    }
}
