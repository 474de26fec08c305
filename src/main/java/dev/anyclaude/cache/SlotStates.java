package dev.anyclaude.cache;

import dev.anyclaude.api.ErrorKind;
import dev.anyclaude.api.GatewayException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves slot states between a llama.cpp server's slots and its save directory, keeping the {@link SlotTable}
 * (what each slot holds, and which file equals it) and the {@link SavedStates} index in step. Every method
 * runs under the lock of the slot it touches.
 *
 * <p>If the server saves a file that the save directory does not then hold, the directory is not the
 * server's {@code --slot-save-path}: saving stops (with an error in the log) rather than fill a disk the
 * gateway cannot see or bound.
 */
final class SlotStates {
    private static final Logger log = LoggerFactory.getLogger(SlotStates.class);

    private final SlotServer server;
    private final SavedStates store;
    private volatile boolean active = true;

    SlotStates(SlotServer server, SavedStates store) {
        this.server = server;
        this.store = store;
    }

    SavedStates store() {
        return store;
    }

    /** False once the save directory turned out not to be the server's. */
    boolean active() {
        return active;
    }

    /** Saves what {@code slot} holds unless a file on disk already equals it. */
    void saveIfChanged(SlotTable t, SlotTable.Slot slot, SlotTable.Residency r, SlotFigures f) {
        if (r.stream() == null || r.cleanAs() != null && store.has(r.cleanAs())) {
            return;
        }
        save(t, slot, r.stream(), r.agent(), f);
    }

    /** Saves {@code slot} under {@code as}'s file; true when the file is now indexed as equal to the slot. */
    boolean save(SlotTable t, SlotTable.Slot slot, String as, long agent, SlotFigures f) {
        String file = SavedStates.fileName(as);
        try {
            server.save(slot.id, file);
        } catch (GatewayException x) {
            if (x.kind() != ErrorKind.CANCELLED) {
                f.saved(false);
                log.warn("could not save llama.cpp slot {}: {}", slot.id, x.getMessage());
            }
            return false;
        }
        f.saved(true);
        Path written = store.dir().resolve(file);
        if (!Files.exists(written)) {
            active = false;
            log.error("llama.cpp saved slot {} as {}, but {} does not hold it: --slot-save-dir must be the directory "
                    + "llama-server was started with as --slot-save-path; slot states are no longer saved",
                    slot.id, file, store.dir());
            return false;
        }
        if (store.stored(as, agent) == null) {
            log.info("the state of llama.cpp slot {} is larger than --slot-save-bytes; not kept", slot.id);
            return false;
        }
        t.saved(slot, as);
        return true;
    }

    /**
     * Restores {@code e} (pinned by the caller; unpinned here) into {@code slot} for {@code stream}. On failure
     * the slot counts as changed, and a file the server refused is forgotten and deleted.
     */
    boolean restore(SlotTable t, SlotTable.Slot slot, SavedStates.Entry e, String stream, long agent, SlotFigures f) {
        try {
            server.restore(slot.id, e.file());
            f.restored(true);
            t.assign(slot, stream, agent, false, e.stream());
            return true;
        } catch (GatewayException x) {
            f.restored(false);
            t.assign(slot, stream, agent, false, null);
            boolean serverRefused = switch (x.kind()) {
                case BACKEND_UNREACHABLE, BACKEND_TIMEOUT, BACKEND_OVERLOADED, CANCELLED -> false;
                default -> true;
            };
            log.warn("could not restore {} into llama.cpp slot {}, prefilling instead: {}", e.file(), slot.id,
                    x.getMessage());
            if (serverRefused) {
                store.forget(e.stream());
            }
            return false;
        } finally {
            store.unpin(e.stream());
        }
    }
}
