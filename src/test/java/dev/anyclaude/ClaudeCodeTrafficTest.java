package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Real Claude Code request bodies from the shared fixtures, sent over HTTP as Claude Code sent them. */
class ClaudeCodeTrafficTest {
    static final Path FIXTURES = dev.anyclaude.api.Fixtures.claudeCode();
    final ObjectMapper mapper = new ObjectMapper();

    static List<Path> bodies() throws Exception {
        try (Stream<Path> s = Files.walk(FIXTURES)) {
            List<Path> out = new ArrayList<>(
                    s.filter(p -> p.toString().endsWith(".body.json")).toList());
            Collections.sort(out);
            return out;
        }
    }

    HttpResponse<String> sendAsClaudeCode(GatewayFixture fx, Path body) throws Exception {
        JsonNode meta =
                mapper.readTree(Files.readString(Path.of(body.toString().replace(".body.json", ".request.json"))));
        return fx.post(
                "/v1/messages?beta=true",
                Files.readString(body),
                b -> meta.get("headers").fields().forEachRemaining(h -> {
                    String name = h.getKey();
                    if (!List.of("host", "content-length", "connection", "accept-encoding")
                            .contains(name)) {
                        b.setHeader(name, h.getValue().asText());
                    }
                }));
    }

    @Test
    void everyCapturedRequestIsAnsweredWithACompleteStreamAndNoBillingHeaderUpstream() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            fx.upstream.byDefault(Reply.stream(Chunks.text("ok")));
            List<Path> bodies = bodies();
            assertThat(bodies).hasSizeGreaterThanOrEqualTo(4);
            for (Path body : bodies) {
                HttpResponse<String> r = sendAsClaudeCode(fx, body);
                assertThat(r.statusCode()).as(body.toString()).isEqualTo(200);
                assertThat(r.body()).startsWith("event: message_start").contains("event: message_stop");
            }
            for (var req : fx.upstream.chatRequests()) {
                assertThat(req.body())
                        .doesNotContain("x-anthropic-billing-header")
                        .contains("\"tools\"");
            }
        }
    }

    @Test
    void aToolLoopSessionOnlyExtendsItsPromptEvenAsTheBillingHeaderChanges() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            fx.upstream.byDefault(Reply.stream(Chunks.text("ok")));
            List<Path> session = bodies().stream()
                    .filter(p -> p.toString().contains("p-tool-bash-read"))
                    .toList();
            for (int i = 0; i < session.size(); i++) {
                String body = Files.readString(session.get(i))
                        .replaceFirst("cc_version=[0-9.]+\\.[0-9a-f]{3};", "cc_version=2.1.197." + (100 + i) + ";");
                Path tmp = Files.createTempFile("turn", ".body.json");
                Files.writeString(tmp, body);
                Files.copy(
                        Path.of(session.get(i).toString().replace(".body.json", ".request.json")),
                        Path.of(tmp.toString().replace(".body.json", ".request.json")));
                assertThat(sendAsClaudeCode(fx, tmp).statusCode()).isEqualTo(200);
            }
            JsonNode stats = mapper.readTree(fx.get("/cache/stats").body());
            JsonNode stream = stats.path("streams").path("recent").get(0);
            assertThat(stream.path("requests").asInt()).isEqualTo(session.size());
            assertThat(stream.path("extended").asInt()).isEqualTo(session.size() - 1);
            assertThat(stream.path("diverged").asInt()).isZero();
        }
    }

    @Test
    void withoutNormalizationTheChangingBillingHeaderBreaksThePrefix() throws Exception {
        try (GatewayFixture fx = new GatewayFixture(o -> o.noNormalize = true)) {
            fx.upstream.byDefault(Reply.stream(Chunks.text("ok")));
            Path body = bodies().getFirst();
            String a =
                    Files.readString(body).replaceFirst("cc_version=[0-9.]+\\.[0-9a-f]{3};", "cc_version=2.1.197.aaa;");
            String b =
                    Files.readString(body).replaceFirst("cc_version=[0-9.]+\\.[0-9a-f]{3};", "cc_version=2.1.197.bbb;");
            fx.post("/v1/messages", a, h -> h.header("x-claude-code-session-id", "s"));
            fx.post("/v1/messages", b, h -> h.header("x-claude-code-session-id", "s"));
            JsonNode stream = mapper.readTree(fx.get("/cache/stats").body())
                    .path("streams")
                    .path("recent")
                    .get(0);
            assertThat(stream.path("diverged").asInt()).isEqualTo(1);
            assertThat(stream.path("last").path("part").asText()).isEqualTo("system");
        }
    }

    @Test
    void aClientThatLeavesCancelsTheUpstreamGeneration() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            List<String> slow = new ArrayList<>(Chunks.text("x".repeat(40)));
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                many.add(slow.get(1));
            }
            fx.upstream.then(Reply.stream(many, Duration.ofMillis(100), true));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<InputStream> r = http.send(
                    HttpRequest.newBuilder(URI.create(fx.url() + "/v1/messages"))
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"model\":\"m\",\"max_tokens\":100,\"stream\":true,"
                                            + "\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            InputStream in = r.body();
            in.readNBytes(300); // message_start and a delta or two
            in.close();
            http.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (fx.upstream.aborted() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(fx.upstream.aborted()).isEqualTo(1);
        }
    }
}
