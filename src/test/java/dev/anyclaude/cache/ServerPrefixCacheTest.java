package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.api.StopReason;
import dev.anyclaude.api.StreamEvent;
import dev.anyclaude.api.Usage;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.backend.SlotSteering;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's own API, against an in-memory slot server: what the memory monitor and unkeyed requests get. */
class ServerPrefixCacheTest {
    @TempDir
    Path dir;

    /** Slots as strings; saves write real files into the directory, like llama.cpp's --slot-save-path. */
    final class MemorySlots implements SlotServer {
        final boolean slotted;
        final String[] held = {"", ""};
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        MemorySlots(boolean slotted) {
            this.slotted = slotted;
        }

        @Override
        public boolean slotted() {
            return slotted;
        }

        @Override
        public int totalSlots() {
            return held.length;
        }

        @Override
        public void save(int slot, String filename) {
            calls.add("save " + slot);
            try {
                Files.writeString(dir.resolve(filename), held[slot]);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void restore(int slot, String filename) {
            calls.add("restore " + slot);
        }

        @Override
        public void erase(int slot) {
            calls.add("erase " + slot);
            held[slot] = "";
        }

        @Override
        public Usage prefill(BackendRequest call, int slot) {
            calls.add("prefill " + slot);
            return new Usage(10, 0, 0, 0);
        }
    }

    private static MessagesRequest request(String system) {
        return new RequestParser(LlamaSlotsGateway.JSON).parse(("{\"model\":\"m\",\"max_tokens\":5,\"system\":\"" + system
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));
    }

    private ServerPrefixCache cache(SlotServer server, Path saveDir) {
        return new ServerPrefixCache(server, new PrefixCacheSettings(0, saveDir, 1 << 20, Duration.ZERO,
                Duration.ofSeconds(5), false, true), InstantSource.system());
    }

    /** Runs a request through a lease, as the backend does, the server reporting some reuse. */
    private static SlotSteering.Lease answer(SlotSteering.Lease lease, MemorySlots server, String text) throws IOException {
        if (lease.slot() >= 0) {
            server.held[lease.slot()] = text;
        }
        lease.observe(e -> {}).accept(new StreamEvent.MessageDelta(StopReason.END_TURN, null, new Usage(4, 1, 6, 0)));
        return lease;
    }

    @Test
    void aRequestWithoutAStreamKeyIsLeftToTheServer() throws Exception {
        MemorySlots server = new MemorySlots(true);
        try (ServerPrefixCache cache = cache(server, null)) {
            try (SlotSteering.Lease lease = cache.acquire(new BackendRequest(request("s"), null, "r1"))) {
                assertThat(lease.slot()).isEqualTo(-1);
                answer(lease, server, "x");
            }
            assertThat(cache.snapshot()).asString().contains("unpinned={requests=1, prompt_tokens=10, reused_tokens=6");
        }
    }

    @Test
    void aServerWithoutSlotsIsNeverPinned() throws Exception {
        MemorySlots server = new MemorySlots(false);
        try (ServerPrefixCache cache = cache(server, null)) {
            try (SlotSteering.Lease lease = cache.acquire(new BackendRequest(request("s"), "a/1", "r1"))) {
                assertThat(lease.slot()).isEqualTo(-1);
            }
            assertThat(server.calls).isEmpty();
        }
    }

    @Test
    void eraseIdleSlotsSavesAndErasesOnlyTheSlotsNobodyUses() throws Exception {
        MemorySlots server = new MemorySlots(true);
        try (ServerPrefixCache cache = cache(server, dir)) {
            SlotSteering.Lease busy = answer(cache.acquire(new BackendRequest(request("s"), "a/1", "r1")), server, "A");
            try (SlotSteering.Lease idle = cache.acquire(new BackendRequest(request("s"), "b/1", "r2"))) {
                answer(idle, server, "B");
            }
            assertThat(cache.eraseIdleSlots()).isEqualTo(1);
            assertThat(server.calls).containsExactly("save 1", "erase 1");
            busy.close();
            // b comes back to its saved state
            try (SlotSteering.Lease again = cache.acquire(new BackendRequest(request("s"), "b/1", "r3"))) {
                assertThat(again.slot()).isEqualTo(1);
            }
            assertThat(server.calls).endsWith("restore 1");
        }
    }

    @Test
    void dropSavedStatesDeletesEveryFileAndSaysHowManyBytes() throws Exception {
        MemorySlots server = new MemorySlots(true);
        try (ServerPrefixCache cache = cache(server, dir)) {
            for (String s : List.of("a/1", "b/1", "c/1")) {
                try (SlotSteering.Lease l = cache.acquire(new BackendRequest(request("s"), s, s))) {
                    answer(l, server, "state of " + s);
                }
            }
            assertThat(server.calls).containsExactly("save 0");
            assertThat(cache.dropSavedStates()).isEqualTo("state of a/1".length());
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files).isEmpty();
            }
        }
    }
}
