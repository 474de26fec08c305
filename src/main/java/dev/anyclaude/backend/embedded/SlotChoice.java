package dev.anyclaude.backend.embedded;

import java.util.List;

/**
 * Where a prompt goes: the idle slot whose cached tokens share the longest prefix with it (ties: the
 * least recently used), or, when a saved state shares clearly more than any idle slot, that state
 * restored into the idle slot whose content is worth least.
 *
 * <p>Shared prefixes shorter than {@code minPrefix} count as none: every prompt of a chat template
 * starts with the same few tokens, and following them would evict a long conversation for a match
 * that saves nothing. Never-used and erased slots count as least recently used, so a new prefix takes
 * an empty slot before it displaces anyone.
 *
 * @param slot index into the candidate list's slots
 * @param restore the saved state to load first, or null
 */
record SlotChoice(int slot, StateStore.Match restore) {

    /** An idle slot as the choice sees it. */
    record Candidate(int slot, int commonPrefix, long lastUsed) {}

    static SlotChoice choose(List<Candidate> idle, StateStore.Match saved, int minPrefix) {
        if (idle.isEmpty()) {
            return null;
        }
        Candidate best = null;
        Candidate cheapest = null;
        for (Candidate c : idle) {
            int eff = effective(c, minPrefix);
            if (best == null || eff > effective(best, minPrefix)
                    || eff == effective(best, minPrefix) && c.lastUsed() < best.lastUsed()) {
                best = c;
            }
            if (cheapest == null || eff < effective(cheapest, minPrefix)
                    || eff == effective(cheapest, minPrefix) && c.lastUsed() < cheapest.lastUsed()) {
                cheapest = c;
            }
        }
        if (saved != null && saved.commonPrefix() >= minPrefix
                && saved.commonPrefix() >= (long) effective(best, minPrefix) + minPrefix) {
            return new SlotChoice(cheapest.slot(), saved);
        }
        return new SlotChoice(best.slot(), null);
    }

    private static int effective(Candidate c, int minPrefix) {
        return c.commonPrefix() >= minPrefix ? c.commonPrefix() : 0;
    }
}
