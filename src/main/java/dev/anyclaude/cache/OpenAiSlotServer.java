package dev.anyclaude.cache;

import dev.anyclaude.api.Usage;
import dev.anyclaude.backend.BackendRequest;
import dev.anyclaude.backend.Flavor;
import dev.anyclaude.backend.OpenAiBackend;
import java.io.IOException;

/** An OpenAI-compatible backend as a {@link SlotServer}: slotted when it was probed as llama.cpp's server. */
final class OpenAiSlotServer implements SlotServer {
    private final OpenAiBackend backend;

    OpenAiSlotServer(OpenAiBackend backend) {
        this.backend = backend;
    }

    @Override
    public boolean slotted() {
        return backend.flavor() == Flavor.LLAMACPP;
    }

    @Override
    public int totalSlots() {
        return backend.totalSlots();
    }

    @Override
    public void save(int slot, String filename) {
        backend.slotAction(slot, "save", filename);
    }

    @Override
    public void restore(int slot, String filename) {
        backend.slotAction(slot, "restore", filename);
    }

    @Override
    public void erase(int slot) {
        backend.slotAction(slot, "erase", null);
    }

    @Override
    public Usage prefill(BackendRequest call, int slot) throws IOException {
        return backend.prefill(call, slot);
    }
}
