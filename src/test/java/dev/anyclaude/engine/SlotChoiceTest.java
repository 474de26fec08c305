package dev.anyclaude.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SlotChoiceTest {

    static SlotChoice.Candidate slot(int id, int lcp, long lastUsed) {
        return new SlotChoice.Candidate(id, lcp, lastUsed);
    }

    @Test
    void picksTheLongestSharedPrefix() {
        assertThat(SlotChoice.choose(
                                List.of(slot(0, 300, 9), slot(1, 900, 1), slot(2, 0, 0)),
                                (SlotChoice.Saved<String>) null,
                                100)
                        .slot())
                .isEqualTo(1);
    }

    @Test
    void breaksTiesByLeastRecentUse() {
        assertThat(SlotChoice.choose(
                                List.of(slot(0, 500, 7), slot(1, 500, 3), slot(2, 500, 5)),
                                (SlotChoice.Saved<String>) null,
                                100)
                        .slot())
                .isEqualTo(1);
    }

    @Test
    void treatsMatchesBelowTheMinimumAsNoMatch() {
        assertThat(SlotChoice.choose(List.of(slot(0, 50, 1), slot(1, 0, 0)), (SlotChoice.Saved<String>) null, 100)
                        .slot())
                .as("the empty, never used slot rather than a 50-token match")
                .isEqualTo(1);
    }

    @Test
    void restoresASavedStateThatSharesClearlyMoreIntoTheCheapestSlot() {
        SlotChoice.Saved<String> saved = new SlotChoice.Saved<>("state", 5000);
        SlotChoice<String> c = SlotChoice.choose(List.of(slot(0, 300, 1), slot(1, 0, 8), slot(2, 0, 4)), saved, 100);
        assertThat(c.restore()).isEqualTo("state");
        assertThat(c.slot()).as("least valuable, then least recent").isEqualTo(2);
    }

    @Test
    void prefersALiveSlotOverASavedStateThatAddsLittle() {
        SlotChoice.Saved<String> saved = new SlotChoice.Saved<>("state", 350);
        SlotChoice<String> c = SlotChoice.choose(List.of(slot(0, 300, 1), slot(1, 0, 0)), saved, 100);
        assertThat(c.restore()).isNull();
        assertThat(c.slot()).isEqualTo(0);
    }

    @Test
    void hasNoChoiceWithoutIdleSlots() {
        assertThat(SlotChoice.<String>choose(List.of(), null, 1)).isNull();
    }
}
