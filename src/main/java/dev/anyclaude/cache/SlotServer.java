package dev.anyclaude.cache;

import dev.anyclaude.api.Usage;
import dev.anyclaude.backend.BackendRequest;
import java.io.IOException;

/** The model server as the L1 prefix cache uses it: its slots, their state files, and prefill without output. */
interface SlotServer {

    /** Whether the server has addressable slots (llama.cpp's server, as probed). */
    boolean slotted();

    /** The server's slot count, or 0 when it does not say. */
    int totalSlots();

    /** Saves slot {@code slot} into {@code filename} inside the server's save directory. */
    void save(int slot, String filename);

    /** Loads {@code filename} into slot {@code slot}. */
    void restore(int slot, String filename);

    /** Empties slot {@code slot}. */
    void erase(int slot);

    /**
     * Prefills {@code call}'s prompt without generating, in slot {@code slot} (-1: the server's choice), and
     * returns the reported usage; interrupting the thread abandons it.
     */
    Usage prefill(BackendRequest call, int slot) throws IOException;
}
