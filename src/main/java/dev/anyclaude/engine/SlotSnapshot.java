package dev.anyclaude.engine;

/**
 * What one slot of the embedded engine holds and has done, for {@code /cache/stats} and metrics. No
 * prompt text: the prefix is identified by a hash of its first tokens.
 *
 * @param slot slot id
 * @param prefixFingerprint hex hash of the first 1024 cached tokens; empty when the slot is empty
 * @param cachedTokens tokens in the slot's KV cache now
 * @param requests requests served
 * @param promptTokens prompt tokens of those requests
 * @param reusedTokens prompt tokens taken from the cache instead of computed
 * @param saves states saved before the slot was given to another prefix
 * @param restores saved states loaded back into the slot
 * @param copies prompts that started from another slot's resident prefix, copied instead of computed
 * @param savedRamBytes saved states from this slot now held in memory
 * @param savedDiskBytes saved states from this slot now held on disk
 * @param busy whether a request is running in the slot
 */
public record SlotSnapshot(
        int slot,
        String prefixFingerprint,
        long cachedTokens,
        long requests,
        long promptTokens,
        long reusedTokens,
        long saves,
        long restores,
        long copies,
        long savedRamBytes,
        long savedDiskBytes,
        boolean busy) {

    /** Reused share of all prompt tokens, 0 when there were none. */
    public double reuseRatio() {
        return promptTokens == 0 ? 0 : (double) reusedTokens / promptTokens;
    }
}
