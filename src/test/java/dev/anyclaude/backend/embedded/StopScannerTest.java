package dev.anyclaude.backend.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopScannerTest {

    @Test
    void stopsAtTheEarliestStopStringAcrossChunks() {
        StopScanner s = new StopScanner(List.of("STOP", "xy"), "<|im_end|>");
        StringBuilder out = new StringBuilder();
        StopScanner.Step step = null;
        for (String chunk : new String[] {"ab", "cS", "TO", "P and xy"}) {
            step = s.accept(chunk);
            out.append(step.text());
            if (step.stopped()) {
                break;
            }
        }
        assertThat(out.toString()).isEqualTo("abc");
        assertThat(step.stop()).isEqualTo("STOP");
        assertThat(step.endOfTurn()).isFalse();
        assertThat(s.accept("more").text()).isEmpty();
    }

    @Test
    void reportsTheTemplatesEndOfTurnAsEndTurnNotAsAStopSequence() {
        StopScanner s = new StopScanner(null, "<|im_end|>");
        assertThat(s.accept("done<|im_").text()).isEqualTo("done");
        StopScanner.Step step = s.accept("end|>\n<|im_start|>");
        assertThat(step.text()).isEmpty();
        assertThat(step.endOfTurn()).isTrue();
        assertThat(step.stop()).isNull();
    }

    @Test
    void releasesHeldTextThatNeverBecameAStop() {
        StopScanner s = new StopScanner(List.of("END"), "");
        assertThat(s.accept("the EN").text()).isEqualTo("the ");
        assertThat(s.accept("D").stopped()).isTrue();
        StopScanner t = new StopScanner(List.of("END"), "");
        assertThat(t.accept("the EN").text()).isEqualTo("the ");
        assertThat(t.finish()).isEqualTo("EN");
    }
}
