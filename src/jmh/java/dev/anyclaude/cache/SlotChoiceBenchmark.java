package dev.anyclaude.cache;

import dev.anyclaude.api.MessagesRequest;
import dev.anyclaude.api.RequestParser;
import dev.anyclaude.api.Usage;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.backend.SlotSteering;
import dev.anyclaude.bench.jmh.Inputs;
import dev.anyclaude.prefix.ConversationStreams;
import dev.anyclaude.prefix.Normalizer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Matching a request to the prefix it continues, per request: naming its conversation stream ({@link
 * ConversationStreams#identify}) and choosing its llama.cpp slot ({@link SlotTable}, through {@link
 * ServerPrefixCache#acquire}). {@code PromptShapeBenchmark} covers the fingerprint and divergence alone.
 *
 * <p>The scene: {@code slots} llama.cpp slots, each holding one Claude Code session of the same agent (same
 * system prompt and tools) that has run its turn 2 ({@code p-tool-bash-read/03}); the measured request is
 * turn 3 ({@code p-tool-bash-read/04}, 77 KB) of one of them, so its slot is resident and idle. The slot server
 * is in memory (no save directory, no warm-ups): what is measured is the gateway's bookkeeping, not I/O.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC"})
public class SlotChoiceBenchmark {

    /** Slots, each holding a resident conversation stream. */
    @Param({"4", "16"})
    public int slots;

    private static final String SESSION = "bench-session-";

    MessagesRequest turn2;
    MessagesRequest turn3;
    ConversationStreams streams;
    private ServerPrefixCache cache;
    private SlotTable table;
    private BackendRequest call;
    private long agent;
    private String newStream;

    @Setup
    public void setUp() {
        // one parser, as in the gateway: both turns share one tools list instance, so the memos are warm
        RequestParser parser = new RequestParser(Inputs.MAPPER);
        Normalizer normalizer = new Normalizer(true);
        turn2 = normalizer.normalize(parser.parse(Inputs.body("p-tool-bash-read/03")));
        turn3 = normalizer.normalize(parser.parse(Inputs.body("p-tool-bash-read/04")));
        if (turn2.tools() != turn3.tools()) {
            throw new IllegalStateException("turns 2 and 3 should share one parsed tools list");
        }
        streams = new ConversationStreams(1024);
        cache = new ServerPrefixCache(new InMemorySlots(slots),
                new PrefixCacheSettings(slots, null, 1 << 20, Duration.ZERO, Duration.ofSeconds(5), false, true),
                InstantSource.system());
        String target = null;
        table = new SlotTable(slots);
        for (int i = 0; i < slots; i++) {
            ConversationStreams.Identity id = streams.identify(SESSION + i, turn2);
            agent = id.agentFingerprint();
            String key = id.streamKey();
            try (SlotSteering.Lease lease = cache.acquire(new BackendRequest(turn2, key, "req-" + i))) {
                if (lease.slot() != i) {
                    throw new IllegalStateException("stream " + i + " landed in slot " + lease.slot());
                }
            }
            // the same history in a table of our own (the cache's is private): claimed, assigned, served
            SlotTable.Slot s = table.claim(key, agent);
            table.assign(s, key, agent, false, null);
            table.served(s);
            table.unclaim(s);
            if (i == slots / 2) {
                target = key;
            }
        }
        call = new BackendRequest(turn3, target, "req-turn3");
        newStream = "new-session/" + Long.toHexString(agent);
        try (SlotSteering.Lease lease = cache.acquire(call)) {
            if (lease.slot() != slots / 2) {
                throw new IllegalStateException("turn 3 did not find its stream's slot in the cache");
            }
        }
        if (claimResident() != slots / 2 || claimNewStream() != 0) {
            throw new IllegalStateException("the slot table does not choose as the cache does");
        }
    }

    @TearDown
    public void tearDown() {
        cache.close();
    }

    /** The slot choice alone: turn 3 finds its stream's idle slot among {@code slots} resident ones. */
    @Benchmark
    public int claimResident() {
        SlotTable.Slot s = table.claim(call.affinityKey(), agent);
        table.unclaim(s);
        return s.id;
    }

    /** The slot choice for a new conversation when every slot holds another one: the least recently used. */
    @Benchmark
    public int claimNewStream() {
        SlotTable.Slot s = table.claim(newStream, agent);
        table.unclaim(s);
        return s.id;
    }

    /**
     * What the backend pays per request for its slot: {@link ServerPrefixCache#acquire} (the stream's agent
     * from the memo, the claim, the slot's fair lock, the residency check) and closing the lease.
     */
    @Benchmark
    public int acquireAndRelease() {
        try (SlotSteering.Lease lease = cache.acquire(call)) {
            return lease.slot();
        }
    }

    /** Turn 2 is again the stream's latest prompt before every measured call (not measured). */
    @State(Scope.Thread)
    public static class AfterTurn2 {
        @Setup(Level.Invocation)
        public void observeTurn2(SlotChoiceBenchmark b) {
            b.streams.identify(SESSION + b.slots / 2, b.turn2);
        }
    }

    /**
     * Naming turn 3's stream, as the endpoint does per request: fingerprint (tools memoized), stream key, and
     * the divergence from turn 2 (none: the conversation only grew) among {@code slots} tracked streams.
     */
    @Benchmark
    public ConversationStreams.Identity identify(AfterTurn2 previous) {
        return streams.identify(SESSION + slots / 2, turn3);
    }

    /** A llama.cpp server as far as slot choice needs one: slots, and nothing to save, restore or prefill. */
    private record InMemorySlots(int count) implements SlotServer {
        @Override
        public boolean slotted() {
            return true;
        }

        @Override
        public int totalSlots() {
            return count;
        }

        @Override
        public void save(int slot, String filename) {
            throw new UnsupportedOperationException("no save directory in this benchmark");
        }

        @Override
        public void restore(int slot, String filename) {
            throw new UnsupportedOperationException("no save directory in this benchmark");
        }

        @Override
        public void erase(int slot) {
            throw new UnsupportedOperationException("nothing is erased in this benchmark");
        }

        @Override
        public Usage prefill(BackendRequest call, int slot) {
            throw new UnsupportedOperationException("no warm-ups in this benchmark");
        }
    }
}
