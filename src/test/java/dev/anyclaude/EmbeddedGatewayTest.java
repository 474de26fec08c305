package dev.anyclaude;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.engine.TestModels;
import dev.anyclaude.gateway.Gateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The gateway with the embedded engine and a generated model, over real HTTP with the official client. */
class EmbeddedGatewayTest {
    static Gateway gateway;
    static AnthropicClient client;

    @BeforeAll
    static void start() {
        ServeOptions o = new ServeOptions();
        o.backend = "embedded";
        o.model = TestModels.tiny().toString();
        o.port = 0;
        o.ctx = 4096;
        o.slots = 2;
        o.threads = 2;
        o.responseCache = "off"; // every request here must reach the engine
        gateway = Gateway.start(o.settings());
        client = AnthropicOkHttpClient.builder()
                .baseUrl(gateway.url())
                .apiKey("k")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(120))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        gateway.close();
    }

    /** Greedy: sampled at random, the first token is the end of generation once in a few hundred runs. */
    static MessageCreateParams.Builder turn(String system) {
        return MessageCreateParams.builder()
                .model("claude-opus-4-8")
                .maxTokens(12)
                .system(system)
                .putAdditionalBodyProperty("temperature", JsonValue.from(0.0));
    }

    static Message stream(MessageCreateParams params) {
        MessageAccumulator acc = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> s = client.messages().createStreaming(params)) {
            s.stream().forEach(acc::accumulate);
        }
        return acc.message();
    }

    @Test
    void aGrowingConversationReusesItsPrefixAndSaysHowMuch() {
        String system = "You are a careful coding agent. ".repeat(30);
        Message first = stream(turn(system).addUserMessage("list the files").build());
        String answer = first.content().isEmpty() || !first.content().getFirst().isText()
                ? ""
                : first.content().getFirst().asText().text();
        Message second = stream(turn(system)
                .addUserMessage("list the files")
                .addAssistantMessage(answer.isEmpty() ? "ok" : answer)
                .addUserMessage("now read the README")
                .build());

        assertThat(first.usage().outputTokens()).isPositive();
        long prompt = second.usage().inputTokens()
                + second.usage().cacheReadInputTokens().orElse(0L);
        assertThat(second.usage().cacheReadInputTokens())
                .hasValueSatisfying(reused -> assertThat(reused).isGreaterThan(prompt * 8 / 10));
    }

    @Test
    void countsTokensExactlyAndReportsSlotsInCacheStats() throws Exception {
        long n = client.messages()
                .countTokens(MessageCountTokensParams.builder()
                        .model("m")
                        .addUserMessage("count me")
                        .build())
                .inputTokens();
        assertThat(n).isPositive();

        HttpResponse<String> stats = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/cache/stats"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode l1 = new ObjectMapper().readTree(stats.body()).path("l1");
        assertThat(l1.path("backend").asText()).isEqualTo("embedded");
        assertThat(l1.path("slots")).hasSize(2);
    }

    @Test
    void aPromptLongerThanTheContextIsRefusedInClaudeCodesWording() throws Exception {
        String huge = "word ".repeat(6000);
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(gateway.url() + "/v1/messages"))
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":"
                                                + "\"user\",\"content\":\"" + huge + "\"}]}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body())
                .contains("invalid_request_error")
                .containsPattern("prompt is too long: \\d+ tokens > 4096 maximum");
    }
}
