package dev.anyclaude.l1;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.api.Fixtures;
import dev.anyclaude.bench.AgentReplayRequest;
import dev.anyclaude.bench.AgentReplaySession;
import dev.anyclaude.bench.AgentReplayTrim;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.gateway.Gateway;
import dev.anyclaude.messages.Json;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.LlamaServerProcess;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * L1 in front of the real llama.cpp server (v0.5.0, default flags: 4 slots over one unified KV pool, host-RAM
 * prompt cache on), with Claude Code's request shapes: every turn after the first reuses the previous prompt
 * while a sub-agent runs in between, a new session reuses the shared system prompt once the billing header is
 * gone, what the gateway reports equals the server's own counters, and the start-up warm works.
 */
class ServerPrefixCacheTest {
    private static final ObjectMapper JSON = Json.create();
    static final Path SAY_HI = Fixtures.claudeCode().resolve("p-say-hi-1/02-POST-v1_messages.body.json");

    @TempDir
    Path dir;

    private static AgentReplaySession session() throws Exception {
        return AgentReplaySession.load(
                Fixtures.claudeCode().resolve("p-tool-bash-read"),
                AgentReplayTrim.ci(),
                AgentReplaySession.Billing.PER_SESSION,
                JSON);
    }

    private static Gateway gateway(String upstream, boolean normalize) {
        ServeOptions o = GatewayFixture.options(upstream);
        o.upstreamTimeoutSeconds = 300;
        o.responseCache = "off"; // every turn must reach the server
        o.noNormalize = !normalize;
        return Gateway.start(o.settings());
    }

    /** One answered request: the prompt tokens its usage reports, and how many of them were reused. */
    record Answer(String agent, int turn, long prompt, long reused) {}

    private static Answer send(HttpClient http, Gateway g, AgentReplayRequest r) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(g.url() + "/v1/messages?beta=true"))
                .timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body()))
                                .put("stream", false))));
        r.headers().forEach(b::header);
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        JsonNode usage = JSON.readTree(resp.body()).path("usage");
        long reused = usage.path("cache_read_input_tokens").asLong();
        return new Answer(r.agent(), r.turn(), usage.path("input_tokens").asLong() + reused, reused);
    }

    private static JsonNode stats(HttpClient http, Gateway g) throws Exception {
        return JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create(g.url() + "/cache/stats"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
    }

    private static JsonNode statsWhen(HttpClient http, Gateway g, Predicate<JsonNode> ready) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        JsonNode s = stats(http, g);
        while (!ready.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = stats(http, g);
        }
        return s;
    }

    @Test
    void fromTurnTwoEveryTurnReusesItsPreviousPromptWithASubAgentInBetween() throws Exception {
        AgentReplaySession one = session();
        List<AgentReplayRequest> requests = AgentReplaySession.interleave(one.mainAgent(4), one.subAgent(3));
        try (LlamaServerProcess server = LlamaServerProcess.start("-c", "65536");
                Gateway g = gateway(server.url(), true);
                HttpClient http = HttpClient.newHttpClient()) {
            Map<String, Double> before = server.metrics();
            List<Answer> answers = new ArrayList<>();
            for (AgentReplayRequest r : requests) {
                answers.add(send(http, g, r));
            }
            Map<String, Double> after = server.metrics();

            Map<String, Long> previous = new HashMap<>();
            for (Answer a : answers) {
                Long prev = previous.put(a.agent(), a.prompt());
                if (prev != null) {
                    assertThat((double) a.reused() / prev)
                            .as(a.agent() + " turn " + a.turn() + " reuses its previous prompt")
                            .isGreaterThanOrEqualTo(0.95);
                }
            }
            long reported = answers.stream().mapToLong(Answer::reused).sum();
            long prompt = answers.stream().mapToLong(Answer::prompt).sum();
            assertThat(reported)
                    .as("usage.cache_read_input_tokens against the server's own count")
                    .isEqualTo((long)
                            (after.get("prompt_tokens_cached_total") - before.get("prompt_tokens_cached_total")));
            assertThat(prompt - reported)
                    .as("processed prompt tokens against the server's own count")
                    .isEqualTo((long) (after.get("prompt_tokens_total") - before.get("prompt_tokens_total")));
            JsonNode totals = stats(http, g).path("l1").path("totals");
            assertThat(totals.path("requests").asLong()).isEqualTo(requests.size());
            assertThat(totals.path("prompt_tokens").asLong()).isEqualTo(prompt);
            assertThat(totals.path("reused_tokens").asLong()).isEqualTo(reported);
        }
    }

    /**
     * Claude Code's billing line differs between sessions a few dozen tokens into the system prompt. Normalized, a
     * new session's first request reuses everything up to its own first prompt; as sent, almost nothing.
     */
    @Test
    void aNewSessionReusesTheSharedSystemPromptOnlyOnceTheBillingLineIsGone() throws Exception {
        AgentReplaySession base = session();
        AgentReplayRequest first = base.forSession("11111111-1111-4111-8111-111111111111", "a01", "Fix the tests.")
                .mainAgent(1)
                .getFirst();
        AgentReplayRequest second = base.forSession("22222222-2222-4222-8222-222222222222", "b02", "Explain the code.")
                .mainAgent(1)
                .getFirst();
        long shared = sharedPrefixChars(first.body(), second.body());
        for (boolean normalize : new boolean[] {true, false}) {
            try (LlamaServerProcess server = LlamaServerProcess.start("-c", "65536");
                    Gateway g = gateway(server.url(), normalize);
                    HttpClient http = HttpClient.newHttpClient()) {
                send(http, g, first);
                double processedBefore = server.metrics().get("prompt_tokens_total");
                Answer a = send(http, g, second);
                long processed = (long) (server.metrics().get("prompt_tokens_total") - processedBefore);
                if (normalize) {
                    // one token per character: the reuse reaches the first prompt (the billing line is gone, so the
                    // shared part of the bodies is a little longer than the shared part of the prompts)
                    assertThat(a.reused()).as("normalized").isGreaterThan(shared / 2);
                    assertThat(processed).isLessThan(a.prompt() / 2);
                } else {
                    assertThat(a.reused()).as("billing line kept").isLessThan(200);
                }
            }
        }
    }

    /** How many characters the system prompts of two bodies share before the billing line's digits differ. */
    private static long sharedPrefixChars(String a, String b) throws Exception {
        String sa = JSON.readTree(a).path("system").toString();
        String sb = JSON.readTree(b).path("system").toString();
        int n = 0;
        while (n < Math.min(sa.length(), sb.length()) && sa.charAt(n) == sb.charAt(n)) {
            n++;
        }
        return sa.length() - n < 100 ? sa.length() : n;
    }

    @Test
    void theWarmFileIsPrefilledAtStartUpAndTheFirstRequestFindsItsPrefix() throws Exception {
        try (LlamaServerProcess server = LlamaServerProcess.start("-c", "65536")) {
            ServeOptions o = GatewayFixture.options(server.url());
            o.upstreamTimeoutSeconds = 300;
            o.responseCache = "off";
            o.warmFile = SAY_HI;
            try (Gateway g = Gateway.start(o.settings());
                    HttpClient http = HttpClient.newHttpClient()) {
                JsonNode s = statsWhen(
                        http, g, x -> x.path("l1").path("warm").path("done").asInt() == 1);
                assertThat(s.path("l1").path("warm").path("done").asInt()).isEqualTo(1);
                long warmed =
                        s.path("l1").path("totals").path("warm_prompt_tokens").asLong();
                assertThat(warmed).isGreaterThan(10_000);
                assertThat(server.promptTokensProcessed()).isEqualTo(warmed);

                // Claude Code's own request, with another billing line: it finds its whole prefix warm
                String body = Files.readString(SAY_HI)
                        .replaceFirst("cc_version=[0-9.]+\\.[0-9a-f]{3};", "cc_version=2.1.197.fff;");
                AgentReplayRequest r = new AgentReplayRequest(
                        "main",
                        1,
                        Map.of(
                                "content-type",
                                "application/json",
                                "anthropic-version",
                                "2023-06-01",
                                "x-claude-code-session-id",
                                "s1"),
                        body);
                Answer a = send(http, g, r);
                assertThat(a.reused()).isEqualTo(a.prompt() - 1); // the server always recomputes the last token
            }
        }
    }

    @Test
    void aWarmGivesWayToARealRequestAndFinishesWhenTheGatewayIsIdle() throws Exception {
        try (LlamaServerProcess server = LlamaServerProcess.start("-c", "65536")) {
            ServeOptions o = GatewayFixture.options(server.url());
            o.upstreamTimeoutSeconds = 300;
            o.responseCache = "off";
            o.warmFile = SAY_HI; // ~12,700 tokens: seconds of prefill on this model
            try (Gateway g = Gateway.start(o.settings());
                    HttpClient http = HttpClient.newHttpClient()) {
                AgentReplayRequest small = new AgentReplayRequest(
                        "other",
                        1,
                        Map.of("content-type", "application/json", "anthropic-version", "2023-06-01"),
                        "{\"model\":\"m\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                send(http, g, small); // arrives while the warm prefills: the warm is cancelled
                JsonNode s = statsWhen(
                        http, g, x -> x.path("l1").path("warm").path("done").asInt() == 1);
                assertThat(s.path("l1").path("warm").path("cancelled").asInt()).isGreaterThanOrEqualTo(1);
                assertThat(s.path("l1").path("warm").path("done").asInt()).isEqualTo(1);
            }
        }
    }

    @Test
    void noSlotIsPinnedAndOtherServersGetTheWarmFileAsAOneTokenRequest() throws Exception {
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            upstream.route(
                    "GET /props",
                    r -> ScriptedOpenAiServer.Reply.json(
                            200, "{\"total_slots\":4,\"default_generation_settings\":{\"n_ctx\":65536}}"));
            upstream.byDefault(ScriptedOpenAiServer.Reply.json(200, Chunks.completion("x", 9000, 1, 0)));
            ServeOptions o = GatewayFixture.options(upstream.url());
            o.warmFile = SAY_HI;
            try (Gateway g = Gateway.start(o.settings());
                    HttpClient http = HttpClient.newHttpClient()) {
                JsonNode s = statsWhen(
                        http, g, x -> x.path("l1").path("warm").path("done").asInt() == 1);
                assertThat(s.path("l1")
                                .path("totals")
                                .path("warm_prompt_tokens")
                                .asInt())
                        .isEqualTo(9000);
                JsonNode body = JSON.readTree(upstream.chatRequests().getFirst().body());
                assertThat(body.path("max_tokens").asInt()).isEqualTo(1);
                assertThat(body.path("stream").asBoolean()).isFalse();
                assertThat(body.has("id_slot"))
                        .as("the server places requests itself")
                        .isFalse();
                assertThat(body.path("cache_prompt").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void aWarmFileThatIsNotAMessagesRequestStopsTheStart() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"model\":\"m\",\"messages\":[]}");
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            ServeOptions o = GatewayFixture.options(upstream.url());
            o.warmFile = bad;
            assertThatThrownBy(() -> Gateway.start(o.settings()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--warm-file: " + bad)
                    .hasMessageContaining("is not a Messages request");
        }
    }
}
