package dev.anyclaude.observe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a metric label's values to a bounded set: the first {@code max} distinct values pass, later ones
 * become "other". Model names can come from clients (a router that passes names through), and each new
 * value would otherwise be a new time series kept for the life of the process.
 */
final class BoundedLabels {
    private final int max;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    BoundedLabels(int max) {
        this.max = max;
    }

    String of(String value) {
        if (value == null || value.isEmpty()) {
            return "none";
        }
        if (seen.contains(value)) {
            return value;
        }
        synchronized (seen) {
            if (seen.size() < max) {
                seen.add(value);
                return value;
            }
        }
        return seen.contains(value) ? value : "other";
    }
}
