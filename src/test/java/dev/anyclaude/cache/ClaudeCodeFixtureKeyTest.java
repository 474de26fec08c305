package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.anyclaude.messages.ContentBlock;
import dev.anyclaude.messages.MessagesRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Keys of real Claude Code requests, with a printed (never asserted) measurement of their cost. */
class ClaudeCodeFixtureKeyTest {

    @Test
    void everyTurnOfARealSessionHasItsOwnKeyAndTheSameTurnAlwaysTheSameKey() throws IOException {
        List<MessagesRequest> turns = List.of(
                FixtureRequests.read("p-say-hi-1/02-POST-v1_messages.body.json"),
                FixtureRequests.read("p-tool-bash-read/02-POST-v1_messages.body.json"),
                FixtureRequests.read("p-tool-bash-read/03-POST-v1_messages.body.json"),
                FixtureRequests.read("p-tool-bash-read/04-POST-v1_messages.body.json"));

        assertThat(turns.stream().map(t -> CacheKey.of(t).hex()).distinct()).hasSize(turns.size());
        for (MessagesRequest t : turns) {
            MessagesRequest again = Samples.withStream(t.withMessages(new ArrayList<>(t.messages())), !t.stream());
            assertThat(CacheKey.of(again).hex()).isEqualTo(CacheKey.of(t).hex());
        }
    }

    @Test
    void theBillingLineWouldChangeTheKeyIfTheNormalizerLeftItIn() throws IOException {
        MessagesRequest normalized = FixtureRequests.read("p-say-hi-1/02-POST-v1_messages.body.json");
        List<ContentBlock.Text> withBilling = new ArrayList<>(normalized.system());
        withBilling.addFirst(new ContentBlock.Text("x-anthropic-billing-header: cc_version=2.1.197.abc;"));
        assertThat(CacheKey.of(normalized.withSystem(withBilling)).hex())
                .isNotEqualTo(CacheKey.of(normalized).hex());
    }

    /**
     * Prints what computing the key of the 77 KB "say hi" request costs, and what the storage choices
     * for the canonical bytes would cost. A bounded loop, not a benchmark; the lead's JMH run is the
     * reference.
     */
    @Test
    void measuresKeyComputationForTheSayHiRequest() throws IOException {
        MessagesRequest r = FixtureRequests.read("p-say-hi-1/02-POST-v1_messages.body.json");
        byte[] canonical = CanonicalRequest.encode(r);
        int warmup = 3000;
        int runs = 3000;
        String expected = CacheKey.of(r).hex();

        for (int i = 0; i < warmup; i++) {
            CacheKey.of(r);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            assertThat(CacheKey.of(r).hex()).isEqualTo(expected);
        }
        long keyNanos = (System.nanoTime() - t0) / runs;

        long t1 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            CanonicalRequest.encode(r);
        }
        long encodeNanos = (System.nanoTime() - t1) / runs;

        byte[] copy = canonical.clone();
        long t2 = System.nanoTime();
        int equal = 0;
        for (int i = 0; i < runs; i++) {
            equal += Arrays.equals(canonical, copy) ? 1 : 0;
        }
        long compareNanos = (System.nanoTime() - t2) / runs;
        assertThat(equal).isEqualTo(runs);

        byte[] entry = EntryCodec.encode(canonical, Samples.textAnswer("Hi! How can I help?"));
        for (int i = 0; i < 300; i++) {
            EntryCodec.decode(entry, Integer.MAX_VALUE - 64);
        }
        long t3 = System.nanoTime();
        for (int i = 0; i < 300; i++) {
            EntryCodec.decode(entry, Integer.MAX_VALUE - 64);
        }
        long inflateNanos = (System.nanoTime() - t3) / 300;
        long t4 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            EntryCodec.encode(canonical, Samples.textAnswer("Hi! How can I help?"));
        }
        long deflateNanos = (System.nanoTime() - t4) / 100;

        System.out.printf(
                Locale.ROOT,
                "L2 key of the say-hi fixture: canonical %d bytes; key (encode + SHA-256) %.1f us, encode alone "
                        + "%.1f us; confirm by byte compare %.2f us; shared-tier entry %d bytes (%.1fx smaller), "
                        + "deflate %.1f us, inflate+decode %.1f us%n",
                canonical.length,
                keyNanos / 1e3,
                encodeNanos / 1e3,
                compareNanos / 1e3,
                entry.length,
                (double) canonical.length / entry.length,
                deflateNanos / 1e3,
                inflateNanos / 1e3);
        assertThat(entry.length).isLessThan(canonical.length);
    }
}
