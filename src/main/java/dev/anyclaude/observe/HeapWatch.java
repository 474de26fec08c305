package dev.anyclaude.observe;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;

/**
 * Asks the JVM to notify when the old generation crosses a fraction of its maximum — in use, and still
 * in use after a collection — so heap pressure is acted on when it happens rather than at the next poll.
 * The notification only triggers a check; the check judges the reading.
 */
final class HeapWatch implements AutoCloseable {
    private final NotificationEmitter emitter;
    private final NotificationListener listener;
    private final List<MemoryPoolMXBean> pools = new ArrayList<>();
    private final List<Long> thresholds = new ArrayList<>();

    private HeapWatch(NotificationEmitter emitter, NotificationListener listener) {
        this.emitter = emitter;
        this.listener = listener;
    }

    static HeapWatch install(double fraction, Runnable onCrossing) {
        NotificationListener listener = (notification, handback) -> {
            String type = notification.getType();
            if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(type)
                    || MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(type)) {
                onCrossing.run(); // on the JMX notification thread: hand off, never block it
            }
        };
        NotificationEmitter emitter = (NotificationEmitter) ManagementFactory.getMemoryMXBean();
        HeapWatch watch = new HeapWatch(emitter, listener);
        for (MemoryPoolMXBean pool : JvmHeapProbe.tenuredPools()) {
            long max = pool.getUsage().getMax();
            if (max <= 0) {
                continue;
            }
            long threshold = Math.max(1, (long) (max * fraction));
            pool.setUsageThreshold(threshold);
            if (pool.isCollectionUsageThresholdSupported()) {
                pool.setCollectionUsageThreshold(threshold);
            }
            watch.pools.add(pool);
            watch.thresholds.add(threshold);
        }
        emitter.addNotificationListener(listener, null, null);
        return watch;
    }

    @Override
    public void close() {
        try {
            emitter.removeNotificationListener(listener);
        } catch (ListenerNotFoundException e) {
            // already removed
        }
        for (int i = 0; i < pools.size(); i++) {
            MemoryPoolMXBean pool = pools.get(i);
            long ours = thresholds.get(i);
            if (pool.getUsageThreshold() == ours) { // another monitor may have set its own since
                pool.setUsageThreshold(0);
            }
            if (pool.isCollectionUsageThresholdSupported() && pool.getCollectionUsageThreshold() == ours) {
                pool.setCollectionUsageThreshold(0);
            }
        }
    }
}
