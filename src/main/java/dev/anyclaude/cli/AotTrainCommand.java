package dev.anyclaude.cli;

import dev.anyclaude.gateway.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code anyclaude aot-train} (hidden): a short, representative run of the gateway — start-up, then JSON
 * and streamed Claude-Code-shaped requests, count_tokens, models, stats and metrics against an in-process
 * stub on loopback — for the launcher to record a JDK AOT cache from. With that cache the next start
 * loads and links its classes from the cache instead of from the jar.
 */
@Command(name = "aot-train", hidden = true, description = "Run a short workload to record the start-up cache.")
public final class AotTrainCommand implements Callable<Integer> {
    @Option(names = "--requests", defaultValue = "200", description = "Requests of each kind.")
    int requests;

    @Override
    public Integer call() throws Exception {
        String body = new String(
                AotTrainCommand.class
                        .getResourceAsStream("/demo/claude-code-request.json")
                        .readAllBytes(),
                StandardCharsets.UTF_8);
        try (StubModelServer stub = StubModelServer.start(0);
                HttpClient http = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build()) {
            ServeOptions o = new ServeOptions();
            o.upstream = stub.url();
            o.port = 0;
            o.responseCache = "off";
            try (Gateway gateway = Gateway.start(o.settings())) {
                for (int i = 0; i < requests; i++) {
                    String unique = body.replace("Show me the git status of this repo.", "Question " + i);
                    post(http, gateway.url() + "/v1/messages", unique);
                    post(http, gateway.url() + "/v1/messages", unique.replace("\"stream\": true", "\"stream\": false"));
                }
                post(http, gateway.url() + "/v1/messages/count_tokens", body);
                for (String path : new String[] {"/v1/models", "/cache/stats", "/metrics", "/health", "/ready"}) {
                    http.send(
                            HttpRequest.newBuilder(URI.create(gateway.url() + path))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                }
            }
        }
        return 0;
    }

    private static void post(HttpClient http, String url, String body) throws Exception {
        http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
