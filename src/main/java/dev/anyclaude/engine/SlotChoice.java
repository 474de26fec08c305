package dev.anyclaude.engine;

import java.util.List;

/**
 * Where a prompt goes among the embedded engine's slots: the idle slot whose cached tokens share the longest
 * prefix with it (ties: the least recently used), or, when a saved state shares clearly more than any idle
 * slot, that state restored into the idle slot whose content is worth least.
 *
 * <p>Shared prefixes shorter than {@code minPrefix} count as none: every prompt of a chat template
 * starts with the same few tokens, and following them would evict a long conversation for a match
 * that saves nothing. Never-used and erased slots count as least recently used, so a new prefix takes
 * an empty slot before it displaces anyone.
 *
 * <p>A model server makes this choice itself (llama.cpp picks the slot with the longest common prefix and keeps
 * idle slots in its host-RAM prompt cache), so the gateway makes it only for the engine it runs.
 *
 * @param slot index into the candidate list's slots
 * @param restore the saved state to load first, or null
 * @param <S> what identifies a saved state
 */
public record SlotChoice<S>(int slot, S restore) {

    /** An idle slot as the choice sees it. */
    public record Candidate(int slot, int commonPrefix, long lastUsed) {}

    /** A saved state and the prefix it shares with the prompt. */
    public record Saved<S>(S state, int commonPrefix) {}

    public static <S> SlotChoice<S> choose(List<Candidate> idle, Saved<S> saved, int minPrefix) {
        if (idle.isEmpty()) {
            return null;
        }
        Candidate best = null;
        Candidate cheapest = null;
        for (Candidate c : idle) {
            int eff = effective(c, minPrefix);
            if (best == null
                    || eff > effective(best, minPrefix)
                    || eff == effective(best, minPrefix) && c.lastUsed() < best.lastUsed()) {
                best = c;
            }
            if (cheapest == null
                    || eff < effective(cheapest, minPrefix)
                    || eff == effective(cheapest, minPrefix) && c.lastUsed() < cheapest.lastUsed()) {
                cheapest = c;
            }
        }
        if (saved != null
                && saved.commonPrefix() >= minPrefix
                && saved.commonPrefix() >= (long) effective(best, minPrefix) + minPrefix) {
            return new SlotChoice<>(cheapest.slot(), saved.state());
        }
        return new SlotChoice<>(best.slot(), null);
    }

    private static int effective(Candidate c, int minPrefix) {
        return c.commonPrefix() >= minPrefix ? c.commonPrefix() : 0;
    }
}
