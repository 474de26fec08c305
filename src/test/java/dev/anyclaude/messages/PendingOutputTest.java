package dev.anyclaude.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.Flushable;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PendingOutputTest {
    private final List<String> flushed = new ArrayList<>();

    private Flushable target(String name) {
        return () -> flushed.add(name);
    }

    @Test
    void withoutABatchNothingIsDeferred() throws Exception {
        assertThat(PendingOutput.defer(target("a"))).isFalse();
        PendingOutput.flush();
        assertThat(flushed).isEmpty();
    }

    @Test
    void aDeferredTargetIsFlushedOnceBeforeTheNextReadAndNotAgain() throws Exception {
        try (PendingOutput.Batch batch = PendingOutput.batch()) {
            Flushable a = target("a");
            assertThat(PendingOutput.defer(a)).isTrue();
            assertThat(PendingOutput.defer(a)).isTrue();
            InputStream in = PendingOutput.flushingBeforeReads(new ByteArrayInputStream(new byte[] {1, 2, 3}));
            assertThat(in.read(new byte[2], 0, 2)).isEqualTo(2);
            assertThat(flushed).containsExactly("a");
            assertThat(in.read()).isEqualTo(3);
            assertThat(flushed).as("nothing new was deferred").containsExactly("a");
        }
        assertThat(flushed).containsExactly("a");
    }

    @Test
    void closingTheBatchFlushesWhatIsPendingAndEndsDeferral() throws Exception {
        try (PendingOutput.Batch batch = PendingOutput.batch()) {
            PendingOutput.defer(target("a"));
        }
        assertThat(flushed).containsExactly("a");
        assertThat(PendingOutput.defer(target("b"))).isFalse();
    }

    @Test
    void aSecondTargetFlushesTheFirstSoNoOutputIsForgotten() throws Exception {
        try (PendingOutput.Batch batch = PendingOutput.batch()) {
            PendingOutput.defer(target("a"));
            PendingOutput.defer(target("b"));
            assertThat(flushed).containsExactly("a");
        }
        assertThat(flushed).containsExactly("a", "b");
    }

    @Test
    void anInnerBatchEndsIntoTheOuterOne() throws Exception {
        try (PendingOutput.Batch outer = PendingOutput.batch()) {
            try (PendingOutput.Batch inner = PendingOutput.batch()) {
                PendingOutput.defer(target("inner"));
            }
            assertThat(flushed).containsExactly("inner");
            assertThat(PendingOutput.defer(target("outer"))).isTrue();
            assertThat(flushed).containsExactly("inner");
        }
        assertThat(flushed).containsExactly("inner", "outer");
    }

    @Test
    void batchesBelongToTheirThread() throws Exception {
        try (PendingOutput.Batch batch = PendingOutput.batch()) {
            boolean[] deferredElsewhere = {true};
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    deferredElsewhere[0] = PendingOutput.defer(target("other"));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            t.join();
            assertThat(deferredElsewhere[0]).isFalse();
        }
    }
}
