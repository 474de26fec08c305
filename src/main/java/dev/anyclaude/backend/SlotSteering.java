package dev.anyclaude.backend;

import dev.anyclaude.api.EventSink;

/**
 * Where an OpenAI-compatible backend runs each request among the model server's slots (llama.cpp {@code
 * id_slot}), and what it sees of the answer. The L1 prefix cache implements it; {@link #NONE} leaves the
 * choice to the server.
 */
public interface SlotSteering {
    SlotSteering NONE = call -> Lease.UNPINNED;

    /**
     * Blocks until {@code call} may run and returns its slot. The backend closes the lease when the request
     * is over, whatever its outcome.
     *
     * @throws dev.anyclaude.api.GatewayException when no slot frees up in time (overloaded)
     */
    Lease acquire(BackendRequest call);

    /** The right to run one request in one slot. */
    interface Lease extends AutoCloseable {
        /** No pinning: the server picks the slot. */
        Lease UNPINNED = () -> -1;

        /** The slot to pin the request to, or -1 for the server's own choice. */
        int slot();

        /** Wraps the sink the response events go to, to see what flows back (usage). */
        default EventSink observe(EventSink sink) {
            return sink;
        }

        @Override
        default void close() {}
    }
}
