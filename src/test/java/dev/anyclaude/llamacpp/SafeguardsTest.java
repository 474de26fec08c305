package dev.anyclaude.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Auto mode's safeguards answered by the gateway, judged by the real llama.cpp server: the tool-calling model
 * ({@link ToolCallModel}) calls Bash, and the same server, asked with the verdict's JSON schema (which it turns
 * into a grammar), judges the call. The wire shape is Claude Code 2.1.332's: {@code safeguard_results} in the final
 * {@code message_delta}'s delta when streaming, top level in a whole message, keyed by the {@code tool_use} id.
 */
class SafeguardsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LlamaServerProcess server;
    private static Gateway gateway;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        server = LlamaServerProcess.start(ToolCallsTest.model(), List.of("-c", "16384", "-np", "2"));
        ServeOptions o = GatewayFixture.options(server.url());
        o.upstreamTimeoutSeconds = 120;
        o.responseCache = "off";
        gateway = Gateway.start(o.settings());
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Claude Code's own safeguards array, as 2.1.332 sent it in auto mode (the captured fixture). */
    private static JsonNode capturedSafeguards() throws Exception {
        return JSON.readTree(Files.readString(
                        Fixtures.claudeCode().resolve("2.1.332/auto-mode/01-POST-v1_messages.body.json")))
                .get("safeguards");
    }

    private static ObjectNode request(boolean stream, boolean safeguards, boolean withToolResult) throws Exception {
        ObjectNode r = JSON.createObjectNode()
                .put("model", "claude-opus-5-5")
                .put("max_tokens", 64)
                .put("stream", stream);
        ArrayNode tools = r.putArray("tools");
        ObjectNode bash = tools.addObject().put("name", "Bash").put("description", "Runs a shell command.");
        ObjectNode schema = bash.putObject("input_schema").put("type", "object");
        schema.putObject("properties").putObject("command").put("type", "string");
        schema.putArray("required").add("command");
        ArrayNode messages = r.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Run the tests.");
        if (withToolResult) {
            ObjectNode call = messages.addObject()
                    .put("role", "assistant")
                    .putArray("content")
                    .addObject()
                    .put("type", "tool_use")
                    .put("id", "toolu_01")
                    .put("name", "Bash");
            call.putObject("input").put("command", ToolCallsTest.COMMAND);
            messages.addObject()
                    .put("role", "user")
                    .putArray("content")
                    .addObject()
                    .put("type", "tool_result")
                    .put("tool_use_id", "toolu_01")
                    .put("content", "anyclaude-tool-call");
        }
        if (safeguards) {
            r.set("safeguards", capturedSafeguards());
        }
        return r;
    }

    private static HttpResponse<String> post(ObjectNode body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages?beta=true"))
                        .header("content-type", "application/json")
                        .header("anthropic-beta", "dangerous-tool-use-2026-09-03")
                        .timeout(Duration.ofMinutes(2))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode stats() throws Exception {
        return JSON.readTree(http.send(
                                HttpRequest.newBuilder(URI.create(gateway.url() + "/cache/stats"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .path("safeguards");
    }

    /** The one verdict of {@code results}, checked for Claude Code's shape, keyed by {@code toolUseId}. */
    private static JsonNode verdict(JsonNode results, String toolUseId) {
        assertThat(results.isArray()).as(String.valueOf(results)).isTrue();
        assertThat(results).hasSize(1);
        assertThat(results.at("/0/type").asText()).isEqualTo("dangerous_tool_use");
        assertThat(results.at("/0/status/type").asText()).isEqualTo("available");
        JsonNode uses = results.at("/0/status/tool_uses");
        assertThat(uses.size()).isEqualTo(1);
        JsonNode v = uses.path(toolUseId);
        assertThat(v.path("type").asText()).isEqualTo("evaluated");
        assertThat(v.path("outcome").asText()).isIn("flagged", "not_flagged");
        return v;
    }

    @Test
    void aWholeMessageCarriesAVerdictOnItsToolCallJudgedByTheServer() throws Exception {
        long before = stats().path("answers").asLong();
        long unjudgedBefore = stats().path("unjudged_blocked").asLong();
        HttpResponse<String> resp = post(request(false, true, false));
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode message = JSON.readTree(resp.body());
        JsonNode use = message.path("content").get(0);
        assertThat(use.path("type").asText()).isEqualTo("tool_use");

        JsonNode v = verdict(message.path("safeguard_results"), use.path("id").asText());
        JsonNode s = stats();
        assertThat(s.path("answers").asLong()).isEqualTo(before + 1);
        // The hand-built tool-calling model knows no JSON: asked for a verdict under the server's grammar it writes
        // "{" and runs out of tokens. That is a verdict that cannot be produced, so the call is blocked (fail closed).
        assertThat(v.path("outcome").asText()).isEqualTo("flagged");
        assertThat(v.path("explanation").asText()).contains("could not judge").contains("classifier's answer");
        assertThat(s.path("unjudged_blocked").asLong()).isEqualTo(unjudgedBefore + 1);
    }

    @Test
    void aStreamCarriesTheVerdictInTheFinalMessageDeltaOnly() throws Exception {
        HttpResponse<String> resp = post(request(true, true, false));
        assertThat(resp.statusCode()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        for (String line : resp.body().split("\n")) {
            if (line.startsWith("data: ")) {
                events.add(JSON.readTree(line.substring(6)));
            }
        }
        String toolUseId = events.stream()
                .filter(e -> e.path("type").asText().equals("content_block_start"))
                .map(e -> e.path("content_block"))
                .filter(b -> b.path("type").asText().equals("tool_use"))
                .findFirst()
                .orElseThrow()
                .path("id")
                .asText();
        JsonNode delta = events.stream()
                .filter(e -> e.path("type").asText().equals("message_delta"))
                .findFirst()
                .orElseThrow()
                .path("delta");
        assertThat(delta.path("stop_reason").asText()).isEqualTo("tool_use");
        verdict(delta.path("safeguard_results"), toolUseId);
        assertThat(events.getFirst().path("message").has("safeguard_results")).isFalse();
        assertThat(events.getLast().path("type").asText()).isEqualTo("message_stop");
    }

    @Test
    void anAnswerWithoutToolCallsSaysSoAndARequestWithoutSafeguardsGetsNone() throws Exception {
        JsonNode text = JSON.readTree(post(request(false, true, true)).body());
        assertThat(text.path("stop_reason").asText()).isEqualTo("end_turn");
        JsonNode results = text.path("safeguard_results");
        assertThat(results.at("/0/status/type").asText()).isEqualTo("available");
        assertThat(results.at("/0/status/tool_uses").size()).isZero();

        JsonNode plain = JSON.readTree(post(request(false, false, false)).body());
        assertThat(plain.path("content").get(0).path("type").asText()).isEqualTo("tool_use");
        assertThat(plain.has("safeguard_results")).isFalse();
    }
}
