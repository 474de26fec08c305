package dev.anyclaude.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlotTableTest {
    static final long MAIN = 1;
    static final long SUB = 2;

    /** Claims, records what the request left there, and releases, as a finished request does. */
    private static int run(SlotTable t, String stream, long agent) {
        SlotTable.Slot s = t.claim(stream, agent);
        t.assign(s, stream, agent, false, null);
        t.served(s);
        t.unclaim(s);
        return s.id;
    }

    @Test
    void aStreamComesBackToItsSlot() {
        SlotTable t = new SlotTable(3);
        assertThat(run(t, "a", MAIN)).isZero();
        assertThat(run(t, "b", MAIN)).isEqualTo(1);
        assertThat(run(t, "a", MAIN)).isZero();
        assertThat(run(t, "b", MAIN)).isEqualTo(1);
    }

    @Test
    void aNewStreamTakesAFreeSlotThenTheLeastRecentlyUsed() {
        SlotTable t = new SlotTable(2);
        run(t, "a", MAIN);
        run(t, "b", MAIN);
        run(t, "a", MAIN);
        assertThat(run(t, "c", MAIN)).isEqualTo(1); // b's
        assertThat(run(t, "b", MAIN)).isZero(); // a's
    }

    @Test
    void aNewStreamTakesTheSpareOfItsAgentFirstAndAnotherAgentsSpareBeforeAConversation() {
        SlotTable t = new SlotTable(3);
        run(t, "a", MAIN);
        SlotTable.Slot spare = t.claimForWarm("~seed/2");
        t.assign(spare, "~seed/2", SUB, true, null);
        t.unclaim(spare);
        assertThat(spare.id).isEqualTo(1);
        assertThat(run(t, "sub-1", SUB)).isEqualTo(1);
        SlotTable.Slot other = t.claimForWarm("~seed/1");
        t.assign(other, "~seed/1", MAIN, true, null);
        t.unclaim(other);
        assertThat(other.id).isEqualTo(2);
        // a third agent: no free slot; the spare goes before any conversation, however old
        assertThat(run(t, "x", 3)).isEqualTo(2);
    }

    @Test
    void aSpareBeingWarmedStillDrawsItsAgentsNewStream() {
        SlotTable t = new SlotTable(2);
        SlotTable.Slot warming = t.claimForWarm("~seed/1");
        t.assign(warming, "~seed/1", MAIN, true, null);
        SlotTable.Slot s = t.claim("a", MAIN);
        assertThat(s).isSameAs(warming);
        SlotTable.Slot other = t.claim("b", SUB);
        assertThat(other.id).isEqualTo(1);
    }

    @Test
    void aSecondRequestOfABusyStreamTakesAnIdleSlotRatherThanWait() {
        SlotTable t = new SlotTable(2);
        run(t, "a", MAIN);
        SlotTable.Slot first = t.claim("a", MAIN);
        SlotTable.Slot second = t.claim("a", MAIN);
        assertThat(first.id).isZero();
        assertThat(second.id).isEqualTo(1);
    }

    @Test
    void whenEverySlotIsBusyAStreamWaitsForItsOwn() {
        SlotTable t = new SlotTable(2);
        run(t, "a", MAIN);
        run(t, "b", MAIN);
        t.claim("b", MAIN);
        t.claim("a", MAIN);
        assertThat(t.claim("a", MAIN).id).isZero();
        assertThat(t.claim("a", MAIN).id).isZero();
        assertThat(t.claim("b", MAIN).id).isEqualTo(1);
        // a stranger waits where the fewest wait
        assertThat(t.claim("c", MAIN).id).isEqualTo(1);
    }

    @Test
    void warmsTakeOnlyFreeSlotsOrTheirOwnIdleSpare() {
        SlotTable t = new SlotTable(1);
        SlotTable.Slot spare = t.claimForWarm("~seed/1");
        t.assign(spare, "~seed/1", MAIN, true, null);
        t.unclaim(spare);
        assertThat(t.claimForWarm("~seed/2")).isNull();
        SlotTable.Slot again = t.claimForWarm("~seed/1");
        assertThat(again).isSameAs(spare);
        t.unclaim(again);
        run(t, "a", MAIN);
        assertThat(t.claimForWarm("~seed/1")).isNull();
    }
}
