package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.cache.LlamaSlotsGateway.Conversation;
import dev.anyclaude.testing.ScriptedLlamaServer;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Slot pinning on llama.cpp's server, over real HTTP against a scripted server that implements the slot API. */
class LlamaSlotSteeringTest {

    private static List<Integer> idSlots(ScriptedLlamaServer llama) {
        return llama.answered().stream().map(ScriptedLlamaServer.Chat::idSlot).toList();
    }

    @Test
    void pinsEachConversationStreamToItsOwnSlotAndTheServerReusesItsPrefix() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, null, o -> o.noAgentWarm = true)) {
            Conversation a = g.conversation("session-a", "main");
            Conversation b = g.conversation("session-b", "main");
            for (Conversation c : List.of(a, b, a, b, a)) {
                assertThat(c.send()).isEqualTo(200);
            }
            assertThat(idSlots(g.llama)).containsExactly(0, 1, 0, 1, 0);
            List<ScriptedLlamaServer.Chat> chats = g.llama.answered();
            assertThat(chats).allMatch(ScriptedLlamaServer.Chat::cachePrompt);
            for (int i = 2; i < chats.size(); i++) {
                ScriptedLlamaServer.Chat before = chats.get(i - 2);
                // everything the stream's previous request left in the slot: its prompt and the answer
                assertThat(chats.get(i).cachedTokens()).isEqualTo(before.promptTokens() + "<|assistant|>ok".length());
            }
            JsonNode slots = g.stats().path("per_slot");
            assertThat(slots.get(0).path("resident").asText()).startsWith("session-a/");
            assertThat(slots.get(1).path("resident").asText()).startsWith("session-b/");
            assertThat(slots.get(0).path("found").path("resident").asInt()).isEqualTo(2);
            assertThat(slots.get(0).path("found").path("cold").asInt()).isEqualTo(1);
            assertThat(g.llama.slotConflicts()).isZero();
        }
    }

    @Test
    void aNewStreamTakesAFreeSlotElseTheLeastRecentlyUsedOne() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, null, o -> o.noAgentWarm = true)) {
            Conversation a = g.conversation("a", "main");
            Conversation b = g.conversation("b", "main");
            Conversation c = g.conversation("c", "main");
            for (Conversation x : List.of(a, b, a, c, b)) {
                assertThat(x.send()).isEqualTo(200);
            }
            // c evicts b (least recently used); b then evicts a
            assertThat(idSlots(g.llama)).containsExactly(0, 1, 0, 1, 0);
            JsonNode slots = g.stats().path("per_slot");
            assertThat(slots.get(0).path("resident").asText()).startsWith("b/");
            assertThat(slots.get(1).path("resident").asText()).startsWith("c/");
            assertThat(slots.get(0).path("evictions").asInt() + slots.get(1).path("evictions").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aSubAgentWithOtherToolsIsAStreamOfItsOwnInTheSameSession() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, null, o -> o.noAgentWarm = true)) {
            Conversation main = g.conversation("s", "main");
            Conversation sub = g.conversation("s", "explore");
            for (Conversation x : List.of(main, sub, main, sub)) {
                assertThat(x.send()).isEqualTo(200);
            }
            assertThat(idSlots(g.llama)).containsExactly(0, 1, 0, 1);
        }
    }

    @Test
    void requestsOfOneSlotAreSerializedAndNeverMeetOnTheServer() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, null, o -> o.noAgentWarm = true)) {
            CountDownLatch gate = g.llama.holdChats();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            List<Future<Integer>> results = new ArrayList<>();
            for (String session : List.of("a", "b", "c")) {
                for (int i = 0; i < 2; i++) {
                    Conversation c = g.conversation(session, "main");
                    results.add(pool.submit(c::send));
                }
            }
            LlamaSlotsGateway.until(() -> g.llama.chats().size() >= 2);
            assertThat(g.llama.chats()).hasSize(2); // both slots busy; the other four wait in the gateway
            JsonNode busy = g.stats().path("per_slot");
            assertThat(busy.get(0).path("busy").asBoolean()).isTrue();
            assertThat(busy.get(1).path("busy").asBoolean()).isTrue();
            gate.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get()).isEqualTo(200);
            }
            pool.close();
            assertThat(g.llama.answered()).hasSize(6);
            assertThat(g.llama.slotConflicts()).isZero();
        }
    }

    @Test
    void aRequestThatFindsEverySlotBusyTooLongIsRefusedAsOverloaded() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(1, null, o -> {
            o.noAgentWarm = true;
            o.slotWaitSeconds = 1;
        })) {
            CountDownLatch gate = g.llama.holdChats();
            ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
            Future<Integer> first = pool.submit(g.conversation("a", "main")::send);
            LlamaSlotsGateway.until(() -> g.llama.chats().size() == 1);
            Conversation b = g.conversation("b", "main");
            HttpResponse<String> json = b.post(b.body("hi").replace("\"stream\":true", "\"stream\":false"));
            assertThat(json.statusCode()).isEqualTo(529);
            assertThat(json.body()).contains("overloaded_error").contains("--slot-wait");
            // a stream has begun (pings) by the time the wait ends: the refusal is its error event
            HttpResponse<String> sse = b.post(b.body("hi"));
            assertThat(sse.body()).contains("event: error").contains("overloaded_error")
                    .doesNotContain("message_stop");
            gate.countDown();
            assertThat(first.get()).isEqualTo(200);
            pool.close();
            assertThat(g.llama.slotConflicts()).isZero();
        }
    }

    @Test
    void withoutSlotsTheReuseTheServerReportsIsStillCounted() throws Exception {
        try (dev.anyclaude.testing.GatewayFixture fx = new dev.anyclaude.testing.GatewayFixture()) {
            assertThat(fx.post("/v1/messages", "{\"model\":\"m\",\"max_tokens\":10,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").statusCode()).isEqualTo(200);
            assertThat(fx.upstream.chatRequests().getFirst().body()).doesNotContain("id_slot");
            JsonNode l1 = LlamaSlotsGateway.JSON.readTree(fx.get("/cache/stats").body()).path("l1");
            assertThat(l1.path("slots").isNull()).isTrue();
            assertThat(l1.path("unpinned").path("requests").asInt()).isEqualTo(1);
            assertThat(l1.path("unpinned").path("prompt_tokens").asInt()).isEqualTo(120); // Chunks.text usage
            assertThat(l1.path("unpinned").path("reused_tokens").asInt()).isEqualTo(100);
            assertThat(l1.path("totals").path("reuse_ratio").asDouble()).isEqualTo(0.833);
        }
    }
}
