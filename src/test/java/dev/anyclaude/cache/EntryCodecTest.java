package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.messages.ErrorKind;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

    @Property(tries = 500)
    void decodesWhatItEncoded(@ForAll("canonical") byte[] canonical, @ForAll("events") List<StreamEvent> events) {
        EntryCodec.Decoded d = EntryCodec.decode(EntryCodec.encode(canonical, events), Integer.MAX_VALUE - 64);
        assertThat(d.canonical()).isEqualTo(canonical);
        assertThat(d.events()).isEqualTo(events);
    }

    @Property(tries = 500)
    void damagedEntriesFailAsCorruptNeverWithAnotherException(
            @ForAll("events") List<StreamEvent> events,
            @ForAll @IntRange(min = 0, max = 10_000) int position,
            @ForAll @IntRange(min = 1, max = 255) int flip,
            @ForAll boolean truncate) {
        byte[] good = EntryCodec.encode(new byte[] {1, 2, 3}, events);
        int at = position % good.length;
        byte[] bad = truncate ? Arrays.copyOf(good, at) : good.clone();
        if (!truncate) {
            bad[at] ^= (byte) flip;
        }
        try {
            EntryCodec.Decoded d = EntryCodec.decode(bad, 1 << 20);
            // A flip inside a string's payload can still decode; it must then decode to something.
            assertThat(d.events()).isNotNull();
        } catch (IllegalArgumentException expected) {
            assertThat(expected).hasMessageStartingWith("corrupt cache entry");
        }
    }

    @Test
    void rejectsForeignValuesAndOversizedClaims() {
        assertThatThrownBy(() -> EntryCodec.decode("another application's value".getBytes(), 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an anyclaude entry");
        byte[] big = EntryCodec.encode(new byte[5000], Samples.textAnswer("x".repeat(5000)));
        assertThatThrownBy(() -> EntryCodec.decode(big, 1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit: 1000");
    }

    @Test
    void compressesARepetitiveEntry() {
        byte[] canonical = "You are Claude Code. ".repeat(2000).getBytes();
        byte[] encoded = EntryCodec.encode(canonical, Samples.toolAnswer());
        assertThat(encoded.length).isLessThan(canonical.length / 10);
    }

    @Provide
    Arbitrary<byte[]> canonical() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<List<StreamEvent>> events() {
        Arbitrary<String> s = Arbitraries.strings().all().ofMaxLength(40).injectNull(0.1);
        Arbitrary<Usage> usage = Combinators.combine(
                        Arbitraries.longs().between(0, 1L << 40),
                        Arbitraries.longs().between(0, 100_000),
                        Arbitraries.longs().between(0, 1L << 40),
                        Arbitraries.longs().between(0, 1000))
                .as(Usage::new)
                .injectNull(0.1);
        Arbitrary<Integer> index = Arbitraries.integers().between(-1, 1000);
        Arbitrary<StreamEvent.Block> block = Arbitraries.oneOf(
                Arbitraries.just(new StreamEvent.TextBlock()),
                Arbitraries.just(new StreamEvent.ThinkingBlock()),
                s.map(StreamEvent.RedactedThinkingBlock::new),
                Combinators.combine(s, s).as(StreamEvent.ToolUseBlock::new));
        Arbitrary<StreamEvent.Delta> delta = Arbitraries.oneOf(
                s.map(StreamEvent.TextDelta::new),
                s.map(StreamEvent.ThinkingDelta::new),
                s.map(StreamEvent.SignatureDelta::new),
                s.map(StreamEvent.InputJsonDelta::new));
        Arbitrary<StreamEvent> event = Arbitraries.oneOf(
                Combinators.combine(s, s, usage).as(StreamEvent.MessageStart::new),
                Combinators.combine(index, block).as(StreamEvent.BlockStart::new),
                Combinators.combine(index, delta).as(StreamEvent.BlockDelta::new),
                index.map(StreamEvent.BlockStop::new),
                Combinators.combine(Arbitraries.of(StopReason.class).injectNull(0.1), s, usage)
                        .as(StreamEvent.MessageDelta::new),
                Arbitraries.just(StreamEvent.MESSAGE_STOP),
                Arbitraries.just(StreamEvent.PING),
                Combinators.combine(Arbitraries.of(ErrorKind.class), s).as(StreamEvent.Error::new));
        return event.list().ofMaxSize(30);
    }
}
