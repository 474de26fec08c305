package dev.anyclaude.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JVM's memory-pool notifications reach the monitor without any polling. */
class HeapWatchTest {

    @Test
    void aCollectionLeavingTheOldGenerationAboveTheThresholdNotifies() throws Exception {
        CountDownLatch notified = new CountDownLatch(1);
        // A threshold of a millionth of the old generation: any occupancy after a full collection exceeds it.
        try (HeapWatch watch = HeapWatch.install(1e-6, notified::countDown)) {
            byte[][] keep = new byte[64][];
            for (int i = 0; i < 10 && notified.getCount() > 0; i++) {
                keep[i] = new byte[1 << 20];
                System.gc();
                notified.await(500, TimeUnit.MILLISECONDS);
            }
            assertThat(keep[0]).isNotNull();
            assertThat(notified.getCount())
                    .as("a threshold notification arrived")
                    .isZero();
        }
    }
}
