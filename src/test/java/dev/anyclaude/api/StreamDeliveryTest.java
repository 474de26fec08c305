package dev.anyclaude.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events the gateway has translated reach the client before it waits for more from the model server,
 * although frames that arrive together are written together.
 */
class StreamDeliveryTest {
    private static final String STREAM_REQUEST = "{\"model\":\"claude-opus-4-8\",\"max_tokens\":50,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    private GatewayFixture fx;

    @AfterEach
    void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void textTheServerHasSentReachesTheClientWhileTheServerIsStillGenerating() throws Exception {
        fx = new GatewayFixture(o -> o.pingSeconds = 60); // no ping may flush for it
        List<String> first = Chunks.text("Hello there");
        CountDownLatch clientSawText = new CountDownLatch(1);
        AtomicBoolean restSent = new AtomicBoolean();
        fx.upstream.byDefault(ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            // everything but the finish chunk and usage, in one write: several events arrive together
            StringBuilder burst = new StringBuilder();
            for (String p : first.subList(0, first.size() - 2)) {
                burst.append("data: ").append(p).append("\n\n");
            }
            out.write(burst.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                clientSawText.await(20, TimeUnit.SECONDS); // bounded: a gateway that holds text back fails below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            restSent.set(true);
            StringBuilder rest = new StringBuilder();
            for (String p : first.subList(first.size() - 2, first.size())) {
                rest.append("data: ").append(p).append("\n\n");
            }
            out.write((rest + "data: [DONE]\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        });

        HttpResponse<InputStream> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(fx.url() + "/v1/messages"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(STREAM_REQUEST))
                                .build(),
                        HttpResponse.BodyHandlers.ofInputStream());

        List<String> lines = new ArrayList<>();
        boolean restSentWhenTextArrived = true;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                if (line.contains("\"text_delta\"") && clientSawText.getCount() == 1) {
                    restSentWhenTextArrived = restSent.get();
                    clientSawText.countDown();
                }
            }
        }

        assertThat(restSentWhenTextArrived)
                .as("the text was held back until the server sent the rest")
                .isFalse();
        assertThat(String.join("\n", lines))
                .contains("event: message_start")
                .contains("\"text\":\"Hel\"")
                .contains("\"text\":\"re\"")
                .contains("event: message_stop");
    }
}
