package dev.anyclaude.cache;

import dev.anyclaude.api.Usage;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one slot (or the requests the server placed itself) did, counted from what flowed back: requests,
 * prompt tokens and the ones the server reused from its cache, how each request found the slot, and the
 * warms, saves and restores done there. Thread-safe.
 */
final class SlotFigures {

    /** How a request found its slot. */
    enum Found {
        /** The stream was resident: the server's cache holds its previous prompt. */
        RESIDENT,
        /** The stream's saved state was restored into the slot. */
        RESTORED,
        /** Another stream's state with the same system and tools was restored (a new stream of a known agent). */
        SEEDED,
        /** A spare warmed for the stream's agent was taken. */
        SPARE,
        /** The slot held another conversation of the same agent: its system and tools are reusable. */
        SAME_AGENT,
        /** Nothing of the stream was there. */
        COLD
    }

    private long requests;
    private long promptTokens;
    private long reusedTokens;
    private final long[] found = new long[Found.values().length];
    private long warms;
    private long warmTokens;
    private long saves;
    private long saveFailures;
    private long restores;
    private long restoreFailures;
    private long evictions;
    private long erases;

    /** Counts a request the server answered; {@code how} is null for one the server placed itself. */
    synchronized void request(Found how, Usage usage) {
        requests++;
        if (how != null) {
            found[how.ordinal()]++;
        }
        if (usage != null) {
            promptTokens += usage.promptTokens();
            reusedTokens += usage.cacheReadInputTokens();
        }
    }

    synchronized void warm(Usage usage) {
        warms++;
        if (usage != null) {
            warmTokens += usage.promptTokens();
        }
    }

    synchronized void saved(boolean ok) {
        if (ok) {
            saves++;
        } else {
            saveFailures++;
        }
    }

    synchronized void restored(boolean ok) {
        if (ok) {
            restores++;
        } else {
            restoreFailures++;
        }
    }

    synchronized void evicted() {
        evictions++;
    }

    synchronized void erased() {
        erases++;
    }

    synchronized long requests() {
        return requests;
    }

    synchronized void reset() {
        requests = promptTokens = reusedTokens = warms = warmTokens = saves = saveFailures = restores = 0;
        restoreFailures = evictions = erases = 0;
        java.util.Arrays.fill(found, 0);
    }

    /** Adds this slot's figures into {@code total}. */
    synchronized void addTo(SlotFigures total) {
        synchronized (total) {
            total.requests += requests;
            total.promptTokens += promptTokens;
            total.reusedTokens += reusedTokens;
            for (int i = 0; i < found.length; i++) {
                total.found[i] += found[i];
            }
            total.warms += warms;
            total.warmTokens += warmTokens;
            total.saves += saves;
            total.saveFailures += saveFailures;
            total.restores += restores;
            total.restoreFailures += restoreFailures;
            total.evictions += evictions;
            total.erases += erases;
        }
    }

    synchronized Map<String, Object> snapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", requests);
        out.put("prompt_tokens", promptTokens);
        out.put("reused_tokens", reusedTokens);
        out.put("reuse_ratio", promptTokens == 0 ? null : Math.round(1000.0 * reusedTokens / promptTokens) / 1000.0);
        Map<String, Object> how = new LinkedHashMap<>();
        for (Found f : Found.values()) {
            how.put(f.name().toLowerCase(java.util.Locale.ROOT), found[f.ordinal()]);
        }
        out.put("found", how);
        out.put("warms", warms);
        out.put("warm_prompt_tokens", warmTokens);
        out.put("saves", saves);
        out.put("save_failures", saveFailures);
        out.put("restores", restores);
        out.put("restore_failures", restoreFailures);
        out.put("evictions", evictions);
        out.put("erases", erases);
        return out;
    }
}
