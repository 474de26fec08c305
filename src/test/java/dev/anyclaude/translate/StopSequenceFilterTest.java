package dev.anyclaude.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.anyclaude.messages.EventSink;
import dev.anyclaude.messages.StopReason;
import dev.anyclaude.messages.StreamEvent;
import dev.anyclaude.messages.Usage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequenceFilterTest {
    private final Recorder rec = new Recorder();

    private static StreamEvent text(String s) {
        return new StreamEvent.BlockDelta(0, new StreamEvent.TextDelta(s));
    }

    private void open(EventSink f) throws IOException {
        f.accept(new StreamEvent.MessageStart(null, null, new Usage(7, 0, 3, 0)));
        f.accept(new StreamEvent.BlockStart(0, new StreamEvent.TextBlock()));
    }

    @Test
    void stopsAtASequenceSplitAcrossDeltasAndTellsTheProducerToStop() throws IOException {
        StopSequenceFilter f = new StopSequenceFilter(rec, List.of("STOP"));
        open(f);
        f.accept(text("hello S"));
        f.accept(text("T"));
        assertThat(rec.text()).isEqualTo("hello ");
        assertThatThrownBy(() -> f.accept(text("OP and more")))
                .isInstanceOfSatisfying(
                        GenerationStopped.class,
                        e -> assertThat(e.stopSequence()).isEqualTo("STOP"));
        assertThat(f.stopped()).isTrue();
        assertThat(rec.lines())
                .containsExactly(
                        "start", "open 0 text", "text hello ", "close 0", "delta stop_sequence STOP", "message_stop");
        assertThat(((StreamEvent.MessageDelta) rec.events.get(4)).usage()).isEqualTo(new Usage(7, 0, 3, 0));
    }

    @Test
    void ignoresEverythingAfterTheStop() throws IOException {
        StopSequenceFilter f = new StopSequenceFilter(rec, List.of("x"));
        open(f);
        assertThatThrownBy(() -> f.accept(text("x"))).isInstanceOf(GenerationStopped.class);
        int n = rec.events.size();
        f.accept(new StreamEvent.BlockStop(0));
        f.accept(new StreamEvent.MessageDelta(StopReason.END_TURN, null, Usage.ZERO));
        assertThat(rec.events).hasSize(n);
    }

    @Test
    void releasesAHeldTailThatTurnedOutNotToMatch() throws IOException {
        StopSequenceFilter f = new StopSequenceFilter(rec, List.of("\n\nHuman:"));
        open(f);
        f.accept(text("line\n"));
        f.accept(text("\n"));
        assertThat(rec.text()).isEqualTo("line");
        f.accept(StreamEvent.PING); // a keep-alive does not release text that may still match
        assertThat(rec.text()).isEqualTo("line");
        f.accept(text("Hum"));
        f.accept(text("ble"));
        assertThat(rec.text()).isEqualTo("line\n\nHumble");
        f.accept(text("\n\nHu"));
        f.accept(new StreamEvent.BlockStop(0));
        assertThat(rec.text()).isEqualTo("line\n\nHumble\n\nHu");
        assertThat(rec.lines().getLast()).isEqualTo("close 0");
    }

    @Test
    void picksTheEarliestMatchAmongSeveralSequences() throws IOException {
        StopSequenceFilter f = new StopSequenceFilter(rec, List.of("later", "b"));
        open(f);
        assertThatThrownBy(() -> f.accept(text("a b later"))).isInstanceOf(GenerationStopped.class);
        assertThat(rec.text()).isEqualTo("a ");
        assertThat(rec.lines()).contains("delta stop_sequence b");
    }

    @Test
    void leavesThinkingAndToolInputAlone() throws IOException {
        StopSequenceFilter f = new StopSequenceFilter(rec, List.of("STOP"));
        f.accept(new StreamEvent.MessageStart(null, null, Usage.ZERO));
        f.accept(new StreamEvent.BlockStart(0, new StreamEvent.ThinkingBlock()));
        f.accept(new StreamEvent.BlockDelta(0, new StreamEvent.ThinkingDelta("STOP")));
        f.accept(new StreamEvent.BlockStop(0));
        f.accept(new StreamEvent.BlockStart(1, new StreamEvent.ToolUseBlock("toolu_1", "Bash")));
        f.accept(new StreamEvent.BlockDelta(1, new StreamEvent.InputJsonDelta("{\"c\":\"STOP\"}")));
        f.accept(new StreamEvent.BlockStop(1));
        assertThat(f.stopped()).isFalse();
        assertThat(rec.events).hasSize(7);
    }

    @Test
    void wrapReturnsTheSinkItselfWithoutStopSequences() {
        assertThat(StopSequenceFilter.wrap(rec, List.of())).isSameAs(rec);
        assertThat(StopSequenceFilter.wrap(rec, List.of("x"))).isInstanceOf(StopSequenceFilter.class);
    }
}
