package dev.anyclaude.observe;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Reads the JVM heap the way pressure should be judged: the old generation (the heap pools that support
 * usage thresholds) after its last collection, because occupancy before a collection is mostly garbage.
 * Before any collection of the pool, its current occupancy is the best figure there is.
 */
final class JvmHeapProbe implements MemoryProbe {
    private final List<MemoryPoolMXBean> tenured = tenuredPools();

    static List<MemoryPoolMXBean> tenuredPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid() && p.isUsageThresholdSupported())
                .toList();
    }

    @Override
    public Reading read() {
        long used = 0;
        long max = 0;
        for (MemoryPoolMXBean pool : tenured) {
            MemoryUsage now = pool.getUsage();
            MemoryUsage afterGc = pool.isCollectionUsageThresholdSupported() ? pool.getCollectionUsage() : null;
            if (now == null) {
                continue;
            }
            used += afterGc != null && afterGc.getUsed() > 0 ? afterGc.getUsed() : now.getUsed();
            max += now.getMax() > 0 ? now.getMax() : now.getCommitted();
        }
        if (max <= 0) {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            return new Reading(heap.getUsed(), heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
        }
        return new Reading(used, max);
    }
}
