package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anyclaude.cache.LlamaSlotsGateway.Conversation;
import dev.anyclaude.testing.ScriptedLlamaServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Slot state save and restore on llama.cpp's server, against a scripted server writing real files. */
class LlamaSlotPersistenceTest {
    @TempDir
    Path saveDir;

    private static String file(Conversation c) {
        return SavedStates.fileName(c.session + "/" + Long.toHexString(agentOf(c)));
    }

    /** The agent fingerprint the gateway computes for the conversation's requests. */
    private static long agentOf(Conversation c) {
        try {
            byte[] body = c.body("x").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return dev.anyclaude.prefix.PromptShape.of(new dev.anyclaude.api.RequestParser(LlamaSlotsGateway.JSON)
                    .parse(body)).agentFingerprint();
        } catch (RuntimeException e) {
            throw new AssertionError(e);
        }
    }

    private List<String> filesOnDisk() throws Exception {
        try (Stream<Path> s = Files.list(saveDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void savesASlotBeforeReassigningItAndRestoresItWhenItsStreamReturns() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(1, saveDir, o -> o.noAgentWarm = true)) {
            Conversation a = g.conversation("a", "main");
            Conversation b = g.conversation("b", "main");
            assertThat(a.send()).isEqualTo(200);
            String aHeld = g.llama.held(0);
            assertThat(b.send()).isEqualTo(200);
            assertThat(a.send()).isEqualTo(200);
            assertThat(g.llama.log()).containsExactly(
                    "chat 0",
                    "save 0 " + file(a), "chat 0",
                    "save 0 " + file(b), "restore 0 " + file(a), "chat 0");
            assertThat(Files.readString(saveDir.resolve(file(a)))).isEqualTo(aHeld);
            // the restored state is everything a's first request left: the server reuses all of it
            assertThat(g.llama.answered().get(2).cachedTokens()).isEqualTo(aHeld.length());
            JsonNode slot = g.stats().path("per_slot").get(0);
            assertThat(slot.path("saves").asInt()).isEqualTo(2);
            assertThat(slot.path("restores").asInt()).isEqualTo(1);
            assertThat(slot.path("found").path("restored").asInt()).isEqualTo(1);
            assertThat(g.stats().path("saved_states").path("files").asInt()).isEqualTo(2);
        }
    }

    @Test
    void nothingIsSavedTwiceAndEveryReturningStreamFindsItsWholePrefix() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, saveDir, o -> {})) {
            List<Conversation> streams = List.of(g.conversation("a", "main"), g.conversation("b", "main"),
                    g.conversation("c", "explore"), g.conversation("d", "explore"), g.conversation("a", "explore"));
            Map<Conversation, Long> lastPrompt = new HashMap<>();
            Random random = new Random(42);
            for (int i = 0; i < 40; i++) {
                Conversation c = streams.get(random.nextInt(streams.size()));
                assertThat(c.send()).isEqualTo(200);
                ScriptedLlamaServer.Chat chat = g.llama.answered().getLast();
                Long before = lastPrompt.put(c, chat.promptTokens());
                if (before != null) {
                    assertThat(chat.cachedTokens()).as("request %d of %s", i, c.session)
                            .isGreaterThanOrEqualTo(before);
                }
                g.warmsSettled();
            }
            assertThat(g.llama.redundantSaves()).isZero();
            assertThat(g.llama.slotConflicts()).isZero();
            assertThat(g.llama.slotCalls("save")).hasSizeGreaterThan(5);
            assertThat(g.llama.slotCalls("restore")).hasSizeGreaterThan(5).allMatch(c -> c.status() == 200);
        }
    }

    @Test
    void theByteBoundDeletesTheLeastRecentlyUsedStateFiles() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(1, saveDir, o -> {
            o.noAgentWarm = true;
            o.slotSaveBytes = 1500; // each state here is ~700 bytes: two fit, three do not
        })) {
            Conversation a = g.conversation("a", "one");
            Conversation b = g.conversation("b", "two");
            Conversation c = g.conversation("c", "three");
            Conversation d = g.conversation("d", "four");
            for (Conversation x : List.of(a, b, c, d)) {
                assertThat(x.send()).isEqualTo(200);
            }
            assertThat(Files.size(saveDir.resolve(file(b)))).isBetween(501L, 749L);
            assertThat(filesOnDisk()).containsExactlyInAnyOrder(file(b), file(c));
            JsonNode saved = g.stats().path("saved_states");
            assertThat(saved.path("files").asInt()).isEqualTo(2);
            assertThat(saved.path("evicted").asInt()).isEqualTo(1);
            assertThat(saved.path("bytes").asLong())
                    .isEqualTo(Files.size(saveDir.resolve(file(b))) + Files.size(saveDir.resolve(file(c))));
            assertThat(a.send()).isEqualTo(200); // its state is gone: no restore is tried
            assertThat(g.llama.slotCalls("restore")).isEmpty();
        }
    }

    @Test
    void aRestoreThatFailsFallsBackToAColdRequest() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(1, saveDir, o -> o.noAgentWarm = true)) {
            Conversation a = g.conversation("a", "main");
            Conversation b = g.conversation("b", "other");
            assertThat(a.send()).isEqualTo(200);
            assertThat(b.send()).isEqualTo(200);
            g.llama.failNextRestore(file(a));
            assertThat(a.send()).isEqualTo(200);
            assertThat(g.llama.log()).endsWith("restore 0 " + file(a) + " -> 400", "chat 0");
            assertThat(g.llama.answered().getLast().cachedTokens()).isZero();
            JsonNode slot = g.stats().path("per_slot").get(0);
            assertThat(slot.path("restore_failures").asInt()).isEqualTo(1);
            assertThat(slot.path("found").path("cold").asInt()).isEqualTo(3);
            assertThat(filesOnDisk()).doesNotContain(file(a)); // the server could not use it: deleted
        }
    }

    @Test
    void aStateFileDeletedBehindTheGatewaysBackIsACountedColdStart() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(1, saveDir, o -> o.noAgentWarm = true)) {
            Conversation a = g.conversation("a", "main");
            Conversation b = g.conversation("b", "main");
            assertThat(a.send()).isEqualTo(200);
            assertThat(b.send()).isEqualTo(200);
            Files.delete(saveDir.resolve(file(a)));
            assertThat(a.send()).isEqualTo(200);
            assertThat(g.stats().path("per_slot").get(0).path("restore_failures").asInt()).isEqualTo(1);
        }
    }

    @Test
    void aNewConversationOfAKnownAgentStartsFromItsSavedSystemAndTools() throws Exception {
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, saveDir, o -> {})) {
            Conversation a = g.conversation("a", "main");
            assertThat(a.send()).isEqualTo(200);
            JsonNode s = g.statsWhen(x -> x.path("warm").path("done").asInt() == 1);
            String seedFile = SavedStates.fileName(ServerPrefixCache.seedKey(agentOf(a)));
            assertThat(g.llama.log()).containsExactly("chat 0", "save 0 " + seedFile);
            assertThat(s.path("saved_states").path("files").asInt()).isEqualTo(1);

            Conversation b = g.conversation("b", "main");
            assertThat(b.send()).isEqualTo(200);
            assertThat(g.llama.log()).endsWith("restore 1 " + seedFile, "chat 1");
            ScriptedLlamaServer.Chat chat = g.llama.answered().getLast();
            String agentPart = chat.prompt().substring(0, chat.prompt().indexOf("<|user|>"));
            assertThat(chat.cachedTokens()).isGreaterThanOrEqualTo(agentPart.length());
            assertThat(g.stats().path("per_slot").get(1).path("found").path("seeded").asInt()).isEqualTo(1);

            // a's slot was saved as the seed and has not changed since: giving it away saves nothing
            Conversation c = g.conversation("c", "other");
            assertThat(c.send()).isEqualTo(200);
            assertThat(g.llama.log()).doesNotContain("save 0 " + file(a));
        }
    }

    @Test
    void deleteCacheErasesTheSlotsAndDeletesTheFilesAndShutdownDeletesTheRest() throws Exception {
        Path leftover = Files.writeString(saveDir.resolve(SavedStates.FILE_PREFIX + "0000.bin"), "from an earlier run");
        Path foreign = Files.writeString(saveDir.resolve("users-own-state.bin"), "not ours");
        try (LlamaSlotsGateway g = new LlamaSlotsGateway(2, saveDir, o -> o.noAgentWarm = true)) {
            assertThat(leftover).doesNotExist();
            Conversation a = g.conversation("a", "main");
            Conversation b = g.conversation("b", "main");
            Conversation c = g.conversation("c", "main");
            for (Conversation x : List.of(a, b, c)) {
                assertThat(x.send()).isEqualTo(200);
            }
            JsonNode stats = g.stats();
            assertThat(stats.path("totals").path("requests").asInt()).isEqualTo(3);
            long prompt = g.llama.answered().stream().mapToLong(ScriptedLlamaServer.Chat::promptTokens).sum();
            assertThat(stats.path("totals").path("prompt_tokens").asLong()).isEqualTo(prompt);
            assertThat(filesOnDisk()).containsExactlyInAnyOrder(file(a), "users-own-state.bin");

            JsonNode cleared = g.clear().path("cleared").path("l1");
            assertThat(cleared.path("slots_erased").asInt()).isEqualTo(2);
            assertThat(cleared.path("files_deleted").asInt()).isEqualTo(1);
            assertThat(g.llama.slotCalls("erase")).extracting(ScriptedLlamaServer.SlotCall::slot)
                    .containsExactlyInAnyOrder(0, 1);
            assertThat(g.llama.heldBySlot().values()).allMatch(String::isEmpty);
            assertThat(filesOnDisk()).containsExactly("users-own-state.bin");
            JsonNode after = g.stats();
            assertThat(after.path("totals").path("requests").asInt()).isZero();
            assertThat(after.path("per_slot").get(0).path("resident").isNull()).isTrue();

            assertThat(a.send()).isEqualTo(200);
            assertThat(b.send()).isEqualTo(200);
            assertThat(c.send()).isEqualTo(200); // evicts a: saved
            assertThat(filesOnDisk()).hasSize(2);
        }
        assertThat(foreign).exists();
        assertThat(filesOnDisk()).containsExactly("users-own-state.bin");
    }
}
