package dev.anyclaude.testing;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.gateway.Gateway;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Consumer;

/** A real gateway on a loopback port 0 in front of a scripted upstream, with clients to talk to it. */
public final class GatewayFixture implements AutoCloseable {
    public final ScriptedOpenAiServer upstream;
    public final Gateway gateway;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public GatewayFixture() throws IOException {
        this(o -> {});
    }

    public GatewayFixture(Consumer<ServeOptions> tweak) throws IOException {
        upstream = new ScriptedOpenAiServer();
        ServeOptions o = options(upstream.url());
        tweak.accept(o);
        gateway = Gateway.start(o.settings());
    }

    public static ServeOptions options(String upstreamUrl) {
        ServeOptions o = new ServeOptions();
        o.backend = "openai";
        o.upstream = upstreamUrl;
        o.flavor = "auto";
        o.host = "127.0.0.1";
        o.port = 0;
        o.maxBodyBytes = 32L << 20;
        o.upstreamTimeoutSeconds = 30;
        o.pingSeconds = 5;
        o.slots = 1;
        return o;
    }

    public String url() {
        return gateway.url();
    }

    /** The official Anthropic Java client pointed at the gateway, with its own retries off. */
    public AnthropicClient client() {
        return AnthropicOkHttpClient.builder()
                .baseUrl(url())
                .apiKey("sk-test")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(30))
                .build();
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return post(path, body, b -> {});
    }

    public HttpResponse<String> post(String path, String body, Consumer<HttpRequest.Builder> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .header("anthropic-version", "2023-06-01")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.accept(b);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url() + path))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        gateway.close();
        upstream.close();
        http.close();
    }
}
