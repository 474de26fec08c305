package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import dev.anyclaude.testing.Chunks;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.RedisServerProcess;
import dev.anyclaude.testing.ScriptedOpenAiServer.Reply;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The L2 response cache seen from real clients over HTTP. */
class ResponseCacheOverHttpTest {

    static final Tool BASH = Tool.builder()
            .name("Bash")
            .description("Run a shell command")
            .inputSchema(Tool.InputSchema.builder()
                    .properties(JsonValue.from(Map.of("command", Map.of("type", "string"))))
                    .build())
            .build();

    static MessageCreateParams params() {
        return MessageCreateParams.builder()
                .model("claude-opus-4-8")
                .maxTokens(256)
                .addTool(BASH)
                .addUserMessage("what is in this folder?")
                .build();
    }

    static Message stream(AnthropicClient client) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params())) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    static String toolId(Message m) {
        return m.content().stream()
                .filter(ContentBlock::isToolUse)
                .findFirst()
                .orElseThrow()
                .asToolUse()
                .id();
    }

    @Test
    void replaysAStreamAndAJsonAnswerWithFreshIdsAndCachedUsage() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            AnthropicClient client = fx.client();
            fx.upstream.then(Reply.stream(Chunks.toolCall("Bash", "{\"command\":\"ls\"}")));

            Message original = stream(client);
            Message replayedStream = stream(client);
            Message replayedJson = client.messages().create(params());

            assertThat(fx.upstream.chatRequests()).hasSize(1);
            assertThat(toolId(replayedStream)).startsWith("toolu_").isNotEqualTo(toolId(original));
            assertThat(toolId(replayedJson))
                    .startsWith("toolu_")
                    .isNotEqualTo(toolId(original))
                    .isNotEqualTo(toolId(replayedStream));
            assertThat(replayedStream.id()).isNotEqualTo(original.id());
            assertThat(replayedJson.content().getFirst().asToolUse()._input().convert(Map.class))
                    .isEqualTo(Map.of("command", "ls"));
            assertThat(replayedJson.usage().cacheReadInputTokens()).contains(300L);
            assertThat(replayedJson.usage().inputTokens()).isZero();
            client.close();
        }
    }

    @Test
    void saysHitOrMissAndHonoursNoCacheAndNoStore() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            fx.upstream.byDefault(Reply.json(200, Chunks.completion("same", 10, 1, 0)));
            String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            String other = body.replace("hi", "hello");

            assertThat(fx.post("/v1/messages", body).headers().firstValue("anyclaude-cache"))
                    .contains("miss");
            assertThat(fx.post("/v1/messages", body).headers().firstValue("anyclaude-cache"))
                    .contains("hit");
            assertThat(fx.post("/v1/messages", body, h -> h.header("cache-control", "no-cache"))
                            .headers()
                            .firstValue("anyclaude-cache"))
                    .contains("bypass");
            fx.post("/v1/messages", other, h -> h.header("cache-control", "no-store"));
            assertThat(fx.post("/v1/messages", other).headers().firstValue("anyclaude-cache"))
                    .contains("miss");
            assertThat(fx.upstream.chatRequests()).hasSize(4);
        }
    }

    @Test
    void neverStoresAFailedStreamAndNonZeroTemperatureBypasses() throws Exception {
        try (GatewayFixture fx = new GatewayFixture()) {
            fx.upstream.then(
                    Reply.dieAfter(Chunks.text("partial answer").subList(0, 2)),
                    Reply.stream(Chunks.text("full answer")));
            String body = "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

            assertThat(fx.post("/v1/messages", body).body()).contains("event: error");
            HttpResponse<String> second = fx.post("/v1/messages", body);
            assertThat(second.headers().firstValue("anyclaude-cache")).contains("miss");
            assertThat(second.body()).contains("\"text\":\"ful\"").contains("event: message_stop");

            String warm = body.replace("\"max_tokens\"", "\"temperature\":0.7,\"max_tokens\"");
            assertThat(fx.post("/v1/messages", warm).headers().firstValue("anyclaude-cache"))
                    .contains("bypass");
        }
    }

    @Test
    void twoGatewaysShareHitsThroughRedisAndSurviveItsDeath() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
                GatewayFixture a = new GatewayFixture(o -> o.redis = redis.uri());
                GatewayFixture b = new GatewayFixture(o -> o.redis = redis.uri())) {
            a.upstream.byDefault(Reply.json(200, Chunks.completion("from a", 10, 1, 0)));
            b.upstream.byDefault(Reply.json(200, Chunks.completion("from b", 10, 1, 0)));
            String body =
                    "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"shared\"}]}";

            assertThat(a.post("/v1/messages", body).body()).contains("from a");
            // The store to Redis is asynchronous: wait (bounded) until a's entry is there, asking Redis only,
            // so that nothing b stores itself can be mistaken for it.
            for (int i = 0; i < 250 && !redis.command("DBSIZE").trim().matches(":?[1-9]\\d*"); i++) {
                Thread.sleep(20);
            }
            HttpResponse<String> shared = b.post("/v1/messages", body);
            assertThat(shared.headers().firstValue("anyclaude-cache")).contains("hit");
            assertThat(shared.body()).contains("from a");

            redis.kill();
            String fresh = body.replace("shared", "after redis died");
            HttpResponse<String> afterDeath = a.post("/v1/messages", fresh);
            assertThat(afterDeath.statusCode()).isEqualTo(200);
            assertThat(afterDeath.body()).contains("from a");
            assertThat(a.post("/v1/messages", fresh).headers().firstValue("anyclaude-cache"))
                    .contains("hit");
            assertThat(a.get("/cache/stats").body()).contains("DOWN");
        }
    }
}
