package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.Gateway;
import dev.anyclaude.cache.LlamaSlotsGateway.Conversation;
import dev.anyclaude.cli.ServeOptions;
import dev.anyclaude.testing.GatewayFixture;
import dev.anyclaude.testing.ScriptedLlamaServer;
import dev.anyclaude.testing.ScriptedOpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warm-ups: the start-up warm file, a new agent's spare, and warms giving way to real requests. */
class LlamaWarmTest {
    static final Path FIXTURES = dev.anyclaude.api.Fixtures.claudeCode();
    static final Path SAY_HI = FIXTURES.resolve("p-say-hi-1/02-POST-v1_messages.body.json");

    @TempDir
    Path dir;

    private static HttpResponse<String> sendAsClaudeCode(LlamaSlotsGateway g, String session, String body)
            throws Exception {
        return g.http.send(HttpRequest.newBuilder(URI.create(g.gateway.url() + "/v1/messages?beta=true"))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                .header("x-claude-code-session-id", session)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theWarmFileIsPrefilledAtStartUpIntoASpareThatTheFirstConversationTakes() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, null, o -> o.warmFile = SAY_HI)) {
            JsonNode s = g.statsWhen(x -> x.path("warm").path("done").asInt() == 1);
            assertThat(g.llama.log()).containsExactly("prefill 0");
            ScriptedLlamaServer.Chat warm = g.llama.chats().getFirst();
            assertThat(warm.prefillOnly()).isTrue();
            assertThat(warm.stream()).isFalse();
            assertThat(warm.prompt()).doesNotContain("x-anthropic-billing-header").contains("<|tools|>");
            assertThat(s.path("per_slot").get(0).path("spare").asBoolean()).isTrue();
            assertThat(s.path("per_slot").get(0).path("warms").asInt()).isEqualTo(1);

            // Claude Code's own request, with another billing header: it finds the whole prefix warm
            String body = Files.readString(SAY_HI).replaceFirst("cc_version=[0-9.]+\\.[0-9a-f]{3};", "cc_version=2.1.197.fff;");
            assertThat(sendAsClaudeCode(g, "session-1", body).statusCode()).isEqualTo(200);
            ScriptedLlamaServer.Chat real = g.llama.answered().getFirst();
            assertThat(real.idSlot()).isEqualTo(0);
            assertThat(real.cachedTokens()).isEqualTo(real.promptTokens() - 1);
            JsonNode slot = g.stats().path("per_slot").get(0);
            assertThat(slot.path("found").path("spare").asInt()).isEqualTo(1);
            assertThat(slot.path("resident").asText()).startsWith("session-1/");
            assertThat(slot.path("reuse_ratio").asDouble()).isGreaterThan(0.99);
        }
    }

    @Test
    void aWarmGivesWayToARealRequestAndResumesWhenTheGatewayIsIdle() throws Exception {
        CountDownLatch[] prefills = new CountDownLatch[1];
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, null, o -> o.warmFile = SAY_HI,
                llama -> prefills[0] = llama.holdPrefills())) {
            LlamaSlotsGateway.until(() -> !g.llama.chats().isEmpty());
            assertThat(g.llama.log()).containsExactly("prefill 0"); // hanging: the server is prefilling
            Conversation other = g.conversation("s", "other");
            assertThat(other.send()).isEqualTo(200); // answered although the warm never finished
            assertThat(g.llama.answered().getFirst().idSlot()).isEqualTo(1);
            LlamaSlotsGateway.until(() -> g.llama.abandonedPrefills() == 1);
            assertThat(g.llama.abandonedPrefills()).isEqualTo(1);
            JsonNode s = g.statsWhen(x -> x.path("warm").path("cancelled").asInt() >= 1);
            assertThat(s.path("warm").path("cancelled").asInt()).isGreaterThanOrEqualTo(1);

            prefills[0].countDown();
            s = g.statsWhen(x -> x.path("warm").path("done").asInt() == 1);
            assertThat(s.path("warm").path("done").asInt()).isEqualTo(1);
            ScriptedLlamaServer.Chat retry = g.llama.chats().getLast();
            assertThat(retry.prefillOnly()).isTrue();
            assertThat(retry.idSlot()).isEqualTo(0);
            // the server kept what the abandoned warm had prefilled
            assertThat(retry.cachedTokens()).isEqualTo(retry.promptTokens() / 2);
        }
    }

    @Test
    void withoutASaveDirectoryANewAgentGetsASpareWarmedInAFreeSlot() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(3, null, o -> {})) {
            Conversation a = g.conversation("a", "main");
            assertThat(a.send()).isEqualTo(200);
            g.statsWhen(x -> x.path("warm").path("done").asInt() == 1);
            assertThat(g.llama.log()).containsExactly("chat 0", "prefill 1");

            Conversation b = g.conversation("b", "main");
            assertThat(b.send()).isEqualTo(200);
            ScriptedLlamaServer.Chat chat = g.llama.answered().getLast();
            assertThat(chat.idSlot()).isEqualTo(1);
            String agentPart = chat.prompt().substring(0, chat.prompt().indexOf("<|user|>"));
            assertThat(chat.cachedTokens()).isGreaterThanOrEqualTo(agentPart.length());
            assertThat(g.stats().path("per_slot").get(1).path("found").path("spare").asInt()).isEqualTo(1);
            g.warmsSettled();
            assertThat(g.llama.chats().stream().filter(ScriptedLlamaServer.Chat::prefillOnly)).hasSize(1);
        }
    }

    @Test
    void withASaveDirectoryTheStartUpWarmIsKeptAsTheAgentsSeed() throws Exception {
        Path saveDir = Files.createDirectory(dir.resolve("slots"));
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(1, saveDir, o -> {
            o.warmFile = SAY_HI;
            o.noAgentWarm = true;
        })) {
            g.statsWhen(x -> x.path("warm").path("done").asInt() == 1);
            assertThat(g.llama.log()).hasSize(2).first().isEqualTo("prefill 0");
            assertThat(g.llama.log().get(1)).startsWith("save 0 anyclaude-");
            // another agent takes the only slot: the spare is already on disk, so nothing is saved
            assertThat(g.conversation("s", "other").send()).isEqualTo(200);
            assertThat(g.llama.slotCalls("save")).hasSize(1);
            // Claude Code's request comes back to a seeded slot
            assertThat(sendAsClaudeCode(g, "cc", Files.readString(SAY_HI)).statusCode()).isEqualTo(200);
            ScriptedLlamaServer.Chat real = g.llama.answered().getLast();
            assertThat(real.cachedTokens()).isEqualTo(real.promptTokens() - 1);
            assertThat(g.stats().path("per_slot").get(0).path("found").path("seeded").asInt()).isEqualTo(1);
        }
    }

    @Test
    void otherServersGetTheWarmFileAsAOneTokenRequest() throws Exception {
        try (ScriptedOpenAiServer upstream = new ScriptedOpenAiServer()) {
            upstream.byDefault(ScriptedOpenAiServer.Reply.json(200,
                    dev.anyclaude.testing.Chunks.completion("x", 9000, 1, 0)));
            ServeOptions o = GatewayFixture.options(upstream.url());
            o.warmFile = SAY_HI;
            try (Gateway gw = Gateway.start(o); HttpClient http = HttpClient.newHttpClient()) {
                LlamaSlotsGateway.until(() -> !upstream.chatRequests().isEmpty());
                JsonNode body = LlamaSlotsGateway.JSON.readTree(upstream.chatRequests().getFirst().body());
                assertThat(body.path("max_tokens").asInt()).isEqualTo(1);
                assertThat(body.path("stream").asBoolean()).isFalse();
                assertThat(body.has("id_slot")).isFalse();
                assertThat(body.has("n_predict")).isFalse();
                long deadline = System.nanoTime() + 10_000_000_000L;
                JsonNode l1;
                do {
                    l1 = LlamaSlotsGateway.JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(gw.url()
                            + "/cache/stats")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("l1");
                } while (l1.path("warm").path("done").asInt() == 0 && System.nanoTime() < deadline);
                assertThat(l1.path("unpinned").path("warm_prompt_tokens").asInt()).isEqualTo(9000);
            }
        }
    }

    @Test
    void aWarmFileThatIsNotAMessagesRequestStopsTheStart() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"model\":\"m\",\"messages\":[]}");
        try (ScriptedLlamaServer llama = new ScriptedLlamaServer(1, null)) {
            ServeOptions o = GatewayFixture.options(llama.url());
            o.warmFile = bad;
            assertThatThrownBy(() -> Gateway.start(o)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--warm-file: " + bad).hasMessageContaining("is not a Messages request");
        }
    }
}
