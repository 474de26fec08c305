package dev.anyclaude.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Several model-server replicas behind one gateway, over real HTTP. */
class ReplicaSetTest {
    static String request(String system, String text) {
        return "{\"model\":\"m\",\"max_tokens\":10,\"system\":\"" + system
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Test
    void aConversationStaysOnItsReplicaAndAnAgentsNewSessionsJoinIt() throws Exception {
        try (ScriptedOpenAiServer a = new ScriptedOpenAiServer();
                ScriptedOpenAiServer b = new ScriptedOpenAiServer();
                GatewayFixture fx = new GatewayFixture(o -> {
                    o.responseCache = "off";
                    o.upstream = a.url() + "," + b.url();
                })) {
            a.byDefault(Reply.json(200, Chunks.completion("from a", 10, 1, 0)));
            b.byDefault(Reply.json(200, Chunks.completion("from b", 10, 1, 0)));
            for (int turn = 0; turn < 4; turn++) {
                int t = turn;
                fx.post(
                        "/v1/messages",
                        request("main agent", "turn " + t),
                        h -> h.header("x-claude-code-session-id", "s1"));
            }
            int aFirst = a.chatRequests().size();
            int bFirst = b.chatRequests().size();
            assertThat(aFirst + bFirst).isEqualTo(4);
            assertThat(Math.max(aFirst, bFirst))
                    .as("one session stays on one replica")
                    .isEqualTo(4);

            fx.post(
                    "/v1/messages",
                    request("main agent", "other session"),
                    h -> h.header("x-claude-code-session-id", "s2"));
            assertThat(aFirst == 4 ? a.chatRequests() : b.chatRequests())
                    .as("a new session of the same agent goes where that agent's prefix is")
                    .hasSize(5);

            int onA = 0;
            for (int agent = 0; agent < 16; agent++) {
                HttpResponse<String> r = fx.post(
                        "/v1/messages",
                        request("agent " + agent, "hi"),
                        h -> h.header("x-claude-code-session-id", "s3"));
                onA += r.body().contains("from a") ? 1 : 0;
            }
            assertThat(onA)
                    .as("sixteen different agents spread over both replicas")
                    .isBetween(1, 15);
        }
    }

    @Test
    void aDeadReplicaIsSkippedAndTheSetSaysSo() throws Exception {
        ScriptedOpenAiServer dead = new ScriptedOpenAiServer();
        String deadUrl = dead.url();
        dead.close();
        try (ScriptedOpenAiServer alive = new ScriptedOpenAiServer();
                GatewayFixture fx = new GatewayFixture(o -> {
                    o.responseCache = "off";
                    o.upstream = deadUrl + "," + alive.url();
                })) {
            alive.byDefault(Reply.json(200, Chunks.completion("alive", 10, 1, 0)));
            for (int agent = 0; agent < 6; agent++) {
                HttpResponse<String> r = fx.post("/v1/messages", request("agent " + agent, "hi"));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("alive");
            }
            JsonNode replicas =
                    new ObjectMapper().readTree(fx.get("/cache/stats").body()).path("replicas");
            assertThat(replicas).hasSize(2);
            assertThat(replicas.get(0).path("up").asBoolean()).isFalse();
            assertThat(replicas.get(0).path("failovers").asLong()).isPositive();
            assertThat(replicas.get(1).path("up").asBoolean()).isTrue();
            assertThat(fx.get("/ready").body()).contains("degraded").contains(deadUrl);
        }
    }
}
